/**
 * Claim throughput: 8 processes claim from one features.db at once (WAL, BEGIN IMMEDIATE,
 * conditional UPDATE), each re-reading the backlog and scoring it before every claim, the way
 * the orchestrator does. Prints claims per second and checks nothing was claimed twice.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
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
    // Every worker waits for the same moment, after its start-up, before it claims.
    const startAt = Date.now() + 2000;
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, w) =>
        run(process.execPath, [worker, path, `bench-${w}`, String(startAt), mode]),
      ),
    );
    const claims = results.map(
      (r) =>
        JSON.parse(r.stdout) as {
          claimed: number[];
          ms: number;
          startedAt: number;
          endedAt: number;
        },
    );
    // From the first claim attempt to the last worker done: start-up is not counted.
    const first = Math.min(...claims.map((c) => c.startedAt));
    const wall = Math.max(...claims.map((c) => c.endedAt)) - first;
    const late = Math.max(...claims.map((c) => c.startedAt)) - startAt;
    const all = claims.flatMap((c) => c.claimed);
    const dupes = all.length - new Set(all).size;
    console.log(
      `\n${mode === 'scan' ? 'orchestrator path (re-read + score before each claim)' : 'raw claims (transaction + conditional UPDATE only)'}`,
    );
    console.log(
      `setup: ${WORKERS} concurrent claimer processes, ${features} features (no dependencies), one features.db (WAL, BEGIN IMMEDIATE)`,
    );
    console.log(
      `claimed: ${all.length} features, double claims: ${dupes}, per worker: ${claims.map((c) => c.claimed.length).join(' ')}`,
    );
    console.log(
      `wall time: ${wall.toFixed(0)} ms, throughput: ${Math.round((all.length / wall) * 1000)} claims/s` +
        (late > 50 ? ` (the last worker began ${late.toFixed(0)} ms late)` : ''),
    );
    if (dupes > 0 || all.length !== features) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `machine: ${availableParallelism()} CPU(s) (${cpus()[0]?.model.trim() ?? 'unknown'}), load average ${loadavg()[0]!.toFixed(2)}, Node ${process.version}`,
);
await trial('scan', 1000);
await trial('direct', 20_000);
