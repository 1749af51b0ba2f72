import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Project, Result, SettingsView } from '../../contract/index.ts';
import { createNodeApp } from '../../main/server/node-app.ts';

type App = Awaited<ReturnType<typeof createNodeApp>>;

async function settingsOf(app: App): Promise<SettingsView> {
  const r = (await app.dispatch('settings.get', undefined)) as Result<SettingsView>;
  assert.ok(r.ok);
  return r.value;
}

/** A data folder holding a registry with one project and a saved setting. */
async function seeded(root: string, dataDir: string): Promise<void> {
  const project = join(root, 'proj');
  mkdirSync(project, { recursive: true });
  const app = await createNodeApp({ dataDir });
  try {
    assert.equal((await app.dispatch('projects.add', { name: 'kept', path: project })).ok, true);
    assert.equal((await app.dispatch('settings.update', { windowEndGraceMinutes: 9 })).ok, true);
  } finally {
    await app.shutdown('stop-agents');
  }
}

const log = (dataDir: string) => {
  const path = join(dataDir, 'logs', 'nightshift.log');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
};

interface Dirs {
  root: string;
  dataDir: string;
}

/**
 * Runs `body` on a seeded data folder (see seeded) in a fresh temp folder named after `prefix`,
 * which is removed afterwards. With `onTmpfs`, the data folder is a 64 KiB tmpfs, and the test is
 * skipped where mounting is not allowed.
 */
async function onSeededData(
  t: TestContext,
  prefix: string,
  body: (dirs: Dirs) => Promise<void>,
  { onTmpfs = false } = {},
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, 'data');
  const unmount = onTmpfs ? tmpfs(dataDir) : () => {};
  if (!unmount) {
    rmSync(root, { recursive: true, force: true });
    t.skip('mount -t tmpfs is not allowed here');
    return;
  }
  try {
    await seeded(root, dataDir);
    await body({ root, dataDir });
  } finally {
    unmount();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Opens a new app on `dataDir` for `use`, and shuts it down even when `use` throws. */
async function withApp(dataDir: string, use: (app: App) => Promise<void>): Promise<void> {
  const app = await createNodeApp({ dataDir });
  try {
    await use(app);
  } finally {
    await app.shutdown('stop-agents');
  }
}

test('a corrupt, truncated or unreadable nightshift.json is kept aside byte for byte; the app starts and says so', async (t) => {
  const variants: [string, (file: string) => Buffer | null][] = [
    ['corrupt', (f) => (writeFileSync(f, Buffer.from([0, 1, 2, 0xff, 0x7b])), readFileSync(f))],
    ['truncated', (f) => (writeFileSync(f, readFileSync(f).subarray(0, 40)), readFileSync(f))],
    ['unreadable (a folder in its place)', (f) => (rmSync(f), mkdirSync(f), null)],
  ];
  for (const [name, damage] of variants) {
    await onSeededData(t, 'nightshift-fault-doc-', async ({ root, dataDir }) => {
      const bytes = damage(join(dataDir, 'nightshift.json'));
      await withApp(dataDir, async (app) => {
        const view = await settingsOf(app);
        assert.ok(view.recoveredFrom, `${name}: Settings names the backup`);
        if (bytes) assert.deepEqual(readFileSync(view.recoveredFrom), bytes, `${name}: kept whole`);
        else assert.ok(existsSync(view.recoveredFrom), name);
        assert.match(
          log(dataDir),
          /WARN The settings file could not be read \(.+\); it was kept aside as .*nightshift\.json\.unreadable-/,
        );
        assert.equal(view.windowEndGraceMinutes !== 9, true, `${name}: defaults in use`);
        // The app works on: a project can be added and is saved.
        mkdirSync(join(root, 'again'));
        assert.equal(
          (await app.dispatch('projects.add', { name: 'again', path: join(root, 'again') })).ok,
          true,
        );
      });
    });
  }
});

test('a corrupt secrets.json is kept aside, reported in Settings, and a new key can be saved', async (t) => {
  await onSeededData(t, 'nightshift-fault-secrets-', async ({ dataDir }) => {
    writeFileSync(join(dataDir, 'secrets.json'), '{"apiKey":"c2stYW50LX', { mode: 0o600 });
    await withApp(dataDir, async (app) => {
      const view = await settingsOf(app);
      assert.match(
        view.storageProblem ?? '',
        /The secrets file could not be read \(.+\); it was kept aside as .*secrets\.json\.corrupt-.*Enter the key again in Settings\./,
      );
      const aside = readdirSync(dataDir).find((f) => f.startsWith('secrets.json.corrupt-'));
      assert.ok(aside);
      assert.equal(readFileSync(join(dataDir, aside), 'utf8'), '{"apiKey":"c2stYW50LX');
      assert.match(log(dataDir), /WARN The secrets file could not be read/);
      assert.equal(
        (await app.dispatch('settings.update', { apiKey: 'sk-ant-new-0123456789' })).ok,
        true,
      );
      assert.equal(app.settings.agentEnvironment().ANTHROPIC_API_KEY, 'sk-ant-new-0123456789');
      assert.equal(
        readFileSync(join(dataDir, aside), 'utf8'),
        '{"apiKey":"c2stYW50LX',
        'not overwritten',
      );
    });
  });
});

test('corrupt or truncated scheduler-state.json and run logs: the app starts and keeps the registry', async (t) => {
  await onSeededData(t, 'nightshift-fault-state-', async ({ root, dataDir }) => {
    writeFileSync(join(dataDir, 'scheduler-state.json'), '{"version":1,"projects":{"x":');
    const runs = join(root, 'proj', '.nightshift', 'runs');
    mkdirSync(runs, { recursive: true });
    writeFileSync(
      join(runs, '2026-01-01T00-00-00-000Z-deadbeef.jsonl'),
      '{"type":"log","text":"half\n\u0000\u0001garbage\n{"ty',
    );
    const registry = readFileSync(join(dataDir, 'nightshift.json'));
    try {
      await withApp(dataDir, async (app) => {
        const list = (await app.dispatch('projects.list', undefined)) as Result<Project[]>;
        assert.ok(list.ok);
        assert.deepEqual(
          list.value.map((p) => p.name),
          ['kept'],
        );
        const id = list.value[0]?.id ?? '';
        assert.equal((await app.dispatch('agent.runView', { id })).ok, true);
        assert.equal((await app.dispatch('agent.logs', { id })).ok, true);
        assert.equal((await app.dispatch('schedules.status', undefined)).ok, true);
      });
    } catch (error) {
      assert.fail(`the app did not start: ${String(error)}`);
    }
    assert.deepEqual(
      readFileSync(join(dataDir, 'nightshift.json')),
      registry,
      'registry untouched',
    );
    const aside = readdirSync(dataDir).filter((f) => f.startsWith('scheduler-state.json.corrupt-'));
    assert.equal(aside.length, 1, 'the unreadable scheduler state is kept aside');
    assert.equal(
      readFileSync(join(dataDir, aside[0] ?? ''), 'utf8'),
      '{"version":1,"projects":{"x":',
      'byte for byte',
    );
  });
});

/** A 64 KiB tmpfs (root only); null where mounting is not allowed. */
function tmpfs(dir: string): (() => void) | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return () => {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      // Still busy (a handle the test left open): detach it so cleanup never hides the real
      // assertion, and say so.
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      console.error(`${dir} was still busy at the end of the test; detached it.`);
    }
  };
}

test('a read-only data folder: the app starts with what it read and refuses changes with a sentence', async (t) => {
  const body = async ({ dataDir }: Dirs) => {
    const before = readFileSync(join(dataDir, 'nightshift.json'));
    execFileSync('mount', ['-o', 'remount,ro', dataDir]);
    await withApp(dataDir, async (app) => {
      const view = await settingsOf(app);
      assert.equal(view.windowEndGraceMinutes, 9, 'what it had written is in use');
      assert.equal(view.recoveredFrom, null, 'nothing was "recovered": the file is fine');
      assert.match(
        view.storageProblem ?? '',
        /cannot save its settings to .*nightshift\.json \(.*read-only file system.*\)/i,
      );
      const refused = await app.dispatch('settings.update', { windowEndGraceMinutes: 3 });
      assert.equal(refused.ok, false);
      if (!refused.ok) assert.match(refused.error.message, /cannot save its settings/);
      assert.equal((await settingsOf(app)).windowEndGraceMinutes, 9, 'nothing changed in memory');
    });
    assert.deepEqual(readFileSync(join(dataDir, 'nightshift.json')), before);
  };
  await onSeededData(t, 'nightshift-fault-ro-', body, { onTmpfs: true });
});

test('a full disk (ENOSPC) under the Store: the change is refused with a sentence and the file stays whole', async (t) => {
  const body = ({ root, dataDir }: Dirs) =>
    withApp(dataDir, async (app) => {
      const before = readFileSync(join(dataDir, 'nightshift.json'));
      // Fill the 64 KiB file system.
      try {
        writeFileSync(join(dataDir, 'filler'), Buffer.alloc(128 * 1024, 1));
      } catch {
        // ENOSPC: full now.
      }
      mkdirSync(join(root, 'p2'));
      const refused = await app.dispatch('projects.add', { name: 'p2', path: join(root, 'p2') });
      assert.equal(refused.ok, false);
      if (!refused.ok) assert.match(refused.error.message, /ENOSPC|no space/i);
      const list = (await app.dispatch('projects.list', undefined)) as Result<Project[]>;
      assert.deepEqual(
        list.ok && list.value.map((p) => p.name),
        ['kept'],
        'nothing changed in memory',
      );
      assert.deepEqual(readFileSync(join(dataDir, 'nightshift.json')), before, 'the file is whole');
      rmSync(join(dataDir, 'filler'));
      assert.equal(
        (await app.dispatch('projects.add', { name: 'p2', path: join(root, 'p2') })).ok,
        true,
        'works again once there is room',
      );
    });
  await onSeededData(t, 'nightshift-fault-full-', body, { onTmpfs: true });
});
