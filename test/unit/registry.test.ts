import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeApp } from '../../main/server/node-app.ts';
import { posixSystemFolder } from '../../main/services/project-folder-rules.ts';

async function withApp(
  fn: (app: Awaited<ReturnType<typeof createNodeApp>>, root: string) => Promise<void>,
) {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-reg-'));
  const app = await createNodeApp({ dataDir: join(root, 'data') });
  try {
    await fn(app, root);
  } finally {
    await app.shutdown('stop-agents');
    rmSync(root, { recursive: true, force: true });
  }
}

test('adds, renames, re-points and removes projects through the validated API', async () => {
  await withApp(async (app, root) => {
    const dir = join(root, 'proj');
    mkdirSync(dir);
    const added = await app.dispatch('projects.add', { name: 'My-App', path: dir });
    assert.equal(added.ok, true, JSON.stringify(added));
    const id = added.ok ? (added.value as { id: string }).id : '';
    const persisted = JSON.parse(readFileSync(join(root, 'data', 'nightshift.json'), 'utf8'));
    assert.equal(persisted.projects[0].name, 'My-App');

    const dup = await app.dispatch('projects.add', { name: 'my-app', path: dir });
    assert.equal(dup.ok, false);
    if (!dup.ok) {
      assert.equal(dup.error.field, 'name');
      assert.match(dup.error.message, /already exists/);
    }
    const renamed = await app.dispatch('projects.update', { id, name: 'renamed' });
    assert.equal(renamed.ok, true);
    const other = join(root, 'other');
    mkdirSync(other);
    const moved = await app.dispatch('projects.update', {
      id,
      path: other,
      overrides: { codingAgents: 3 },
    });
    assert.equal(moved.ok, true);
    const list = await app.dispatch('projects.list', undefined);
    assert.deepEqual(
      list.ok &&
        (list.value as { name: string; path: string; overrides: object }[]).map((p) => [
          p.name,
          p.path,
          p.overrides,
        ]),
      [['renamed', other, { codingAgents: 3 }]],
    );
    const removed = await app.dispatch('projects.remove', { id });
    assert.equal(removed.ok, true);
    const after = await app.dispatch('projects.list', undefined);
    assert.deepEqual(after.ok && after.value, []);
  });
});

test('bad input gets a sentence and changes nothing', async () => {
  await withApp(async (app, root) => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const attempts: [unknown, RegExp, string | undefined][] = [
      [{ name: 'has space', path: root }, /1 to 50 letters/, 'name'],
      [{ name: 'x'.repeat(51), path: root }, /1 to 50 letters/, 'name'],
      [{ name: 'ok', path: 'relative/path' }, /full path/, 'path'],
      [{ name: 'ok', path: join(root, 'missing') }, /does not exist/, 'path'],
      [{ name: 'ok', path: file }, /is a file/, 'path'],
      [{ name: 'ok', path: '/etc' }, /system folder/, 'path'],
      [{ name: 'ok', path: homedir() }, /home folder/, 'path'],
      [{ name: 'ok', path: root, extra: 1 }, /Unrecognized key|extra/i, undefined],
      ['not an object', /expected object/i, undefined],
    ];
    for (const [input, message, field] of attempts) {
      const r = await app.dispatch('projects.add', input);
      assert.equal(r.ok, false, JSON.stringify(input));
      if (!r.ok) {
        assert.match(r.error.message, message, JSON.stringify(input));
        assert.doesNotMatch(r.error.message, /\[object Object\]/);
        if (field) assert.equal(r.error.field, field);
      }
    }
    const unknown = await app.dispatch('projects.explode', {});
    assert.equal(unknown.ok, false);
    const list = await app.dispatch('projects.list', undefined);
    assert.deepEqual(list.ok && list.value, []);
  });
});

test('settings validate, persist, and keep secrets write-only', async () => {
  await withApp(async (app) => {
    const bad = await app.dispatch('settings.update', { defaults: { codingAgents: 9 } });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.match(bad.error.message, /between 1 and 5/);
    const badModel = await app.dispatch('settings.update', { defaults: { model: 'bad model id' } });
    assert.equal(badModel.ok, false);
    const good = await app.dispatch('settings.update', {
      defaults: { model: 'glm-4.6', regressionAgents: 0 },
      apiKey: 'sk-ant-secret-value-123456',
      provider: { baseUrl: 'http://127.0.0.1:11434' },
    });
    assert.equal(good.ok, true);
    const view = await app.dispatch('settings.get', undefined);
    assert.ok(view.ok);
    const text = JSON.stringify(view);
    assert.ok(!text.includes('secret-value'), 'the secret never comes back');
    assert.match(text, /"set":true/);
    const models = await app.dispatch('settings.models', undefined);
    assert.ok(
      models.ok &&
        (models.value as { id: string; custom: boolean }[]).some(
          (m) => m.id === 'glm-4.6' && m.custom,
        ),
    );
    const env = app.settings.agentEnvironment();
    assert.equal(env.ANTHROPIC_API_KEY, 'sk-ant-secret-value-123456');
    assert.equal(env.ANTHROPIC_BASE_URL, 'http://127.0.0.1:11434');
  });
});

test('system trees are refused whole; container folders only themselves', () => {
  for (const path of [
    '/',
    '/etc',
    '/etc/nginx',
    '/usr/local/src/app',
    '/var/lib/x',
    '/opt',
    '/root',
    '/Volumes',
    '/home',
    '/System/Library',
  ]) {
    assert.match(
      posixSystemFolder(path) ?? '',
      /is a system folder; agents must not work there\./,
      path,
    );
  }
  // Code legitimately lives below these: /opt/work, an external drive, root's own home.
  for (const path of [
    '/opt/work/app',
    '/Volumes/External/code/app',
    '/mnt/data/app',
    '/root/code/app',
    '/home/dev/app',
    '/tmp/scratch',
    '/var/tmp/x',
    '/srv/git/app',
  ]) {
    assert.equal(posixSystemFolder(path), null, path);
  }
});
