/**
 * The morning after, in Chromium against the real `nightshift serve`:
 * - History lists a finished run after the server restarted, and its report shows the run's
 *   features and cost and exports as Markdown;
 * - a human-input request of the real agent (real Claude Agent SDK and Claude Code against the
 *   fake Anthropic server) is answered from the inbox, and the item goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { RunRecord } from '../../contract/index.ts';
import { FeaturesDb } from '../../core/features-db.ts';
import { findFeaturesDb } from '../../core/project-paths.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import {
  ApiClient,
  fixtureAgentCommand,
  startServe,
  startServeWithRealAgent,
} from '../helpers/serve.ts';
import { openPage, stopUi } from '../helpers/ui-harness.ts';

async function waitForEndedRun(api: ApiClient, id: string): Promise<RunRecord> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await api.call<RunRecord[]>('ledger.runs', { id });
    const run = r.ok ? r.value[0] : undefined;
    if (run?.endedAt) return run;
    if (Date.now() > deadline) throw new Error(`The run did not end: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

test('History lists a run after a restart; its report shows features and cost and exports as Markdown', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ns-e2e-history-'));
  const dataDir = join(root, 'data');
  const project = join(root, 'shop');
  mkdirSync(project);
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const env = {
    NIGHTSHIFT_AGENT_COMMAND: JSON.stringify(fixtureAgentCommand('sessions')),
    FIXTURE_SESSIONS: '3',
  };
  const first = await startServe({ dataDir, env });
  try {
    const api = await ApiClient.connect(first);
    const id = await api.addProject('shop', project);
    assert.ok((await api.call('agent.start', { id })).ok);
    const run = await waitForEndedRun(api, id);
    assert.equal(run.endReason, 'complete');
    api.close();
  } finally {
    await first.stop();
  }

  const second = await startServe({ dataDir, env });
  const { launched, page, problems } = await openPage();
  try {
    await page.goto(second.url);
    await expect(page.getByRole('heading', { level: 1, name: 'shop' })).toBeVisible();
    await page.getByRole('tab', { name: 'History' }).click();
    const runs = page.getByRole('table', { name: 'Runs' });
    await expect(runs.getByRole('row')).toHaveCount(2);
    const row = runs.getByRole('row').nth(1);
    await expect(row).toContainText('complete');
    await expect(row).toContainText('$1.50');
    await row.getByRole('button', { name: 'Report' }).click();
    const report = page.getByRole('article', { name: /^Report of run/ });
    await expect(
      report.getByRole('heading', { name: 'shop: 3 passed, 0 need you, $1.50' }),
    ).toBeVisible();
    for (const name of ['Feature 1', 'Feature 2', 'Feature 3'])
      await expect(report.getByRole('listitem').filter({ hasText: name })).toBeVisible();
    await expect(report.getByRole('row', { name: /Coding/ })).toContainText('$1.50');
    await expect(report.getByText('Every feature passes')).toBeVisible();

    const download = page.waitForEvent('download');
    await report.getByRole('button', { name: 'Export as Markdown' }).click();
    const file = await (await download).path();
    const markdown = readFileSync(file, 'utf8');
    assert.match(markdown, /^# shop: 3 passed, 0 need you, \$1\.50/);
    assert.match(markdown, /## Passed \(3\)\n\n- #1 Feature 1\n- #2 Feature 2\n- #3 Feature 3/);
    assert.deepEqual(problems, []);
  } finally {
    await launched.close();
    await second.stop();
  }
});

test('a human-input request of the real agent is answered from the inbox', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ns-e2e-inbox-'));
  const project = join(root, 'payments');
  mkdirSync(project);
  writeFileSync(join(project, 'app_spec.txt'), 'Shop\n- Checkout\n');
  const served = await startServeWithRealAgent(
    scriptedBrain({ askHumanOn: new Set([1]) }),
    project,
    { dataDir: join(root, 'data') },
  );
  const { launched, page } = await openPage();
  t.after(async () => {
    await stopUi(launched, served);
    rmSync(root, { recursive: true, force: true });
  });
  const api = await ApiClient.connect(served);
  try {
    const id = await api.addProject('payments', project);
    await page.goto(served.url);
    await expect(page.getByRole('heading', { level: 1, name: 'payments' })).toBeVisible();
    assert.ok((await api.call('agent.start', { id, overrides: { yolo: true } })).ok);
    const inboxButton = page.getByRole('navigation').getByRole('button', { name: /^Inbox/ });
    // The request, and (once the run ends by itself with that feature waiting) "work left".
    await expect(inboxButton).toContainText(/\d+ items? need/, { timeout: 120_000 });
    await inboxButton.click();
    const item = page.getByRole('listitem', { name: 'payments: “Checkout” needs your input' });
    await expect(item).toBeVisible();
    await expect(item.getByText('Which payment provider should I use?').first()).toBeVisible();
    await item.getByLabel('Answer').fill('Use Stripe.');
    await item.getByRole('button', { name: 'Send to the agent' }).click();
    await expect(item).toHaveCount(0, { timeout: 20_000 });
    await expect(page.getByRole('listitem', { name: /needs your input/ })).toHaveCount(0);
    const db = FeaturesDb.open(findFeaturesDb(project)!, { create: false });
    try {
      const f = db.get(1);
      assert.equal(f?.needsHumanInput, false, 'the answer reached the features database');
    } finally {
      db.close();
    }
  } finally {
    api.close();
  }
});
