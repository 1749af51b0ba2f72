import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  mkdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FeaturesDb } from '../../core/features-db.ts';
import { readFeature, readFeatures } from '../../core/features-view.ts';
import { featuresDbPath, findFeaturesDb } from '../../core/project-paths.ts';
import { FeaturesService } from '../../main/services/features-service.ts';
import { createReferenceDb, fingerprintDb, readRawRows } from '../fixtures/reference-db.ts';

function setup(t: { after: (fn: () => void) => void }): { dir: string; service: FeaturesService } {
  const dir = mkdtempSync(join(tmpdir(), 'ns-fsvc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, service: new FeaturesService({ projectDir: (id) => (id === 'p' ? dir : null) }) };
}

test('features.list: empty without a database (and creates none), states and blocked reasons with one', (t) => {
  const { dir, service } = setup(t);
  const empty = service.list({ id: 'p' });
  assert.deepEqual(empty, { ok: true, value: { features: [], dbPath: null } });
  assert.equal(existsSync(join(dir, 'features.db')), false);

  const db = FeaturesDb.open(join(dir, 'features.db'));
  db.createBulk([
    { category: 'c', name: 'Base', description: 'd', steps: ['s'] },
    { category: 'c', name: 'Waits', description: 'd', steps: ['s'], depends_on_indices: [0] },
    { category: 'c', name: 'Asks', description: 'd', steps: ['s'] },
    { category: 'c', name: 'Done', description: 'd', steps: ['s'] },
  ]);
  db.claim(1, 'o');
  db.requestHumanInput(3, {
    prompt: 'Which DB?',
    fields: [{ id: 'db', label: 'Database', type: 'text', required: true }],
  });
  db.claim(4, 'o');
  db.markPassing(4, 'o');
  db.claimForTesting(4, 'r');
  db.close();

  const r = service.list({ id: 'p' });
  assert.ok(r.ok);
  const byName = Object.fromEntries(r.value.features.map((f) => [f.name, f]));
  assert.equal(byName.Base!.state, 'in-progress');
  assert.equal(byName.Waits!.state, 'blocked');
  assert.equal(byName.Waits!.blockedReason, 'Waiting for #1 Base.');
  assert.equal(byName.Asks!.state, 'needs-human');
  assert.equal(byName.Asks!.humanInput!.prompt, 'Which DB?');
  assert.equal(byName.Done!.state, 'under-test');
  assert.equal(r.value.features.at(-1)!.name, 'Done', 'passing features last');
  assert.equal(r.value.dbPath, join(dir, 'features.db'));

  const missing = service.resolveHumanInput({ id: 'p', featureId: 3, values: {} });
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.equal(missing.error.message, 'Database is required.');
  assert.deepEqual(service.resolveHumanInput({ id: 'p', featureId: 3, values: { db: 'sqlite' } }), {
    ok: true,
    value: { featureId: 3 },
  });
  const again = service.resolveHumanInput({ id: 'p', featureId: 3, values: { db: 'x' } });
  assert.equal(again.ok, false);
  assert.equal(service.list({ id: 'nope' }).ok, false);
});

test('features.list reads an autocoder database in .autocoder/', (t) => {
  const { dir, service } = setup(t);
  createReferenceDb(join(dir, '.autocoder', 'features.db'), [
    { id: 1, name: 'A', passes: true },
    { id: 2, name: 'B', dependencies: '[1]' },
    { id: 3, name: 'C', dependencies: '[42]' },
  ]);
  const r = service.list({ id: 'p' });
  assert.ok(r.ok);
  assert.deepEqual(r.value.features.map((f) => [f.id, f.state]).sort(), [
    [1, 'passing'],
    [2, 'pending'],
    [3, 'blocked'],
  ]);
  assert.match(
    r.value.features.find((f) => f.id === 3)!.blockedReason!,
    /#42, which does not exist/,
  );
});

test('spec.get falls back to prompts/app_spec.txt; spec.save writes <project>/app_spec.txt', (t) => {
  const { dir, service } = setup(t);
  assert.deepEqual(service.getSpec({ id: 'p' }), {
    ok: true,
    value: { text: '', path: join(dir, 'app_spec.txt') },
  });
  mkdirSync(join(dir, 'prompts'));
  writeFileSync(join(dir, 'prompts', 'app_spec.txt'), 'old spec');
  const old = service.getSpec({ id: 'p' });
  assert.ok(old.ok && old.value.text === 'old spec');
  assert.deepEqual(service.saveSpec({ id: 'p', text: 'new spec' }), {
    ok: true,
    value: { path: join(dir, 'app_spec.txt') },
  });
  assert.equal(readFileSync(join(dir, 'app_spec.txt'), 'utf8'), 'new spec');
  const now = service.getSpec({ id: 'p' });
  assert.ok(now.ok && now.value.text === 'new spec');
});

const locations = [
  ['the project root', 'features.db'],
  ['.autocoder/', '.autocoder/features.db'],
  ['.autoforge/', '.autoforge/features.db'],
] as const;

for (const [where, rel] of locations) {
  for (const wal of [false, true]) {
    test(`listing a reference database in ${where} (${wal ? 'WAL' : 'rollback journal'}) changes nothing in it`, (t) => {
      const { dir, service } = setup(t);
      const path = join(dir, rel);
      createReferenceDb(
        path,
        [
          { id: 1, name: 'A', passes: true, lastTestedAt: '2026-01-02 03:04:05.678000' },
          { id: 2, name: 'B', dependencies: '[1]', inProgress: true },
          { id: 3, name: 'C', dependencies: 'null' },
        ],
        { wal },
      );
      const before = fingerprintDb(path);
      const sideFile = (f: string) => f.endsWith('-wal') || f.endsWith('-shm');
      const filesBefore = readdirSync(dirname(path))
        .filter((f) => !sideFile(f))
        .sort();
      assert.equal(before.journalMode, wal ? 'wal' : 'delete');

      const r = service.list({ id: 'p' });
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      assert.equal(r.value.dbPath, path);
      assert.deepEqual(
        r.value.features
          .map((f) => [f.id, f.state, f.attempts, f.lastError, f.humanInput])
          .sort((x, y) => Number(x[0]) - Number(y[0])),
        [
          [1, 'passing', 0, null, null],
          [2, 'in-progress', 0, null, null],
          [3, 'pending', 0, null, null],
        ],
      );
      // A wrong answer is refused from the read-only check, before anything opens for writing.
      const refused = service.resolveHumanInput({ id: 'p', featureId: 3, values: { a: 'b' } });
      assert.deepEqual(refused, {
        ok: false,
        error: { code: 'conflict', message: 'Feature #3 is not waiting for input.' },
      });

      assert.deepEqual(fingerprintDb(path), before);
      // A rollback-journal database gets no side files; a WAL one may get the readers' -wal/-shm.
      const filesAfter = readdirSync(dirname(path)).sort();
      assert.deepEqual(
        filesAfter.filter((f) => !sideFile(f)),
        filesBefore,
      );
      if (!wal) assert.deepEqual(filesAfter, filesBefore);
      assert.deepEqual(readRawRows(path).map(Object.keys)[0], [
        'id',
        'priority',
        'category',
        'name',
        'description',
        'steps',
        'passes',
        'in_progress',
        'dependencies',
        'testing_in_progress',
        'last_tested_at',
      ]);
    });
  }
}

test('an AutoForge database (no testing columns, its human-input columns) lists with defaults and stays unchanged', (t) => {
  const { dir, service } = setup(t);
  const path = join(dir, '.autoforge', 'features.db');
  createReferenceDb(
    path,
    [
      { id: 1, name: 'Base', passes: true },
      {
        id: 2,
        name: 'Pay',
        humanInputRequest: JSON.stringify({
          prompt: 'Which provider?',
          fields: [{ id: 'p', label: 'Provider', type: 'text', required: true }],
        }),
      },
      { id: 3, name: 'After pay', dependencies: '[2]' },
    ],
    { flavor: 'autoforge', wal: true },
  );
  const before = fingerprintDb(path);
  const r = service.list({ id: 'p' });
  assert.ok(r.ok);
  const byId = new Map(r.value.features.map((f) => [f.id, f]));
  assert.equal(byId.get(1)!.state, 'passing');
  assert.equal(byId.get(2)!.state, 'needs-human');
  assert.equal(byId.get(2)!.humanInput!.prompt, 'Which provider?');
  assert.equal(byId.get(3)!.state, 'blocked');
  const missing = service.resolveHumanInput({ id: 'p', featureId: 2, values: {} });
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.equal(missing.error.message, 'Provider is required.');
  assert.deepEqual(fingerprintDb(path), before, 'viewing and a refused answer wrote nothing');
});

test('the .autoforge, then .autocoder, then root precedence holds through features.list', (t) => {
  const { dir, service } = setup(t);
  const listed = () => {
    const r = service.list({ id: 'p' });
    assert.ok(r.ok);
    return [r.value.dbPath, r.value.features.map((f) => f.name)];
  };
  createReferenceDb(join(dir, 'features.db'), [{ id: 1, name: 'root' }]);
  assert.equal(findFeaturesDb(dir), join(dir, 'features.db'));
  assert.deepEqual(listed(), [join(dir, 'features.db'), ['root']]);
  createReferenceDb(join(dir, '.autocoder', 'features.db'), [{ id: 1, name: 'autocoder' }]);
  assert.equal(findFeaturesDb(dir), join(dir, '.autocoder', 'features.db'));
  assert.deepEqual(listed(), [join(dir, '.autocoder', 'features.db'), ['autocoder']]);
  createReferenceDb(join(dir, '.autoforge', 'features.db'), [{ id: 1, name: 'autoforge' }], {
    flavor: 'autoforge',
  });
  assert.equal(findFeaturesDb(dir), join(dir, '.autoforge', 'features.db'));
  assert.equal(featuresDbPath(dir), join(dir, '.autoforge', 'features.db'));
  assert.deepEqual(listed(), [join(dir, '.autoforge', 'features.db'), ['autoforge']]);
  // An empty file (a tool that crashed before creating its table) does not hide a real database.
  rmSync(join(dir, '.autoforge'), { recursive: true });
  mkdirSync(join(dir, '.autoforge'));
  writeFileSync(join(dir, '.autoforge', 'features.db'), '');
  assert.deepEqual(listed(), [join(dir, '.autocoder', 'features.db'), ['autocoder']]);
});

test('the read-only reader sees what the writer sees, every Nightshift column included', (t) => {
  const { dir } = setup(t);
  const path = join(dir, 'features.db');
  const db = FeaturesDb.open(path);
  db.createBulk([
    { category: 'c', name: 'One', description: 'd', steps: ['s1', 's2'] },
    { category: 'c', name: 'Two', description: 'd', steps: ['s'], depends_on_indices: [0] },
    { category: 'c', name: 'Three', description: 'd', steps: ['s'] },
  ]);
  db.claim(1, 'owner-a', 1_000);
  db.markPassing(1, 'owner-a', 2_000);
  db.claimForTesting(1, 'owner-r', 3_000);
  db.claim(3, 'owner-b', 4_000);
  db.releaseClaim(3, 'owner-b', { countAttempt: true, error: 'Tests failed.', maxAttempts: 1 });
  db.skip(2, 'Waiting on a fix', 5_000); // allowed-skip: feature_skip, not a skipped test
  const written = db.all();
  db.close();
  assert.deepEqual(readFeatures(path), written);
  assert.deepEqual(
    readFeature(path, 3),
    written.find((f) => f.id === 3),
  );
  assert.equal(readFeature(path, 99), null);
});
