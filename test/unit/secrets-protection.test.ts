import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result, SettingsView } from '../../contract/index.ts';
import { createApp } from '../../main/app.ts';
import { createNodeApp } from '../../main/server/node-app.ts';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { launchSecrets, safeStorageProtection } from '../../main/services/secrets.ts';
import { openConfStore } from '../../main/services/store.ts';

test('safeStorage counts as protection only with a real OS keychain backend', () => {
  const cases: [Parameters<typeof safeStorageProtection>[0], string, RegExp][] = [
    [
      { platform: 'linux', available: true, backend: 'basic_text' },
      'launch',
      /reports basic_text, a fixed key that protects nothing/,
    ],
    [{ platform: 'linux', available: true, backend: 'unknown' }, 'launch', /reports unknown/],
    [
      { platform: 'linux', available: false, backend: 'basic_text' },
      'launch',
      /No OS keychain can encrypt secrets here/,
    ],
    [{ platform: 'win32', available: false, backend: null }, 'launch', /No OS keychain/],
    [
      { platform: 'linux', available: true, backend: 'gnome_libsecret' },
      'keychain',
      /system keyring \(gnome_libsecret\)/,
    ],
    [{ platform: 'linux', available: true, backend: 'kwallet6' }, 'keychain', /kwallet6/],
    [{ platform: 'darwin', available: true, backend: null }, 'keychain', /macOS Keychain/],
    [{ platform: 'win32', available: true, backend: null }, 'keychain', /Windows DPAPI/],
  ];
  for (const [input, kind, sentence] of cases) {
    const p = safeStorageProtection(input);
    assert.equal(p.kind, kind, JSON.stringify(input));
    assert.match(p.sentence, sentence, JSON.stringify(input));
    if (kind === 'launch') {
      assert.match(p.sentence, /kept for this launch only and never written to disk/);
      assert.match(p.sentence, /ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN/);
    }
  }
});

test('without real encryption a key is kept for this launch only: used by agents, never on disk', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-launch-secrets-'));
  const protection = safeStorageProtection({
    platform: 'linux',
    available: true,
    backend: 'basic_text',
  });
  const open = () =>
    createApp({
      shell: 'electron',
      version: '0.0.0-test',
      dataDir,
      openStore: () => openConfStore(dataDir),
      secrets: launchSecrets(protection),
      diagnostics: createDiagnostics(null),
      agentCommand: () => ({ command: process.execPath, args: ['-e', ''] }),
    });
  try {
    const app = await open();
    const secret = 'sk-ant-launch-only-0123456789';
    const saved = (await app.dispatch('settings.update', {
      apiKey: secret,
    })) as Result<SettingsView>;
    assert.ok(saved.ok);
    assert.equal(saved.value.secrets.apiKey.set, true);
    assert.equal(saved.value.secretsProtection?.kind, 'launch');
    assert.equal(saved.value.secretsProtection?.sentence, protection.sentence);
    assert.equal(app.settings.agentEnvironment().ANTHROPIC_API_KEY, secret);
    for (const f of readdirSync(dataDir, { recursive: true }) as string[]) {
      const path = join(dataDir, f);
      if (!statSync(path).isFile()) continue;
      const text = readFileSync(path);
      assert.ok(!text.includes(secret), `${f} holds the key`);
      assert.ok(!text.includes(Buffer.from(secret).toString('base64')), `${f} holds it in base64`);
    }
    await app.shutdown('stop-agents');
    const next = await open();
    const view = (await next.dispatch('settings.get', undefined)) as Result<SettingsView>;
    assert.equal(view.ok && view.value.secrets.apiKey.set, false, 'gone at the next launch');
    await next.shutdown('stop-agents');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the browser shell's secrets.json is mode 0600 and Settings says it is not encrypted", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-file-secrets-'));
  const before = process.env.ANTHROPIC_AUTH_TOKEN;
  process.env.ANTHROPIC_AUTH_TOKEN = 'from-the-environment';
  try {
    const app = await createNodeApp({ dataDir });
    try {
      const saved = (await app.dispatch('settings.update', {
        apiKey: 'sk-ant-file-0123456789',
      })) as Result<SettingsView>;
      assert.ok(saved.ok);
      const file = join(dataDir, 'secrets.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const p = saved.value.secretsProtection;
      assert.equal(p?.kind, 'file');
      assert.match(
        p?.sentence ?? '',
        /stored unencrypted in .*secrets\.json, readable only by your user account \(mode 0600\)/,
      );
      assert.deepEqual(p?.fromEnvironment, ['ANTHROPIC_AUTH_TOKEN']);
      assert.ok(!JSON.stringify(saved.value).includes('from-the-environment'), 'names only');
    } finally {
      await app.shutdown('stop-agents');
    }
  } finally {
    if (before === undefined) delete process.env.ANTHROPIC_AUTH_TOKEN;
    else process.env.ANTHROPIC_AUTH_TOKEN = before;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
