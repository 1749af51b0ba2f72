import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeaturesDb } from '../../core/features-db.ts';
import { FeaturesService } from '../../main/services/features-service.ts';
import { createReferenceDb } from '../fixtures/reference-db.ts';

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
