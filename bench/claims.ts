/**
 * Claim throughput: 8 processes claim from one features.db at once (WAL, BEGIN IMMEDIATE,
 * conditional UPDATE), each re-reading the backlog and scoring it before every claim, the way
 * the orchestrator does. Prints claims per second and checks nothing was claimed twice.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FeaturesDb } from '../core/features-db.ts';

const run = promisify(execFile);
const worker = join(resolve(fileURLToPath(import.meta.url), '..'), 'workers', 'claim-worker.ts');
const WORKERS = 8;

async function trial(mode: 'scan' | 'direct', features: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ns-bench-claims-'));
  try {
    const path = join(dir, 'features.db');
    const db = FeaturesDb.open(path);
    db.createBulk(
      Array.from({ length: features }, (_, i) => ({
        category: 'c',
        name: `F${i}`,
        description: 'd',
        steps: ['s'],
      })),
    );
    db.close();
    const startAt = Date.now() + 1000;
    const t0 = startAt;
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        run(process.execPath, [worker, path, `bench-${w}`, String(startAt), mode]),
      ),
    );
    const wall = Date.now() - t0;
    const claims = results.map((r) => JSON.parse(r.stdout) as { claimed: number[]; ms: number });
    const all = claims.flatMap((c) => c.claimed);
    const dupes = all.length - new Set(all).size;
    console.log(
      `\n${mode === 'scan' ? 'orchestrator path (re-read + score before each claim)' : 'raw claims (transaction + conditional UPDATE only)'}`,
    );
    console.log(
      `workers: ${WORKERS}, features: ${features}, claimed: ${all.length}, double claims: ${dupes}`,
    );
    console.log(`per worker: ${claims.map((c) => c.claimed.length).join(' ')}`);
    console.log(
      `wall time: ${wall} ms, throughput: ${Math.round((all.length / wall) * 1000)} claims/s`,
    );
    if (dupes > 0 || all.length !== features) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await trial('scan', 1000);
await trial('direct', 20_000);
