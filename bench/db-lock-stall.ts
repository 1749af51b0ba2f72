/**
 * The event loop while another process holds features.db locked (issue 10: "the event loop never
 * waits more than about 250 ms on SQLite"). A child process (test/helpers/db-locker.ts) takes an
 * exclusive write lock for HOLD_MS; meanwhile this process does the orchestrator's database work
 * (a heartbeat write every 50 ms) through `retryDb`, and the event loop's delay is sampled every
 * by a 5 ms timer. Prints the longest stall with the orchestrator's short busy timeout (and asynchronous
 * retry), and, for contrast, with SQLite waiting synchronously on a 30 s busy timeout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeaturesDb } from '../core/features-db.ts';
import { SHORT_BUSY_TIMEOUT_MS, retryDb } from '../core/db-retry.ts';

const HOLD_MS = 2000;
const locker = join(
  resolve(fileURLToPath(import.meta.url), '..'),
  '..',
  'test/helpers/db-locker.ts',
);

async function trial(busyTimeoutMs: number): Promise<{ maxMs: number; writes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'ns-bench-lock-'));
  const path = join(dir, 'features.db');
  const seed = FeaturesDb.open(path);
  seed.createBulk([{ category: 'c', name: 'F', description: 'd', steps: ['s'] }]);
  seed.close();
  const db = FeaturesDb.open(path, { busyTimeoutMs });
  const child = spawn(process.execPath, [locker, path, String(HOLD_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let out = '';
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(
        () => fail(new Error('the locker did not lock within 10 s')),
        10_000,
      );
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('locked')) {
          clearTimeout(timer);
          ok();
        }
      });
    });
    const released = new Promise<void>((ok) => child.once('exit', () => ok()));
    // The longest gap between ticks of a 5 ms timer, started before any database work.
    let last = performance.now();
    let maxGap = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    await new Promise((r) => setTimeout(r, 50));
    let writes = 0;
    let done = false;
    void released.then(() => (done = true));
    while (!done) {
      await retryDb(path, () => db.heartbeat('bench-owner'), { limitMs: 30_000 });
      writes++;
      await new Promise((r) => setTimeout(r, 50));
    }
    clearInterval(ticker);
    return { maxMs: maxGap, writes };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}; lock held ${HOLD_MS} ms`);
const short = await trial(SHORT_BUSY_TIMEOUT_MS);
console.log(
  `busy timeout ${SHORT_BUSY_TIMEOUT_MS} ms + async retry: longest event-loop stall ${short.maxMs.toFixed(0)} ms (${short.writes} heartbeat write(s) got through, after the lock was released)`,
);
const long = await trial(30_000);
console.log(
  `busy timeout 30000 ms (synchronous wait, for contrast): longest event-loop stall ${long.maxMs.toFixed(0)} ms`,
);
