/**
 * Database trouble is retried asynchronously while it can pass and becomes one sentence when it
 * does not (core/db-retry.ts), against real SQLite files locked by a second connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { DatabaseTrouble, dbTroubleOf, retryDb } from '../../core/db-retry.ts';
import { FeaturesDb } from '../../core/features-db.ts';

function lockedDb(t: { after: (fn: () => void) => void }): { path: string; holder: DatabaseSync } {
  const dir = mkdtempSync(join(tmpdir(), 'ns-dbr-'));
  const path = join(dir, 'features.db');
  FeaturesDb.open(path).close();
  const holder = new DatabaseSync(path);
  holder.exec('BEGIN EXCLUSIVE');
  t.after(() => {
    if (holder.isOpen) holder.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, holder };
}

test('a write blocked by another connection is retried until the lock goes, without blocking the event loop', async (t) => {
  const { path, holder } = lockedDb(t);
  const db = FeaturesDb.open(path, { busyTimeoutMs: 50 });
  t.after(() => db.close());
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 20);
  setTimeout(() => holder.exec('COMMIT'), 600);
  let tries = 0;
  const ids = await retryDb(
    path,
    () => {
      tries++;
      return db.createBulk([{ category: 'c', name: 'A', description: 'd', steps: ['s'] }]).ids;
    },
    { limitMs: 10_000 },
  );
  clearInterval(ticker);
  assert.deepEqual(ids, [1]);
  assert.ok(tries > 1, `retried (${tries} tries)`);
  assert.ok(ticks > 5, `timers kept running while it waited (${ticks} ticks)`);
});

test('a lock that outlasts the limit becomes one sentence, not a stack', async (t) => {
  const { path } = lockedDb(t);
  const db = FeaturesDb.open(path, { busyTimeoutMs: 20 });
  t.after(() => db.close());
  await assert.rejects(
    retryDb(path, () => db.claim(1, 'w'), { limitMs: 300 }),
    (error: unknown) =>
      error instanceof DatabaseTrouble &&
      error.kind === 'busy' &&
      /^The features database \(.*\) stayed locked by another program; the run stopped\./.test(
        error.message,
      ) &&
      !error.message.includes('\n'),
  );
});

test('a damaged database is not retried; errors that are not the database’s pass through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-dbr-'));
  try {
    const path = join(dir, 'features.db');
    writeFileSync(path, 'this is not a database'.repeat(100));
    let tries = 0;
    await assert.rejects(
      retryDb(
        path,
        () => {
          tries++;
          return FeaturesDb.open(path);
        },
        { limitMs: 5000 },
      ),
      (error: unknown) => error instanceof DatabaseTrouble && error.kind === 'damaged',
    );
    assert.equal(tries, 1);
    const bug = new TypeError('x is undefined');
    await assert.rejects(
      retryDb(
        path,
        () => {
          throw bug;
        },
        { limitMs: 5000 },
      ),
      bug,
    );
    assert.equal(dbTroubleOf(bug), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
