import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import {
  FeaturesDb,
  FeatureError,
  parsePyUtcTimestamp,
  pyUtcTimestamp,
  type NewFeature,
} from '../../core/features-db.ts';
import { findFeaturesDb, featuresDbPath } from '../../core/project-paths.ts';
import { createReferenceDb, readRawRows } from '../fixtures/reference-db.ts';

/** A temp folder, removed after the test. */
function tmp(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'ns-fdb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const steps = ['Step 1: do it'];
/** A features.db in a temp folder (removed after the test), holding `features`. */
function tempDb(t: TestContext, features: NewFeature[] = []): FeaturesDb {
  const db = FeaturesDb.open(join(tmp(t), 'features.db'));
  if (features.length) db.createBulk(features);
  return db;
}
const nf = (name: string, extra: object = {}) => ({
  category: 'core',
  name,
  description: `${name} works`,
  steps,
  ...extra,
});

test('a database with the reference schema is read and worked in place, and stays readable by the reference', (t) => {
  const dir = tmp(t);
  const path = join(dir, '.autocoder', 'features.db');
  createReferenceDb(path, [
    { id: 1, name: 'Login', passes: true, dependencies: null },
    { id: 2, name: 'Profile', dependencies: '[1]' },
    { id: 3, name: 'Settings', dependencies: 'null' },
    { id: 4, name: 'Logout', dependencies: '[]', inProgress: true },
  ]);
  assert.equal(findFeaturesDb(dir), path);
  assert.equal(featuresDbPath(dir), path);
  const db = FeaturesDb.open(path);
  const all = db.all();
  assert.deepEqual(
    all.map((f) => [f.id, f.passes, f.inProgress, f.dependencies]),
    [
      [1, true, false, []],
      [2, false, false, [1]],
      [3, false, false, []],
      [4, false, true, []],
    ],
  );
  assert.deepEqual(db.stats(), { passing: 1, in_progress: 1, total: 4, percentage: 25 });
  assert.equal(db.claim(2, 'me'), true);
  db.markPassing(2, 'me');
  db.addDependency(3, 2);
  db.close();
  const raw = readRawRows(path);
  assert.equal(raw[1]!.passes, 1);
  assert.equal(raw[1]!.in_progress, 0);
  assert.equal(raw[2]!.dependencies, '[2]');
  // The reference columns are untouched in kind; ours were added next to them.
  assert.ok('ns_attempts' in raw[0]! && 'needs_human_input' in raw[0]!);
});

test('an older database without the testing columns is migrated additively', (t) => {
  const dir = tmp(t);
  const path = join(dir, 'features.db');
  const raw = new DatabaseSync(path);
  raw.exec(
    "CREATE TABLE features (id INTEGER PRIMARY KEY, priority INTEGER NOT NULL, category VARCHAR(100) NOT NULL, name VARCHAR(255) NOT NULL, description TEXT NOT NULL, steps JSON NOT NULL, passes BOOLEAN); INSERT INTO features VALUES (1, 1, 'c', 'n', 'd', '[\"s\"]', NULL);",
  );
  raw.close();
  const db = FeaturesDb.open(path);
  const f = db.get(1)!;
  assert.equal(f.passes, false);
  assert.equal(f.inProgress, false);
  assert.equal(f.testingInProgress, false);
  assert.equal(db.claim(1, 'x'), true);
  db.close();
});

test('rows inserted the way autocoder and AutoForge write them fit a database Nightshift created', (t) => {
  const dir = tmp(t);
  const path = join(dir, 'features.db');
  FeaturesDb.open(path).close();
  const raw = new DatabaseSync(path);
  // autocoder (SQLAlchemy model of the reference): every model column but the autoincrement id.
  raw
    .prepare(
      'INSERT INTO features (priority, category, name, description, steps, passes, in_progress, dependencies, testing_in_progress, last_tested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(1, 'functional', 'From autocoder', 'd', '["s"]', 0, 0, null, 0, null);
  // AutoForge's later model: no testing columns, its human-input columns instead.
  raw
    .prepare(
      'INSERT INTO features (priority, category, name, description, steps, passes, in_progress, dependencies, needs_human_input, human_input_request, human_input_response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(2, 'functional', 'From AutoForge', 'd', '["s"]', 0, 0, '[1]', 0, null, null);
  // A hand-written minimal insert: only what has no sensible default.
  raw.prepare("INSERT INTO features (name, description) VALUES ('By hand', 'd')").run();
  const notNullWithoutDefault = (
    raw.prepare('PRAGMA table_info(features)').all() as {
      name: string;
      notnull: number;
      dflt_value: unknown;
      pk: number;
    }[]
  ).filter((c) => c.notnull === 1 && c.dflt_value === null && c.pk === 0);
  raw.close();
  assert.deepEqual(notNullWithoutDefault, [], 'every NOT NULL column has a default');
  const db = FeaturesDb.open(path);
  const all = db.all();
  assert.deepEqual(
    all.map((f) => [
      f.name,
      f.passes,
      f.inProgress,
      f.testingInProgress,
      f.dependencies,
      f.attempts,
    ]),
    [
      ['From autocoder', false, false, false, [], 0],
      ['From AutoForge', false, false, false, [1], 0],
      ['By hand', false, false, false, [], 0],
    ],
  );
  assert.equal(db.claim(all[1]!.id, 'w'), false, 'its dependency does not pass yet');
  assert.equal(db.claim(all[0]!.id, 'w'), true);
  db.close();
});

test('bulk create maps depends_on_indices to ids, validates everything first, and can depend on existing ids', (t) => {
  const db = tempDb(t);
  const r = db.createBulk([
    nf('A'),
    nf('B', { depends_on_indices: [0] }),
    nf('C', { depends_on_indices: [0, 1] }),
  ]);
  assert.deepEqual(r, { created: 3, with_dependencies: 2, ids: [1, 2, 3] });
  assert.deepEqual(db.get(3)!.dependencies, [1, 2]);
  assert.throws(
    () => db.createBulk([nf('D'), nf('E', { depends_on_indices: [1] })]),
    /only point at earlier features/,
  );
  assert.throws(
    () => db.createBulk([nf('D'), { ...nf('E'), steps: [] }]),
    /steps must be a non-empty list/,
  );
  assert.equal(db.count(), 3, 'a failed batch inserts nothing');
  const r2 = db.createBulk([nf('D', { depends_on_ids: [3] })]);
  assert.deepEqual(db.get(r2.ids[0]!)!.dependencies, [3]);
  assert.throws(() => db.createBulk([nf('X', { depends_on_ids: [77] })]), /#77 does not exist/);
  assert.equal(db.get(4)!.priority, 4);
  db.close();
});

test('dependency edits persist (reference bug 7.1) and every write is checked for cycles and missing ids', (t) => {
  const dir = tmp(t);
  const path = join(dir, 'features.db');
  const db = FeaturesDb.open(path);
  db.createBulk([nf('A'), nf('B'), nf('C', { depends_on_indices: [0] })]);
  db.addDependency(3, 2); // appends an id that sorts last: lost in the reference
  db.removeDependency(3, 1); // removal from a 2-element list: lost in the reference
  db.close();
  const again = FeaturesDb.open(path);
  assert.deepEqual(again.get(3)!.dependencies, [2]);
  assert.throws(
    () => again.addDependency(2, 3),
    (e: Error) => e instanceof FeatureError && /cycle: #2 → #3 → #2/.test(e.message),
  );
  assert.throws(() => again.setDependencies(1, [99]), /#99 does not exist/);
  assert.throws(() => again.addDependency(1, 1), /itself/);
  again.setDependencies(3, []);
  assert.equal(readRawRows(path)[2]!.dependencies, null);
  again.close();
});

test('claims are conditional: unmet deps, held, under test or waiting for a human all refuse', (t) => {
  const db = tempDb(t, [nf('A'), nf('B', { depends_on_indices: [0] }), nf('C')]);
  assert.equal(db.claim(2, 'w1'), false, 'dependency #1 does not pass yet');
  assert.equal(db.claim(1, 'w1'), true);
  assert.equal(db.claim(1, 'w2'), false, 'already held');
  assert.throws(() => db.markPassing(1, 'w2'), /not assigned to this session/);
  db.markPassing(1, 'w1');
  assert.throws(() => db.markPassing(1, 'w1'), /already passing/);
  assert.equal(db.claim(2, 'w2'), true);
  db.requestHumanInput(3, { prompt: 'Which payment provider?', fields: [] });
  assert.equal(db.claim(3, 'w1'), false, 'needs a human');
  db.resolveHumanInput(3, { provider: 'stripe' });
  assert.deepEqual(db.get(3)!.humanInputResponse, { provider: 'stripe' });
  assert.equal(db.claim(3, 'w1'), true);
  db.close();
});

test('every session that ends without passing counts an attempt; at the cap the feature waits for a human', (t) => {
  const db = tempDb(t, [nf('A')]);
  for (let i = 1; i <= 3; i++) {
    assert.equal(db.claim(1, 'w'), true, `attempt ${i} can claim`);
    db.releaseClaim(1, 'w', { countAttempt: true, error: `boom ${i}`, maxAttempts: 3 });
  }
  const f = db.get(1)!;
  assert.equal(f.attempts, 3);
  assert.equal(f.lastError, 'boom 3');
  assert.equal(f.needsHumanInput, true);
  assert.match(f.humanInputRequest!.prompt, /3 times.*boom 3/);
  assert.equal(db.claim(1, 'w'), false);
  db.resolveHumanInput(1, { guidance: 'use sqlite' });
  assert.equal(db.get(1)!.attempts, 0);
  db.close();
});

test('attempts count failures since the feature last passed: passing resets them', (t) => {
  const db = tempDb(t, [nf('A')]);
  for (let i = 1; i <= 2; i++) {
    db.claim(1, 'w');
    db.releaseClaim(1, 'w', { countAttempt: true, error: `boom ${i}`, maxAttempts: 3 });
  }
  assert.equal(db.get(1)!.attempts, 2);
  db.claim(1, 'w');
  assert.equal(db.markPassing(1, 'w').attempts, 0);
  // A later regression sends it back with a full set of attempts, not one left.
  db.claimForTesting(1, 'r');
  db.markFailing(1, 'r');
  db.releaseTesting(1, 'r');
  db.claim(1, 'w');
  const after = db.releaseClaim(1, 'w', { countAttempt: true, error: 'boom', maxAttempts: 3 })!;
  assert.equal(after.attempts, 1);
  assert.equal(after.needsHumanInput, false);
  db.close();
});

test('crash recovery counts the interrupted attempt and applies the cap', (t) => {
  const db = tempDb(t, [nf('A'), nf('B')]);
  for (let i = 1; i <= 2; i++) {
    db.claim(1, 'w');
    db.releaseClaim(1, 'w', { countAttempt: true, error: `boom ${i}`, maxAttempts: 3 });
  }
  db.claim(1, 'crashed');
  db.claim(2, 'crashed');
  const r = db.releaseStale({
    staleBefore: 0,
    isDead: () => true,
    keep: () => false,
    includeOwnerless: true,
    maxAttempts: 3,
  });
  assert.deepEqual(r.coding.map((f) => f.id).sort(), [1, 2]);
  const [a, b] = [db.get(1)!, db.get(2)!];
  assert.deepEqual([a.attempts, a.needsHumanInput, a.inProgress], [3, true, false]);
  assert.match(a.humanInputRequest!.prompt, /3 times.*stopped or crashed/);
  assert.deepEqual([b.attempts, b.needsHumanInput], [1, false]);
  assert.equal(db.claim(1, 'w'), false, 'a feature at the cap is not retried');
  db.close();
});

test('regression lease: mark failing keeps the test lease so no coding agent starts until it is released', (t) => {
  const db = tempDb(t, [nf('A')]);
  db.claim(1, 'c');
  db.markPassing(1, 'c');
  assert.equal(db.claimForTesting(1, 'r1'), true);
  assert.equal(db.claimForTesting(1, 'r2'), false);
  db.markFailing(1, 'r1');
  assert.equal(db.claim(1, 'c2'), false, 'still under the regression agent');
  const released = db.releaseTesting(1, 'r1', Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.equal(released.released, true);
  assert.equal(released.feature.lastTestedAt, '2026-01-02 03:04:05.678000');
  assert.equal(db.claim(1, 'c2'), true);
  db.close();
});

test('stale claims: a dead owner or an expired heartbeat is released, a live one never', (t) => {
  const db = tempDb(t, [nf('A'), nf('B'), nf('C'), nf('D')]);
  const now = Date.now();
  db.claim(1, 'live', now);
  db.claim(2, 'dead', now);
  db.claim(3, 'old', now - 31 * 60_000);
  db.claim(4, 'mine', now - 60 * 60_000);
  const r = db.releaseStale({
    staleBefore: now - 30 * 60_000,
    isDead: (o) => o === 'dead',
    keep: (o) => o === 'mine',
    includeOwnerless: false,
    maxAttempts: 3,
  });
  assert.deepEqual(r.coding.map((f) => f.id).sort(), [2, 3]);
  assert.equal(db.get(1)!.inProgress, true);
  assert.equal(db.get(2)!.inProgress, false);
  assert.equal(db.get(2)!.attempts, 1);
  assert.equal(db.get(4)!.inProgress, true);
  db.close();
});

test('autocoder legacy feature_list.json is imported when the table is empty and backed up', (t) => {
  const dir = tmp(t);
  const json = join(dir, 'feature_list.json');
  writeFileSync(
    json,
    JSON.stringify([
      { name: 'A', description: 'a', steps: ['x'], passes: true },
      { category: 'ui', name: 'B', description: 'b', steps: ['y'] },
    ]),
  );
  const db = FeaturesDb.open(join(dir, 'features.db'));
  assert.equal(db.importLegacyJson(json), 2);
  assert.equal(existsSync(json), false);
  assert.ok(readdirSync(dir).some((n) => n.startsWith('feature_list.json.backup.')));
  assert.deepEqual(
    db.all().map((f) => [f.id, f.category, f.passes]),
    [
      [1, 'uncategorized', true],
      [2, 'ui', false],
    ],
  );
  db.close();
});

test('python timestamps round-trip', () => {
  const ms = Date.UTC(2026, 4, 6, 7, 8, 9, 10);
  assert.equal(parsePyUtcTimestamp(pyUtcTimestamp(ms)), ms);
  assert.equal(parsePyUtcTimestamp('2026-05-06 07:08:09.010123'), ms);
});
