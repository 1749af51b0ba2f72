/**
 * Import and export round trips on real files: autocoder's feature_list.json both ways (also
 * through autocoder's own legacy import path, FeaturesDb.importLegacyJson), and the whole-backlog
 * JSON export back into an empty database.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipFeature } from '../../core/backlog-edit.ts';
import { exportBacklog, exportFeatureList, importBacklog } from '../../core/backlog-transfer.ts';
import { FeaturesDb, featureBasics } from '../../core/features-db.ts';

function dirFor(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ns-transfer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function seed(db: FeaturesDb): void {
  db.createBulk([
    { category: 'auth', name: 'Login', description: 'Log in', steps: ['open', 'type'] },
    {
      category: 'auth',
      name: 'Session',
      description: 'Stay in',
      steps: ['reload'],
      depends_on_indices: [0],
    },
    {
      category: 'ui',
      name: 'Profile',
      description: 'See me',
      steps: ['click'],
      depends_on_indices: [0, 1],
    },
  ]);
  db.markPassing(1);
}

const portable = (db: FeaturesDb) =>
  db.all().map((f) => ({
    ...featureBasics(f),
    passes: f.passes,
    dependencies: f.dependencies,
    skipped: f.userSkippedAt !== null,
  }));

test('feature_list.json: export, write the file, import into an empty database, export again: same', (t) => {
  const dir = dirFor(t);
  const source = FeaturesDb.open(join(dir, 'a', 'features.db'));
  seed(source);
  const file = join(dir, 'feature_list.json');
  writeFileSync(file, exportFeatureList(source.all()));
  const target = FeaturesDb.open(join(dir, 'b', 'features.db'));
  const result = importBacklog(target, 'feature-list-json', readFileSync(file, 'utf8'));
  assert.deepEqual(result, { ok: true, value: { created: 3, ids: [1, 2, 3] } });
  assert.deepEqual(portable(target), portable(source));
  assert.equal(exportFeatureList(target.all()), readFileSync(file, 'utf8'));
  source.close();
  target.close();
});

test('our feature_list.json is read by autocoder’s legacy import path too', (t) => {
  const dir = dirFor(t);
  const source = FeaturesDb.open(join(dir, 'a', 'features.db'));
  seed(source);
  const file = join(dir, 'project', 'feature_list.json');
  const legacyDb = FeaturesDb.open(join(dir, 'project', 'features.db'));
  writeFileSync(file, exportFeatureList(source.all()));
  assert.equal(legacyDb.importLegacyJson(file), 3);
  assert.deepEqual(
    legacyDb.all().map((f) => [f.id, f.priority, f.category, f.name, f.steps, f.passes]),
    source.all().map((f) => [f.id, f.priority, f.category, f.name, f.steps, f.passes]),
  );
  source.close();
  legacyDb.close();
});

test('an autocoder-style list without ids or dependencies imports with defaults', (t) => {
  const dir = dirFor(t);
  const db = FeaturesDb.open(join(dir, 'features.db'));
  const text = JSON.stringify([
    { category: 'functional', description: 'A user can log in', steps: ['Step 1'], passes: false },
    { description: 'A user can log out', steps: ['Step 1', { nested: true }], passes: true },
  ]);
  const result = importBacklog(db, 'feature-list-json', text);
  assert.equal(result.ok, true);
  assert.deepEqual(
    db.all().map((f) => [f.category, f.name, f.steps, f.passes]),
    [
      ['functional', 'Feature 1', ['Step 1'], false],
      ['uncategorized', 'Feature 2', ['Step 1', '{"nested":true}'], true],
    ],
  );
  db.close();
});

test('backlog JSON: the whole backlog (with skips) round-trips, and appends with renumbered deps', (t) => {
  const dir = dirFor(t);
  const source = FeaturesDb.open(join(dir, 'a', 'features.db'));
  seed(source);
  assert.equal(skipFeature(source, 3, true).ok, true);
  const file = join(dir, 'backlog.json');
  writeFileSync(file, exportBacklog(source.all()));
  const target = FeaturesDb.open(join(dir, 'b', 'features.db'));
  assert.equal(importBacklog(target, 'backlog-json', readFileSync(file, 'utf8')).ok, true);
  assert.deepEqual(portable(target), portable(source));
  // Into a backlog that already has features: new ids, dependencies follow their features.
  const again = importBacklog(target, 'backlog-json', readFileSync(file, 'utf8'));
  assert.deepEqual(again, { ok: true, value: { created: 3, ids: [4, 5, 6] } });
  assert.deepEqual(
    target
      .all()
      .slice(3)
      .map((f) => [f.id, f.name, f.dependencies, f.priority]),
    [
      [4, 'Login', [], 4],
      [5, 'Session', [4], 5],
      [6, 'Profile', [4, 5], 6],
    ],
  );
  source.close();
  target.close();
});

test('a bad file is refused with a sentence and writes nothing', (t) => {
  const dir = dirFor(t);
  const db = FeaturesDb.open(join(dir, 'features.db'));
  const notJson = importBacklog(db, 'feature-list-json', '{oops');
  assert.equal(!notJson.ok && notJson.error.code, 'invalid-input');
  assert.match(!notJson.ok ? notJson.error.message : '', /^The file is not JSON/);
  const wrongKind = importBacklog(db, 'backlog-json', '[]');
  assert.match(!wrongKind.ok ? wrongKind.error.message : '', /not a Nightshift backlog export/);
  const cyclic = JSON.stringify([
    { id: 1, name: 'A', steps: ['s'], dependencies: [2] },
    { id: 2, name: 'B', steps: ['s'], dependencies: [1] },
  ]);
  const cycle = importBacklog(db, 'feature-list-json', cyclic);
  assert.match(
    !cycle.ok ? cycle.error.message : '',
    /make a cycle: #1 → #2 → #1|make a cycle: #2 → #1 → #2/,
  );
  assert.equal(db.count(), 0);
  db.close();
});
