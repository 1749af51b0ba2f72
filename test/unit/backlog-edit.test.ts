/**
 * Backlog edits on real SQLite files: every command's effect, its refusals (with the sentence the
 * user sees), and that a refusal writes nothing. Both reference schemas are edited in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addFeature,
  deleteFeature,
  editFeature,
  markForRetest,
  moveFeature,
  resetAttempts,
  setFeatureDependencies,
  skipFeature,
  STALE_MESSAGE,
} from '../../core/backlog-edit.ts';
import { FeaturesDb } from '../../core/features-db.ts';
import { analyzeGraph } from '../../core/dependency-graph.ts';
import { asGraphNode } from '../../core/features-db.ts';
import { createReferenceDb, readRawRows } from '../fixtures/reference-db.ts';

function fresh(t: { after(fn: () => void): void }, names: string[]): FeaturesDb {
  const dir = mkdtempSync(join(tmpdir(), 'ns-backlog-'));
  const db = FeaturesDb.open(join(dir, 'features.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  db.createBulk(
    names.map((name) => ({ category: 'core', name, description: `${name} works`, steps: ['s'] })),
  );
  return db;
}

const text = (db: FeaturesDb, id: number) => {
  const f = db.get(id)!;
  return { category: f.category, name: f.name, description: f.description, steps: f.steps };
};

test('a dependency that would close a cycle is refused with a sentence naming it, and nothing changes', (t) => {
  const db = fresh(t, ['Login', 'Session', 'Profile']);
  assert.equal(setFeatureDependencies(db, 2, [1], []).ok, true);
  assert.equal(setFeatureDependencies(db, 3, [2], []).ok, true);
  const direct = setFeatureDependencies(db, 1, [2], []);
  assert.deepEqual(direct, {
    ok: false,
    error: {
      code: 'invalid-input',
      message: 'That would make a cycle: Login → Session → Login.',
      field: 'dependencies',
    },
  });
  const longer = setFeatureDependencies(db, 1, [3], []);
  assert.equal(longer.ok, false);
  assert.equal(
    !longer.ok && longer.error.message,
    'That would make a cycle: Login → Profile → Session → Login.',
  );
  assert.deepEqual(db.get(1)!.dependencies, []);
  assert.equal(analyzeGraph(db.all().map(asGraphNode)).cycles.length, 0);
});

test('an edit made from an old read is refused and the agent’s newer text stays', (t) => {
  const db = fresh(t, ['Login']);
  const seen = text(db, 1);
  // Meanwhile somebody else (an agent tool, another window) changes the description.
  assert.equal(editFeature(db, 1, seen, { description: 'Theirs' }).ok, true);
  const mine = editFeature(db, 1, seen, { name: 'Sign in' });
  assert.deepEqual(mine, { ok: false, error: { code: 'conflict', message: STALE_MESSAGE } });
  assert.equal(db.get(1)!.name, 'Login');
  assert.equal(db.get(1)!.description, 'Theirs');
  const ok = editFeature(db, 1, text(db, 1), { name: 'Sign in', steps: ['a', 'b'] });
  assert.equal(ok.ok, true);
  assert.deepEqual(text(db, 1), {
    category: 'core',
    name: 'Sign in',
    description: 'Theirs',
    steps: ['a', 'b'],
  });
});

test('an edit leaves the agent-owned state of a claimed feature as the agent wrote it', (t) => {
  const db = fresh(t, ['Login']);
  assert.equal(db.claim(1, 'run:coding-1'), true);
  assert.equal(editFeature(db, 1, text(db, 1), { description: 'Clearer' }).ok, true);
  const f = db.get(1)!;
  assert.equal(f.inProgress, true);
  assert.equal(f.claimOwner, 'run:coding-1');
  assert.equal(f.description, 'Clearer');
});

test('delete is refused while the feature is claimed, and frees its dependents when it goes', (t) => {
  const db = fresh(t, ['Login', 'Session']);
  setFeatureDependencies(db, 2, [1], []);
  assert.equal(db.claim(1, 'run:coding-1'), true);
  const refused = deleteFeature(db, 1);
  assert.equal(refused.ok, false);
  assert.match(
    !refused.ok ? refused.error.message : '',
    /cannot be deleted while an agent is working on it/,
  );
  assert.ok(db.get(1));
  db.releaseClaim(1, 'run:coding-1', { countAttempt: false, error: null, maxAttempts: 3 });
  const done = deleteFeature(db, 1);
  assert.equal(done.ok, true);
  assert.equal(db.get(1), null);
  assert.deepEqual(db.get(2)!.dependencies, []);
  assert.match(done.ok ? done.value.message : '', /#2 no longer waits for it/);
});

test('move renumbers priorities in the new order and refuses a stale priority', (t) => {
  const db = fresh(t, ['A', 'B', 'C', 'D']);
  const order = () => db.all().map((f) => f.name);
  assert.equal(moveFeature(db, 4, 2, db.get(4)!.priority).ok, true);
  assert.deepEqual(order(), ['A', 'D', 'B', 'C']);
  assert.equal(moveFeature(db, 1, null, db.get(1)!.priority).ok, true);
  assert.deepEqual(order(), ['D', 'B', 'C', 'A']);
  assert.deepEqual(
    db.all().map((f) => f.priority),
    [1, 2, 3, 4],
  );
  const seen = db.get(2)!.priority;
  db.skip(2, 'agent gave up for now'); // the agent's own skip moves it to the end
  assert.deepEqual(moveFeature(db, 2, 4, seen), {
    ok: false,
    error: { code: 'conflict', message: STALE_MESSAGE },
  });
  assert.deepEqual(order(), ['D', 'C', 'A', 'B']);
});

test('a skipped feature is never claimed and blocks with its reason until unskipped', (t) => {
  const db = fresh(t, ['Login', 'Session']);
  assert.equal(skipFeature(db, 1, true).ok, true);
  assert.equal(db.claim(1, 'run:coding-1'), false);
  const graph = analyzeGraph(db.all().map(asGraphNode));
  assert.equal(graph.ready.has(1), false);
  assert.match(graph.blockedReasons.get(1)!, /Skipped by you/);
  assert.equal(skipFeature(db, 1, false).ok, true);
  assert.equal(db.claim(1, 'run:coding-1'), true);
  const whileClaimed = skipFeature(db, 1, true);
  assert.equal(whileClaimed.ok, false);
  assert.match(
    !whileClaimed.ok ? whileClaimed.error.message : '',
    /while an agent is working on it/,
  );
});

test('re-test puts a passing feature first in the regression queue; reset attempts clears the count', (t) => {
  const db = fresh(t, ['Login', 'Session']);
  assert.equal(markForRetest(db, 1).ok, false);
  db.markPassing(1);
  assert.equal(db.claimForTesting(1, 'run:regression-1', Date.now()), true);
  db.releaseTesting(1, 'run:regression-1');
  assert.notEqual(db.get(1)!.lastTestedAt, null);
  assert.equal(markForRetest(db, 1).ok, true);
  assert.equal(db.get(1)!.lastTestedAt, null);
  assert.equal(db.claim(2, 'o'), true);
  db.releaseClaim(2, 'o', { countAttempt: true, error: 'boom', maxAttempts: 5 });
  assert.equal(db.get(2)!.attempts, 1);
  assert.equal(resetAttempts(db, 2).ok, true);
  assert.equal(db.get(2)!.attempts, 0);
});

test('add validates dependencies and appends with the next priority', (t) => {
  const db = fresh(t, ['Login']);
  const missing = addFeature(db, {
    category: 'c',
    name: 'X',
    description: 'd',
    steps: ['s'],
    dependencies: [99],
  });
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.error.message : '', /#99 does not exist/);
  assert.equal(db.count(), 1);
  const added = addFeature(db, {
    category: 'c',
    name: 'Session',
    description: 'd',
    steps: ['s'],
    dependencies: [1],
  });
  assert.equal(added.ok, true);
  const f = db.get(added.ok ? added.value.featureId : 0)!;
  assert.deepEqual([f.name, f.dependencies, f.priority], ['Session', [1], 2]);
});

for (const flavor of ['autocoder', 'autoforge'] as const) {
  test(`edits work in place on an ${flavor} database and it stays readable as plain SQL`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'ns-backlog-ref-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, `.${flavor}`, 'features.db');
    createReferenceDb(
      path,
      [
        { id: 1, name: 'Login', passes: true },
        { id: 2, name: 'Session', dependencies: '[1]' },
        { id: 3, name: 'Profile', dependencies: null },
      ],
      { flavor, wal: true },
    );
    const db = FeaturesDb.open(path, { create: false });
    try {
      assert.equal(setFeatureDependencies(db, 3, [2], []).ok, true);
      assert.equal(moveFeature(db, 3, 1, 3).ok, true);
      assert.equal(editFeature(db, 2, text(db, 2), { name: 'Sessions' }).ok, true);
      assert.equal(skipFeature(db, 3, true).ok, true);
    } finally {
      db.close();
    }
    const rows = readRawRows(path);
    assert.deepEqual(
      rows.map((r) => [r.id, r.name, r.priority, r.dependencies]),
      [
        [1, 'Login', 2, null],
        [2, 'Sessions', 3, '[1]'],
        [3, 'Profile', 1, '[2]'],
      ],
    );
    assert.equal(typeof rows[2]!.ns_user_skipped_at, 'number');
  });
}
