/**
 * Schedules end to end: the real renderer in Chromium, the real `nightshift serve` and a fixture
 * agent. Invalid input is refused next to its field; a schedule created for "now" starts the
 * agent (started by schedule), and the window's end drains and stops it; disabling and removing
 * leave nothing behind. Editing a schedule moves its next start; skip-next per project and for
 * all projects can be undone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import {
  addProjectInUi,
  pidAlive,
  tempProject,
  uiHooks,
  waitUntil,
  type Served,
} from '../helpers/ui-harness.ts';

let served: Served;
let page: Page;
let problems: string[] = [];
const project = tempProject('ns-ui-sched-');
const agentPids = new Set<number>();

uiHooks(['--interval', '100'], {
  viewport: { width: 1280, height: 1000 },
  started: (ui) => ({ served, page, problems } = ui),
  dirs: [project],
  agentPids,
});

const badge = () => page.getByTestId('status-badge');
const editor = () => page.getByTestId('schedule-editor');
const form = () => page.getByRole('form', { name: 'New schedule' });

async function currentPid(): Promise<number> {
  const text = await page.locator('.run-meta').innerText();
  const m = /pid (\d+)/.exec(text);
  assert.ok(m?.[1], `the run line shows a pid: ${text}`);
  return Number(m[1]);
}

async function errorOf(field: string): Promise<string> {
  const input = form().getByLabel(field, { exact: true });
  await expect(input).toHaveAttribute('aria-invalid', 'true');
  const describedBy = (await input.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
  assert.ok(errorId, `${field} points at its error`);
  return page.locator(`[id="${errorId}"]`).innerText();
}

test('add a project and open its schedules', async () => {
  await page.goto(served.url);
  await addProjectInUi(page, 'sched-app', project);
  await page.getByRole('tab', { name: 'Schedules' }).click();
  await expect(editor()).toBeVisible();
  await expect(editor().getByText(/No schedules yet/)).toBeVisible();
});

test('invalid input is refused with a sentence next to each field, and nothing is added', async () => {
  await editor().getByRole('button', { name: 'Add schedule' }).click();
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
    await form().getByRole('checkbox', { name: day }).uncheck();
  }
  await form().getByLabel('Duration (minutes)').fill('1441');
  await form().getByLabel('Time zone').fill('Mars/Olympus');
  await form().getByRole('button', { name: 'Add schedule' }).click();
  await expect(form().getByText('Pick at least one day.')).toBeVisible();
  assert.equal(await errorOf('Duration (minutes)'), 'Duration must be between 1 and 1440 minutes.');
  assert.match(await errorOf('Time zone'), /not a known IANA time zone/);
  await form().getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('schedule-row')).toHaveCount(0);
});

test('a schedule created for now starts the agent, and the window’s end stops it', async () => {
  // Leave at least 20 s of the one-minute window after the form is filled.
  await waitUntil(() => new Date().getSeconds() < 35, 40_000, 'the start of a minute');
  await editor().getByRole('button', { name: 'Add schedule' }).click();
  await form().getByRole('button', { name: 'Now' }).click();
  await form().getByLabel('Duration (minutes)').fill('1');
  await form().getByLabel('Coding agents').selectOption('2');
  await form().getByRole('button', { name: 'Add schedule' }).click();
  await expect(form()).toHaveCount(0);
  await expect(page.getByTestId('schedule-row')).toHaveCount(1);
  await expect(badge()).toHaveText('Running', { timeout: 15_000 });
  await expect(page.getByText('Started by schedule')).toBeVisible();
  await expect(page.getByTestId('schedule-status')).toContainText('A window is open until');
  await expect(page.getByTestId('schedule-status')).toContainText('started by a schedule');
  const pid = await currentPid();
  agentPids.add(pid);
  await expect(page.locator('.run-meta')).toContainText('2 coding');
  // The window lasts one minute: then the agent drains and is stopped.
  await expect(badge()).toHaveText('Stopped', { timeout: 90_000 });
  await waitUntil(() => !pidAlive(pid), 10_000, 'the scheduled agent to end');
  await expect(page.getByTestId('schedule-status')).toContainText('Next window');
  await expect(page.getByTestId('schedule-row')).toContainText(/Next: /);
});

test('editing a schedule’s days, time, zone and duration moves its next start', async () => {
  const row = page.getByTestId('schedule-row');
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit schedule' });
  await expect(edit).toBeVisible();
  // One weekday two days ahead, at 03:00 UTC: its next start is exactly that instant.
  const start = new Date();
  start.setUTCDate(start.getUTCDate() + 2);
  start.setUTCHours(3, 0, 0, 0);
  const weekday = start.getUTCDay() === 0 ? 7 : start.getUTCDay();
  const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  for (const [i, name] of days.entries()) {
    const box = edit.getByRole('checkbox', { name });
    if (i + 1 === weekday) await box.check();
    else await box.uncheck();
  }
  await edit.getByLabel('Start time').fill('03:00');
  await edit.getByLabel('Duration (minutes)').fill('90');
  await edit.getByLabel('Time zone').fill('UTC');
  await edit.getByRole('button', { name: 'Save schedule' }).click();
  await expect(edit).toHaveCount(0);
  const short = (days[weekday - 1] ?? '').slice(0, 3);
  await expect(row).toContainText(`${short} 03:00 for 1 h 30 min`);
  await expect(row).toContainText('(UTC)');
  // The row shows the next start and end in the browser's own zone, as formatClock does.
  const [from, to] = await page.evaluate(
    ([s, e]) => {
      const f = (t: number) => {
        const d = new Date(t);
        const now = new Date();
        const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        const sameDay =
          d.getFullYear() === now.getFullYear() &&
          d.getMonth() === now.getMonth() &&
          d.getDate() === now.getDate();
        const date = d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
        return sameDay ? time : `${date} ${time}`;
      };
      return [f(s as number), f(e as number)];
    },
    [start.getTime(), start.getTime() + 90 * 60_000],
  );
  await expect(row).toContainText(`Next: ${from} to ${to} (your time).`);
  await expect(page.getByTestId('schedule-status')).toContainText(`Next window: ${from} to ${to}.`);
});

test('skip next window, disable and remove', async () => {
  await editor().getByRole('button', { name: 'Skip next window', exact: true }).click();
  await expect(page.getByTestId('schedule-status')).toContainText('Skipping the next window');
  await editor().getByRole('button', { name: 'Don’t skip the next window' }).click();
  await expect(page.getByTestId('schedule-status')).toContainText('Next window');
  // For every project, and undone for every project.
  await editor().getByRole('button', { name: 'Skip next window for all projects' }).click();
  await expect(page.getByTestId('schedule-status')).toContainText('Skipping the next window');
  await expect(
    editor().getByRole('button', { name: 'Skip next window for all projects' }),
  ).toHaveCount(0);
  await editor().getByRole('button', { name: 'Don’t skip for any project' }).click();
  await expect(page.getByTestId('schedule-status')).toContainText('Next window:');
  await expect(editor().getByRole('button', { name: 'Don’t skip for any project' })).toHaveCount(0);
  // Survives a reload: main owns it.
  await page.reload();
  await page.getByRole('tab', { name: 'Schedules' }).click();
  await expect(page.getByTestId('schedule-row')).toHaveCount(1);
  await page.getByTestId('schedule-row').getByRole('button', { name: 'Disable' }).click();
  await expect(page.getByTestId('schedule-row')).toContainText('Disabled.');
  await page
    .getByTestId('schedule-row')
    .getByRole('button', { name: /^Remove schedule/ })
    .click();
  await expect(page.getByTestId('schedule-row')).toHaveCount(0);
  await expect(badge()).toHaveText('Stopped');
  assert.deepEqual(problems, []);
});

test('removing the project while its schedule’s run is going stops that run and removes it', async () => {
  await waitUntil(() => new Date().getSeconds() < 35, 40_000, 'the start of a minute');
  await editor().getByRole('button', { name: 'Add schedule' }).click();
  await form().getByRole('button', { name: 'Now' }).click();
  await form().getByLabel('Duration (minutes)').fill('5');
  await form().getByRole('button', { name: 'Add schedule' }).click();
  await expect(badge()).toHaveText('Running', { timeout: 15_000 });
  await expect(page.getByText('Started by schedule')).toBeVisible();
  const pid = await currentPid();
  agentPids.add(pid);
  await page.locator('.header-actions').getByRole('button', { name: 'Remove project' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove sched-app?' });
  await expect(dialog.getByTestId('remove-stops-run')).toContainText('stops it first');
  await dialog.getByRole('button', { name: 'Remove project' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 15_000 });
  await expect(page.getByRole('heading', { level: 1, name: 'sched-app' })).toHaveCount(0);
  // The dialog is gone, so the app says what the removal did where it stays visible.
  await expect(
    page.getByText(
      'sched-app was removed and the run its schedule had started was stopped. Its files stay on disk.',
    ),
  ).toBeVisible();
  await waitUntil(() => !pidAlive(pid), 10_000, 'the scheduled agent to end');
  assert.deepEqual(problems, []);
});
