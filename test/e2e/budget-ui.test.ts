/**
 * Budgets and plots in Chromium, against the real `nightshift serve` whose agent is the real
 * orchestrator (agent/cli.ts, the real Claude Agent SDK and Claude Code) talking to the fake
 * Anthropic server, which reports usage (and so cost) on every reply.
 *
 * 1. The user sets a project's daily budget in the History tab, presses Start; the run drains
 *    and stops by itself, and the panel, the inbox and the notification each say it was the
 *    budget, with the sentence.
 * 2. That run's figures draw the project's burn-up and cost per day and the month's spend
 *    against the global budget; each plot's table has the same numbers as the ledger, and the
 *    plots' colours change with the dark theme. Settings also edits the stall limits, refusing
 *    an end limit that is not longer than the warning one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'playwright/test';
import type { ProjectCharts, RunRecord, SpendChart } from '../../contract/index.ts';
import { formatCost } from '../../renderer/src/lib/format.ts';
import { type FakeAnthropic, startFakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { ApiClient, realAgentEnv, type ServedApp, startServe } from '../helpers/serve.ts';
import {
  type OpenedPage,
  openPage,
  processesMentioning,
  waitUntil,
} from '../helpers/ui-harness.ts';

const root = mkdtempSync(join(tmpdir(), 'ns-e2e-budget-'));
const project = join(root, 'todo-app');
let fake: FakeAnthropic;
let served: ServedApp;
let opened: OpenedPage;
let api: ApiClient;
let projectId = '';

before(async () => {
  mkdirSync(project);
  writeFileSync(
    join(project, 'app_spec.txt'),
    `Todo app\n${Array.from({ length: 10 }, (_, i) => `- Feature ${i + 1}`).join('\n')}\n`,
  );
  fake = await startFakeAnthropic(scriptedBrain());
  served = await startServe({ dataDir: join(root, 'data'), env: realAgentEnv(root, fake.url) });
  opened = await openPage();
  api = await ApiClient.connect(served);
  projectId = await api.addProject('todo-app', project);
});

after(async () => {
  try {
    api?.close();
    await opened?.launched.close();
  } finally {
    await served?.stop();
    await fake?.close();
    await waitUntil(() => processesMentioning(project).length === 0, 10_000, 'no agent left');
    rmSync(root, { recursive: true, force: true });
  }
});

test('a daily budget set in the UI drains and stops the run; the panel, the inbox and the notification say so', async () => {
  const { page, problems } = opened;
  await page.goto(served.url);
  await expect(page.getByRole('heading', { level: 1, name: 'todo-app' })).toBeVisible();

  await page.getByRole('tab', { name: 'History' }).click();
  const budget = page.getByRole('region', { name: 'Project budget' });
  await budget.getByLabel('Per day ($)').fill('0.02');
  await budget.getByRole('button', { name: 'Save budget' }).click();
  await expect(budget.getByRole('status')).toHaveText('Saved.');

  await page.getByLabel('Regression agents').selectOption('0');
  // The switch's track covers its input: the user clicks the label.
  await page.locator('label.switch', { hasText: 'YOLO mode' }).click();
  await expect(page.getByRole('switch', { name: 'YOLO mode' })).toBeChecked();
  await page.getByRole('button', { name: 'Start', exact: true }).click();

  // The sentence the budget check gives, as the run's end reason records it.
  const sentence =
    /todo-app's budget for today \(\$0\.02\) (is spent|would be exceeded by the next session)(; next window after [^.]+)?\./;
  const panel = page.getByRole('region', { name: 'Agent control' });
  await expect(panel.getByTestId('status-badge')).toHaveText('Running', { timeout: 30_000 });
  await expect(panel.getByTestId('status-badge')).toHaveText('Stopped', { timeout: 150_000 });
  await expect(panel.locator('.status-message')).toHaveText(
    new RegExp(`^Stopped by a budget: ${sentence.source} Nothing of it is left running\\.$`),
  );

  const runs = await api.call<RunRecord[]>('ledger.runs', { id: projectId });
  assert.ok(runs.ok);
  const run = runs.value[0]!;
  assert.equal(run.endReason, 'budget', run.endMessage ?? '');
  assert.ok(run.costUsd > 0 && run.costUsd <= 0.022, `spent ${run.costUsd}`);
  assert.ok(run.passed < 10, `work was left: ${run.passed} passed`);

  // The notification, shown in the page by the browser shell; it stays until dismissed.
  const toast = page
    .getByRole('status', { name: 'Notifications' })
    .getByRole('group', { name: 'todo-app: budget reached' });
  await expect(toast).toContainText(sentence);

  const inboxButton = page.getByRole('navigation').getByRole('button', { name: /^Inbox/ });
  await inboxButton.click();
  const item = page.getByRole('listitem', { name: 'todo-app: a budget stopped the run' });
  await expect(item).toContainText('Budget reached');
  await expect(item).toContainText(sentence);
  await item.getByRole('button', { name: 'Open todo-app' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'todo-app' })).toBeVisible();

  // Start again is refused, in words, while the day's budget is spent.
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(panel).toContainText(/todo-app was not started: .*budget/);
  assert.deepEqual(problems, []);
});

/** The rows of a figure's table, cell texts. */
async function tableRows(table: Locator): Promise<string[][]> {
  return table
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td,th')].map((c) => c.textContent ?? '')),
    );
}

/** Computed stroke or fill of every drawn mark in a figure (lines, bars, the budget line). */
async function markColours(figure: Locator): Promise<string[]> {
  return figure
    .locator(
      '.recharts-line-dot, .recharts-bar-rectangle path, .recharts-reference-line-line, .recharts-cartesian-grid line',
    )
    .evaluateAll((marks) =>
      marks.map((m) => {
        const s = getComputedStyle(m);
        return `${s.stroke}|${s.fill}`;
      }),
    );
}

async function coloursIn(page: Page, figure: Locator, scheme: 'light' | 'dark') {
  await page.emulateMedia({ colorScheme: scheme });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  return { background, marks: await markColours(figure) };
}

test('the run draws the burn-up, cost per day and month spend, with the same numbers in their tables, in light and dark; Settings edits the stall limits', async () => {
  const { page, problems } = opened;
  const charts = await api.call<ProjectCharts>('ledger.charts', { id: projectId });
  const spend = await api.call<SpendChart>('ledger.spend', {});
  assert.ok(charts.ok && spend.ok);
  assert.ok(charts.value.burnUp.length >= 1, JSON.stringify(charts.value));
  assert.ok(charts.value.costPerDay.some((d) => d.costUsd > 0));

  await page.getByRole('tab', { name: 'History' }).click();
  const burnUp = page.getByRole('figure', { name: 'Features passing over time' });
  const costPerDay = page.getByRole('figure', { name: 'Cost per day' });
  for (const figure of [burnUp, costPerDay]) {
    await expect(figure.locator('svg.recharts-surface')).toBeVisible();
  }
  // One point per run (a single run draws a dot, not yet a line).
  await expect(burnUp.locator('.recharts-line-dot')).toHaveCount(charts.value.burnUp.length);
  await expect(costPerDay.locator('.recharts-bar-rectangle')).toHaveCount(
    charts.value.costPerDay.length,
  );
  assert.deepEqual(
    (await tableRows(burnUp.getByRole('table'))).map((r) => r[1]),
    charts.value.burnUp.map((p) => String(p.passing)),
  );
  assert.deepEqual(
    await tableRows(costPerDay.getByRole('table')),
    charts.value.costPerDay.map((d) => [d.day, formatCost(d.costUsd)]),
  );

  // The global month's spend against a budget set in Settings.
  await page.getByRole('navigation').getByRole('button', { name: 'Settings' }).click();
  const global = page.getByRole('region', { name: 'Budgets (all projects)' });
  await global.getByLabel('Per month ($)').fill('5');
  await global.getByRole('button', { name: 'Save budget' }).click();
  await expect(global.getByRole('status')).toHaveText('Saved.');
  const month = global.getByRole('figure', { name: /^Spend in \d{4}-\d\d against the \$5\.00/ });
  await expect(month.locator('.recharts-reference-line-line')).toHaveCount(1);
  await expect(month.locator('.recharts-line-dot')).toHaveCount(spend.value.days.length);
  const spent = await api.call<SpendChart>('ledger.spend', {});
  assert.ok(spent.ok && spent.value.budgetUsd === 5);
  assert.deepEqual(
    await tableRows(month.getByRole('table')),
    spent.value.days.map((d) => [d.day, formatCost(d.cumulativeUsd)]),
  );
  assert.ok(spent.value.days.at(-1)!.cumulativeUsd > 0);

  // Settings → Stalled agents: the second limit must be longer than the first.
  const stalls = page.getByRole('region', { name: 'Stalled agents' });
  await stalls.getByLabel('Flagged after').fill('30');
  await stalls.getByLabel('Ended after').fill('30');
  await stalls.getByRole('button', { name: 'Save stalled agents' }).click();
  await expect(stalls).toContainText(
    'The time before a stalled session is ended must be longer than the time before it is flagged.',
  );
  assert.deepEqual((await api.call('ledger.prefs', {})) as unknown, {
    ok: true,
    value: { stallWarnMinutes: 20, stallKillMinutes: 40 },
  });
  await stalls.getByLabel('Ended after').fill('45');
  await stalls.getByRole('button', { name: 'Save stalled agents' }).click();
  await expect(stalls).toContainText('Stall limits saved.');
  assert.deepEqual((await api.call('ledger.prefs', {})) as unknown, {
    ok: true,
    value: { stallWarnMinutes: 30, stallKillMinutes: 45 },
  });

  // Dark mode: the page and every mark of the plots take the dark theme's colours.
  const light = await coloursIn(page, month, 'light');
  const dark = await coloursIn(page, month, 'dark');
  assert.notEqual(light.background, dark.background);
  assert.equal(light.marks.length, dark.marks.length);
  assert.ok(light.marks.length >= 3, JSON.stringify(light.marks));
  for (const [i, mark] of dark.marks.entries())
    assert.notEqual(mark, light.marks[i], `mark ${i} changed colour: ${mark}`);
  await page
    .getByRole('navigation')
    .getByRole('button', { name: /^todo-app/ })
    .click();
  await page.getByRole('tab', { name: 'History' }).click();
  const burnDark = await markColours(burnUp);
  await page.emulateMedia({ colorScheme: 'light' });
  const burnLight = await markColours(burnUp);
  assert.ok(burnLight.length >= 2);
  for (const [i, mark] of burnDark.entries()) assert.notEqual(mark, burnLight[i]);
  assert.deepEqual(problems, []);
});
