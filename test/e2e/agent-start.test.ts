/**
 * Start does real work, end to end: the real `nightshift serve`, the real renderer in Chromium,
 * the real agent (agent/cli.ts) with the real Claude Agent SDK and bundled Claude Code, against
 * the local fake Anthropic server (127.0.0.1, scripted tool calls). Add a project with a spec,
 * press Start, and the features the initializer created from the spec become passing; the run
 * ends by itself and nothing it started is left running.
 *
 * The features list and run view are not wired into main/app.ts yet (they answer "unsupported"),
 * so the test reads the features database directly for the passing check and reads the log in
 * the UI for the agent's own words.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import { FeaturesDb } from '../../core/features-db.ts';
import { findFeaturesDb } from '../../core/project-paths.ts';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import {
  launchBrowser,
  nodeBin,
  processesMentioning,
  removeDirs,
  root,
  tempProject,
  waitUntil,
  watchPage,
  type LaunchedBrowser,
} from './ui-harness.ts';

let fake: FakeAnthropic;
let server: ChildProcess;
let output = '';
let url = '';
let launched: LaunchedBrowser | undefined;
let page: Page;
let problems: string[] = [];
const project = tempProject('ns-e2e-agent-');
const dataDir = mkdtempSync(join(tmpdir(), 'ns-e2e-agent-data-'));
const home = mkdtempSync(join(tmpdir(), 'ns-e2e-agent-home-'));

before(async () => {
  fake = await startFakeAnthropic(scriptedBrain());
  writeFileSync(
    join(project, 'app_spec.txt'),
    'Notes app\n- Layout\n- Create a note [after: 0]\n- Delete a note [after: 1]\n',
  );
  mkdirSync(join(home, '.claude'), { recursive: true });
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('ANTHROPIC_') || k.startsWith('CLAUDE') || k.startsWith('NIGHTSHIFT_AGENT'))
      continue;
    env[k] = v;
  }
  server = spawn(
    nodeBin,
    [join(root, 'bin/nightshift.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      cwd: root,
      env: {
        ...env,
        // The agent inherits these: Claude Code talks only to the fake server.
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: 'sk-ant-test-dummy-key-0000000000',
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        CLAUDE_CODE_MAX_RETRIES: '0',
        NIGHTSHIFT_BROWSER_MCP: '0',
        NIGHTSHIFT_POLL_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  server.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  await waitUntil(
    () => /Nightshift is listening on (\S+)/.test(output) || server.exitCode !== null,
    30_000,
    'nightshift serve',
  );
  url = /Nightshift is listening on (\S+)/.exec(output)?.[1] ?? '';
  assert.ok(url, `nightshift serve did not start:\n${output}`);
  launched = await launchBrowser();
  page = await launched.browser.newPage({ viewport: { width: 1280, height: 900 } });
  problems = watchPage(page);
});

after(async () => {
  try {
    await launched?.close();
  } finally {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await waitUntil(
      () => server.exitCode !== null || server.signalCode !== null,
      15_000,
      'nightshift serve to exit',
    );
    await fake.close();
  }
  await waitUntil(
    () => processesMentioning(project).length === 0,
    10_000,
    'no process in the project',
  );
  assert.deepEqual(processesMentioning(project), [], 'no agent or Claude Code process is left');
  removeDirs(project, dataDir, home);
});

function passing(): { passing: number; total: number } {
  const path = findFeaturesDb(project);
  if (!path) return { passing: 0, total: 0 };
  const db = FeaturesDb.open(path, { create: false });
  try {
    const s = db.stats();
    return { passing: s.passing, total: s.total };
  } finally {
    db.close();
  }
}

test('Start turns the spec into features and the agents make them pass', async () => {
  await page.goto(url);
  await page.getByRole('navigation').getByRole('button', { name: 'Add project' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add project' });
  await dialog.getByLabel('Name').fill('notes-app');
  await dialog.getByLabel('Folder').fill(project);
  await dialog.getByRole('button', { name: 'Add project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'notes-app' })).toBeVisible();

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await waitUntil(() => passing().total === 3, 60_000, 'the initializer to create 3 features');
  await waitUntil(() => passing().passing === 3, 90_000, 'all 3 features to pass');
  const log = page.getByRole('log', { name: 'Log lines' });
  await expect(log.getByText('All 3 features pass.', { exact: true })).toHaveCount(1, {
    timeout: 20_000,
  });
  await expect(log.getByText('All 3 features pass.', { exact: true })).toBeVisible({
    timeout: 20_000,
  });
  // The agent ends by itself after completion (exit 0), and the control room says it stopped.
  await expect(page.getByTestId('status-badge')).toHaveText('Stopped', { timeout: 20_000 });
  assert.deepEqual(problems, []);
});
