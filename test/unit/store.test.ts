import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURRENT_VERSION, migrate, openConfStore } from '../../main/services/store.ts';
import { defaultSettings } from '../../contract/index.ts';

const temp = () => mkdtempSync(join(tmpdir(), 'nightshift-store-'));

test('a fresh data dir gets a current, valid document on disk', async () => {
  const dir = temp();
  try {
    const { doc, recoveredFrom, store } = await openConfStore(dir);
    assert.equal(doc.version, CURRENT_VERSION);
    assert.deepEqual(doc.settings, defaultSettings);
    assert.equal(recoveredFrom, null);
    const onDisk = JSON.parse(readFileSync(store.path, 'utf8'));
    assert.equal(onDisk.version, CURRENT_VERSION);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('migrates a version 1 document: projects gain schedules, settings gain new defaults', () => {
  const v1 = {
    version: 1,
    projects: [{ id: 'p1', name: 'old', path: '/tmp/old' }],
    settings: { defaults: { model: 'sonnet', yolo: true, codingAgents: 2, regressionAgents: 0 } },
  };
  const doc = migrate(v1);
  assert.equal(doc.version, CURRENT_VERSION);
  assert.deepEqual(doc.projects[0]?.schedules, []);
  assert.deepEqual(doc.projects[0]?.overrides, {});
  assert.equal(doc.settings.defaults.model, 'sonnet');
  assert.equal(doc.settings.quitBehavior, defaultSettings.quitBehavior);
  assert.equal(migrate({}).version, CURRENT_VERSION, 'an unversioned (v0) document migrates too');
});

test('refuses a document from a newer version with a sentence', () => {
  assert.throws(() => migrate({ version: 99 }), /newer Nightshift/);
});

test('a corrupt settings file is backed up, reported, and the app still gets defaults', async () => {
  const dir = temp();
  try {
    writeFileSync(join(dir, 'nightshift.json'), '{"version": 2, "projects": [tru');
    const { doc, recoveredFrom, problem } = await openConfStore(dir);
    assert.equal(doc.projects.length, 0);
    assert.ok(recoveredFrom && existsSync(recoveredFrom), 'backup exists');
    assert.equal(readFileSync(recoveredFrom, 'utf8'), '{"version": 2, "projects": [tru');
    assert.ok(problem && problem.length > 0);
    assert.ok(readdirSync(dir).some((f) => f.startsWith('nightshift.json.unreadable-')));
    // A valid JSON file with an invalid shape is also recovered, not fatal.
    writeFileSync(
      join(dir, 'nightshift.json'),
      JSON.stringify({ version: 2, projects: 'nope', settings: {} }),
    );
    const again = await openConfStore(dir);
    assert.ok(again.recoveredFrom);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
