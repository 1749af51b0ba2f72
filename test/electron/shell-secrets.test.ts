/**
 * Secrets say what protects them, for every backend Electron's safeStorage can report. The
 * Electron shell's own secret store and settings store (main/electron/electron-store-adapter.ts,
 * unchanged) run in plain Node against the recording stand-in for `electron`, behind the real app
 * core with real files in a temp userData; each "launch" is a new app core on the same folder,
 * as main.ts builds it. A fixture agent that idles (launch-probe) is started for real, and its
 * environment is read from /proc: what an agent really gets.
 *
 * Where no OS keychain encrypts (Linux `basic_text`, `unknown`, or no encryption at all) the user
 * chooses in Settings: this launch only (memory; nothing written; gone at the next launch) or
 * environment variables (read at launch; Settings names the variable; nothing can be entered).
 */
import '../helpers/electron-standin/register.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentState, Project, Result, SettingsView } from '../../contract/index.ts';
import type { NightshiftApp } from '../../main/app.ts';
import { isAlive } from '../../core/process-table.ts';
import { callsOf, safeStorage } from '../helpers/electron-standin/index.ts';
import { launchDesktopCore } from '../helpers/desktop-core.ts';
import { repoRoot } from '../helpers/serve.ts';

const linuxOnly = process.platform === 'linux' ? false : 'reads the agent environment from /proc';
const provider = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;
const saved = Object.fromEntries(provider.map((k) => [k, process.env[k]]));
const dirs: string[] = [];
const temp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

before(() => {
  for (const k of provider) delete process.env[k];
});
after(() => {
  for (const k of provider) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One launch of the desktop app's core on `dataDir`, with the stand-in's current backend. */
const launch = (dataDir: string): Promise<NightshiftApp> =>
  launchDesktopCore(dataDir, {
    command: process.execPath,
    args: [join(repoRoot, 'test/fixtures/agents/launch-probe.ts')],
  });

async function ok<T>(app: NightshiftApp, name: string, input?: unknown): Promise<T> {
  const r = (await app.dispatch(name, input)) as Result<T>;
  assert.ok(r.ok, `${name}: ${r.ok ? '' : r.error.message}`);
  return r.value;
}

/** Starts the project's agent, reads its environment from the OS, and stops it. */
async function agentEnvironment(app: NightshiftApp, id: string): Promise<Map<string, string>> {
  const state = await ok<AgentState>(app, 'agent.start', { id });
  const pid = state.pid as number;
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    return new Map(
      environ
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
  } finally {
    await ok(app, 'agent.stop', { id });
    assert.equal(isAlive(pid), false, 'the agent is gone after Stop');
  }
}

/** Every file under the folders, read raw: none may hold the secret, plain or in base64. */
function assertNowhereOnDisk(secret: string, ...folders: string[]): void {
  for (const folder of folders)
    for (const f of readdirSync(folder, { recursive: true }) as string[]) {
      const path = join(folder, f);
      if (!statSync(path).isFile()) continue;
      const bytes = readFileSync(path);
      assert.ok(!bytes.includes(secret), `${path} holds the secret`);
      assert.ok(
        !bytes.includes(Buffer.from(secret).toString('base64')),
        `${path} holds it in base64`,
      );
    }
}

const weakBackends: { name: string; available: boolean; backend: string; words: RegExp }[] = [
  {
    name: 'basic_text',
    available: true,
    backend: 'basic_text',
    words: /Electron reports basic_text, a fixed key that protects nothing/,
  },
  {
    name: 'unknown',
    available: true,
    backend: 'unknown',
    words: /Electron reports unknown, a fixed key that protects nothing/,
  },
  {
    name: 'unavailable',
    available: false,
    backend: 'basic_text',
    words: /No OS keychain can encrypt secrets here/,
  },
];

for (const weak of weakBackends) {
  test(
    `safeStorage ${weak.name}: launch-only keeps a key in memory and off disk; environment mode gives agents the variable read at launch`,
    { skip: linuxOnly },
    async () => {
      safeStorage.available = weak.available;
      safeStorage.backend = weak.backend;
      const dataDir = temp('ns-secrets-data-');
      const projectDir = temp('ns-secrets-project-');
      const encryptions = callsOf('safeStorage.encryptString').length;

      // Launch 1: the default choice is this launch only, and Settings says so in words.
      let app = await launch(dataDir);
      let id: string;
      const secret = `sk-ant-launch-only-${weak.name}-0123456789`;
      try {
        const view = await ok<SettingsView>(app, 'settings.get');
        const p = view.secretsProtection!;
        assert.equal(view.secretsWithoutEncryption, 'launch');
        assert.equal(p.kind, 'launch');
        assert.equal(p.offersChoice, true, 'Settings offers the choice');
        assert.match(p.sentence, weak.words);
        assert.match(
          p.sentence,
          /kept for this launch only and never written to disk: they are gone when Nightshift quits/,
        );
        id = (await ok<Project>(app, 'projects.add', { name: 'p', path: projectDir })).id;
        const after = await ok<SettingsView>(app, 'settings.update', { apiKey: secret });
        assert.equal(after.secrets.apiKey.set, true);
        assert.ok(!JSON.stringify(after).includes(secret), 'the answer holds no key');
        const env = await agentEnvironment(app, id);
        assert.equal(env.get('ANTHROPIC_API_KEY'), secret, 'the agent gets the key entered');
        assertNowhereOnDisk(secret, dataDir, projectDir);
        assert.equal(
          callsOf('safeStorage.encryptString').length,
          encryptions,
          'safeStorage was never asked to "encrypt" with a key that protects nothing',
        );
      } finally {
        await app.shutdown('stop-agents');
      }

      // Launch 2: the key is gone. The user chooses environment variables; none is set yet.
      app = await launch(dataDir);
      try {
        const view = await ok<SettingsView>(app, 'settings.get');
        assert.equal(view.secrets.apiKey.set, false, 'gone at the next launch');
        const env = await ok<SettingsView>(app, 'settings.update', {
          secretsWithoutEncryption: 'environment',
        });
        const p = env.secretsProtection!;
        assert.equal(p.kind, 'environment');
        assert.match(p.sentence, weak.words);
        assert.match(
          p.sentence,
          /takes them from environment variables: but neither ANTHROPIC_API_KEY nor ANTHROPIC_AUTH_TOKEN was set when Nightshift started: set one in the environment Nightshift starts from, then restart it/,
        );
        assert.deepEqual(p.fromLaunchEnvironment, []);
        const stored = readFileSync(join(dataDir, 'nightshift.json'), 'utf8');
        assert.match(stored, /"secretsWithoutEncryption":\s*"environment"/, 'the choice is stored');
        // Nothing can be entered now: a sentence, and nothing changes.
        const refused = (await app.dispatch('settings.update', {
          apiKey: 'sk-ant-refused-0123456789',
        })) as Result<SettingsView>;
        assert.equal(refused.ok, false);
        if (!refused.ok) {
          assert.equal(refused.error.field, 'apiKey');
          assert.match(refused.error.message, /Secrets come from environment variables here/);
          assert.match(refused.error.message, /ANTHROPIC_API_KEY/);
        }
        assert.equal((await ok<SettingsView>(app, 'settings.get')).secrets.apiKey.set, false);
        assertNowhereOnDisk('sk-ant-refused-0123456789', dataDir, projectDir);
      } finally {
        await app.shutdown('stop-agents');
      }

      // Launch 3: started with ANTHROPIC_API_KEY set. Settings names it; agents get the value
      // read at launch, even when Nightshift's own environment changes afterwards.
      const fromEnv = `sk-ant-from-env-${weak.name}-0123456789`;
      process.env.ANTHROPIC_API_KEY = fromEnv;
      app = await launch(dataDir);
      try {
        process.env.ANTHROPIC_API_KEY = 'sk-ant-changed-after-launch-0000';
        const view = await ok<SettingsView>(app, 'settings.get');
        const p = view.secretsProtection!;
        assert.equal(p.kind, 'environment');
        assert.deepEqual(p.fromLaunchEnvironment, ['ANTHROPIC_API_KEY']);
        assert.match(
          p.sentence,
          /agents use ANTHROPIC_API_KEY from the environment Nightshift was started with/,
        );
        assert.equal(view.secrets.apiKey.set, true);
        assert.equal(view.secrets.authToken.set, false);
        assert.ok(!JSON.stringify(view).includes(fromEnv), 'names and a hint only');
        const env = await agentEnvironment(app, id);
        assert.equal(env.get('ANTHROPIC_API_KEY'), fromEnv, 'the variable read at launch');
        assertNowhereOnDisk(fromEnv, dataDir, projectDir);

        // Back to this launch only: a key can be entered again, and it is what agents get.
        await ok(app, 'settings.update', { secretsWithoutEncryption: 'launch' });
        const again = await ok<SettingsView>(app, 'settings.update', { apiKey: secret });
        assert.equal(again.secretsProtection?.kind, 'launch');
        assert.equal((await agentEnvironment(app, id)).get('ANTHROPIC_API_KEY'), secret);
        assertNowhereOnDisk(secret, dataDir, projectDir);
      } finally {
        delete process.env.ANTHROPIC_API_KEY;
        await app.shutdown('stop-agents');
      }
    },
  );
}

test('with a real keyring there is no choice to make: secrets are encrypted, whatever is stored', async () => {
  safeStorage.available = true;
  safeStorage.backend = 'kwallet6';
  const dataDir = temp('ns-secrets-keyring-');
  const app = await launch(dataDir);
  try {
    // A choice stored while no keyring was there does not matter now.
    await ok(app, 'settings.update', { secretsWithoutEncryption: 'environment' });
    const view = await ok<SettingsView>(app, 'settings.update', {
      apiKey: 'sk-ant-keyring-0123456789',
    });
    const p = view.secretsProtection!;
    assert.equal(p.kind, 'keychain');
    assert.equal(p.offersChoice, false);
    assert.match(p.sentence, /encrypted with the system keyring \(kwallet6\)/);
    assert.equal(view.secrets.apiKey.set, true);
    assertNowhereOnDisk('sk-ant-keyring-0123456789', dataDir);
    assert.ok(statSync(join(dataDir, 'secrets.enc.json')).isFile(), 'kept, encrypted');
  } finally {
    await app.shutdown('stop-agents');
  }
});
