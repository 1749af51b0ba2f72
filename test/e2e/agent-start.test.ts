/**
 * Start does real work, end to end: the real `nightshift serve`, the real renderer in Chromium,
 * the real agent (agent/cli.ts) with the real Claude Agent SDK and bundled Claude Code, against
 * the local fake Anthropic server (127.0.0.1, scripted tool calls). Add a project, write its spec
 * in the Spec editor and save it, press Start, and watch through the UI: agent cards (role and
 * feature) while sessions run, the progress reaching 3/3, and the Features tab listing the three
 * features under Passing as they pass. The run ends by itself and nothing it started is left
 * running. The features database is read only to check that the UI agrees with it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import { FeaturesDb } from '../../core/features-db.ts';
import { findFeaturesDb } from '../../core/project-paths.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import type { FakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { ApiClient, realAgentUiHooks } from '../helpers/serve.ts';
import {
  addProjectInUi,
  processesMentioning,
  removeDirs,
  tempProject,
  waitUntil,
} from '../helpers/ui-harness.ts';

let url = '';
let page: Page;
let problems: string[] = [];
const project = tempProject('ns-e2e-agent-');
const leftover = tempProject('ns-e2e-agent-left-');
let fake: FakeAnthropic;

realAgentUiHooks({
  brain: scriptedBrain(),
  project,
  started: (ui) => ({ url, page, problems, fake } = ui),
});

// The hooks above check `project`; the second project of the last test is checked here.
after(async () => {
  await waitUntil(() => processesMentioning(leftover).length === 0, 10_000, 'no process left');
  removeDirs(leftover);
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

const spec = 'Notes app\n- Layout\n- Create a note [after: 0]\n- Delete a note [after: 1]\n';
const featureNames = ['Layout', 'Create a note', 'Delete a note'];

/** Records the text of every agent card the page ever shows (sessions can be short-lived). */
function recordAgentCards(): void {
  const seen = new Set<string>();
  (window as unknown as { __agentCards: Set<string> }).__agentCards = seen;
  const collect = () => {
    for (const card of document.querySelectorAll('[aria-label="Agents working now"] > li')) {
      const role = card.querySelector('.role')?.textContent ?? '';
      const feature = card.querySelector('.agent-feature')?.textContent ?? '';
      seen.add(`${role} | ${feature}`);
    }
  };
  new MutationObserver(collect).observe(document.body, {
    subtree: true,
    childList: true,
    characterData: true,
  });
  collect();
}

test('the spec is saved, Start makes the features pass, and the project view shows it live', async () => {
  await page.goto(url);
  await addProjectInUi(page, 'notes-app', project);

  // The spec, written in the Spec editor and saved to <project>/app_spec.txt.
  await page.getByRole('tab', { name: 'Spec' }).click();
  const editor = page.getByRole('textbox', { name: 'Spec' });
  await expect(editor).toHaveValue('');
  await editor.fill(spec);
  await page.getByRole('button', { name: 'Save spec' }).click();
  const specFile = join(project, 'app_spec.txt');
  await expect(page.getByText(`Saved to ${specFile}.`)).toBeVisible();
  assert.equal(readFileSync(specFile, 'utf8'), spec);

  // The Features tab stays open through the run: it must refresh by itself.
  await page.getByRole('tab', { name: /Features/ }).click();
  await expect(page.getByText('No features yet.')).toBeVisible();
  await page.evaluate(recordAgentCards);
  await page.getByRole('button', { name: 'Start', exact: true }).click();

  const run = page.getByRole('region', { name: 'Run', exact: true });
  const cards = run.getByRole('list', { name: 'Agents working now' }).getByRole('listitem');
  const cardsSeen = () =>
    page.evaluate(() => [...(window as unknown as { __agentCards: Set<string> }).__agentCards]);
  // A coding agent's card, with its role and the feature it works on.
  const codingCard = new RegExp(`^Coding \\| #\\d+ (${featureNames.join('|')})$`);
  await expect
    .poll(async () => (await cardsSeen()).some((c) => codingCard.test(c)), { timeout: 60_000 })
    .toBe(true);
  await expect(run.getByRole('progressbar', { name: 'Features passing' })).toHaveAttribute(
    'aria-valuemax',
    '3',
    { timeout: 60_000 },
  );
  await expect(run.getByText('3/3', { exact: true })).toBeVisible({ timeout: 90_000 });
  await expect(run.getByText('features passing (100%)')).toBeVisible();
  await expect(run.getByRole('progressbar', { name: 'Features passing' })).toHaveAttribute(
    'aria-valuenow',
    '3',
  );

  const passingGroup = page.getByRole('region', { name: /^Passing/ });
  await expect(passingGroup.getByRole('listitem')).toHaveCount(3, { timeout: 10_000 });
  for (const name of featureNames) {
    await expect(passingGroup.getByText(name, { exact: true })).toBeVisible();
  }
  await expect(
    page.getByRole('heading', { name: /^(Pending|In progress|Under test)/ }),
  ).toHaveCount(0);

  const seen = await cardsSeen();
  assert.ok(
    seen.includes('Initializer | No feature yet'),
    `the initializer had a card; cards seen: ${JSON.stringify(seen)}`,
  );

  const log = page.getByRole('tab', { name: 'Live log' });
  await log.click();
  const lines = page.getByRole('log', { name: 'Log lines' });
  await expect(lines.getByText('All 3 features pass.', { exact: true })).toHaveCount(1, {
    timeout: 20_000,
  });
  await expect(lines.getByText('All 3 features pass.', { exact: true })).toBeVisible({
    timeout: 20_000,
  });
  // The agent ends by itself after completion (exit 0), and the control room says it stopped.
  await expect(page.getByTestId('status-badge')).toHaveText('Stopped', { timeout: 20_000 });
  await expect(cards).toHaveCount(0);
  await expect(run.getByText('3/3', { exact: true })).toBeVisible();
  // The UI agrees with the database.
  assert.deepEqual(passing(), { passing: 3, total: 3 });
  assert.deepEqual(problems, []);
});

test('a run that ends with work left says "Stopped with work left" and what is left, in the page', async () => {
  // Feature 1 never works out; with one attempt it waits for a human, and #3 (after it) is blocked.
  fake.setBrain(scriptedBrain({ failOn: new Set([1]) }));
  writeFileSync(
    join(leftover, 'app_spec.txt'),
    'App\n- Impossible\n- Fine\n- Needs impossible [after: 0]\n',
  );
  const parsed = new URL(url);
  const api = await ApiClient.connect({
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
  });
  try {
    const r = await api.call('settings.update', { maxFeatureAttempts: 1 });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
  } finally {
    api.close();
  }
  await page.goto(url);
  await addProjectInUi(page, 'work-left', leftover);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const run = page.getByRole('region', { name: 'Run', exact: true });
  await expect(run.getByText('Stopped with work left: 1 needs you, 1 blocked')).toBeVisible({
    timeout: 120_000,
  });
  await expect(page.getByTestId('status-badge')).toHaveText('Stopped', { timeout: 20_000 });
  await expect(run.getByText('Every feature passes')).toHaveCount(0);
  await expect(run.getByText('1/3', { exact: true })).toBeVisible();
  assert.deepEqual(problems, []);
});
