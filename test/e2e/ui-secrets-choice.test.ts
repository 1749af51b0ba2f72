/**
 * The Settings page, in real Chromium against the built renderer, where Electron's safeStorage
 * has no real encryption (Linux `basic_text`): the desktop app's own secret and settings stores
 * (main/electron/electron-store-adapter.ts, unchanged, over the recording stand-in for
 * `electron`) behind the real app core, served to the page by the real server. The page says in
 * words what protects secrets and offers the choice: this launch only, or environment variables
 * (naming the variable Nightshift was started with); choosing changes the words and the fields.
 */
import '../helpers/electron-standin/register.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import type { NightshiftApp } from '../../main/app.ts';
import { serve, type RunningServer } from '../../main/server/server.ts';
import { safeStorage } from '../helpers/electron-standin/index.ts';
import { launchDesktopCore } from '../helpers/desktop-core.ts';
import { openPage, removeDirs, root, type LaunchedBrowser } from '../helpers/ui-harness.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'ns-ui-secrets-'));
const envKey = 'sk-ant-from-env-ui-0123456789';
const savedKey = process.env.ANTHROPIC_API_KEY;
const savedToken = process.env.ANTHROPIC_AUTH_TOKEN;
let app: NightshiftApp | undefined;
let server: RunningServer | undefined;
let launched: LaunchedBrowser | undefined;
let page: Page;
let problems: string[] = [];

before(async () => {
  safeStorage.available = true;
  safeStorage.backend = 'basic_text';
  // Nightshift was started with a key in its environment, and no auth token.
  process.env.ANTHROPIC_API_KEY = envKey;
  delete process.env.ANTHROPIC_AUTH_TOKEN;
  app = await launchDesktopCore(dataDir, { command: process.execPath, args: ['-e', ''] });
  server = await serve(app, {
    host: '127.0.0.1',
    port: 0,
    staticDir: join(root, 'out/renderer'),
  });
  ({ launched, page, problems } = await openPage());
});

after(async () => {
  try {
    await launched?.close();
  } finally {
    await server?.close();
    await app?.shutdown('stop-agents');
    if (savedKey === undefined) delete process.env.ANTHROPIC_API_KEY;
    else process.env.ANTHROPIC_API_KEY = savedKey;
    if (savedToken !== undefined) process.env.ANTHROPIC_AUTH_TOKEN = savedToken;
    safeStorage.backend = 'gnome_libsecret';
    removeDirs(dataDir);
  }
});

test('without a keyring Settings says so and offers launch-only or environment variables', async () => {
  await page.goto(server!.url);
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  const credentials = page.locator('#settings-provider');
  const words = credentials.getByTestId('secrets-protection');
  const choice = credentials.getByRole('group', {
    name: 'No OS keychain encrypts secrets here: where should they come from?',
  });
  const launchOnly = choice.getByRole('radio', { name: /Keep secrets for this launch only/ });
  const fromEnv = choice.getByRole('radio', { name: /Take them from environment variables/ });

  // The default: this launch only, said in words, with the fields to enter a key.
  await expect(words).toContainText(
    'No OS keyring is available here (Electron reports basic_text, a fixed key that protects nothing), so secrets you enter are kept for this launch only and never written to disk: they are gone when Nightshift quits.',
  );
  await expect(words).toContainText("Set in Nightshift's environment now: ANTHROPIC_API_KEY.");
  await expect(launchOnly).toBeChecked();
  await expect(fromEnv).not.toBeChecked();
  await expect(credentials.getByRole('button', { name: 'Set API key' })).toBeVisible();
  await expect(
    credentials.getByText(
      'Kept in memory for this launch only, never written to disk; never shown again in full.',
    ),
  ).toHaveCount(2);
  await expect(credentials.getByText('Stored encrypted on this machine')).toHaveCount(0);

  // Environment variables: the words name the variable; nothing can be entered.
  await fromEnv.check();
  await expect(choice.getByText('Secrets are taken from environment variables.')).toBeVisible();
  await expect(words).toContainText(
    'so Nightshift keeps no secrets and takes them from environment variables: agents use ANTHROPIC_API_KEY from the environment Nightshift was started with. Nothing you enter is stored.',
  );
  await expect(credentials.getByText('from ANTHROPIC_API_KEY')).toBeVisible();
  await expect(
    credentials.getByText('ANTHROPIC_AUTH_TOKEN was not set when Nightshift started'),
  ).toBeVisible();
  await expect(
    credentials.getByRole('button', { name: /Set API key|Replace API key/ }),
  ).toHaveCount(0);
  assert.ok(!(await credentials.innerText()).includes(envKey), 'the key itself is never shown');
  assert.match(
    readFileSync(join(dataDir, 'nightshift.json'), 'utf8'),
    /"secretsWithoutEncryption":\s*"environment"/,
    'the choice is stored in the settings',
  );

  // Back to this launch only: the fields return.
  await launchOnly.check();
  await expect(words).toContainText('kept for this launch only and never written to disk');
  await expect(credentials.getByRole('button', { name: 'Set API key' })).toBeVisible();
  assert.deepEqual(problems, []);
});
