/**
 * Start does real work, end to end: the real `nightshift serve`, the real renderer in Chromium,
 * the real agent (agent/cli.ts) with the real Claude Agent SDK and bundled Claude Code, against
 * the local fake Anthropic server (127.0.0.1, scripted tool calls). Add a project, write its spec
 * in the Spec editor and save it, press Start, and watch through the UI: agent cards (role and
 * feature) while sessions run, the progress reaching 3/3, and the Features tab listing the three
 * features under Passing as they pass. The run ends by itself and nothing it started is left
 * running. The features database is read only to check that the UI agrees with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import { FeaturesDb } from '../../core/features-db.ts';
import { findFeaturesDb } from '../../core/project-paths.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { tempProject } from '../helpers/ui-harness.ts';
import { realAgentUiHooks } from '../helpers/serve.ts';

let url = '';
let page: Page;
let problems: string[] = [];
const project = tempProject('ns-e2e-agent-');

realAgentUiHooks({
  brain: scriptedBrain(),
  project,
  started: (ui) => ({ url, page, problems } = ui),
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
  await page.getByRole('navigation').getByRole('button', { name: 'Add project' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add project' });
  await dialog.getByLabel('Name').fill('notes-app');
  await dialog.getByLabel('Folder').fill(project);
  await dialog.getByRole('button', { name: 'Add project' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'notes-app' })).toBeVisible();

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
