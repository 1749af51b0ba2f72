/**
 * The night report of a scheduled window, in Chromium against the real `nightshift serve`: a
 * window opens now and its schedule starts the agent (the `sessions` fixture, which reports
 * sessions and their cost as the real agent does); the first run crashes after one session and
 * the scheduler's retry finishes the work. The window then ends while no page is open. Its
 * report, summing both runs, is sent as a notification; the page opened afterwards shows it
 * once ("While you were away"), and not again on the next load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { RunRecord } from '../../contract/index.ts';
import { scheduleOpenNow } from '../fixtures/open-schedule.ts';
import { ApiClient, fixtureAgentCommand, startServe } from '../helpers/serve.ts';
import { openPage, processesMentioning, waitUntil } from '../helpers/ui-harness.ts';

const HEADLINE = 'shop: 3 passed, 0 need you, $2.00';

test('a window that ended while the page was closed shows its report, both runs summed, once; and it was a notification', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ns-e2e-window-'));
  const project = join(root, 'shop');
  mkdirSync(project);
  const served = await startServe({
    dataDir: join(root, 'data'),
    env: {
      NIGHTSHIFT_AGENT_COMMAND: JSON.stringify(fixtureAgentCommand('sessions')),
      FIXTURE_SESSIONS: '3',
      FIXTURE_CRASH_ONCE: join(root, 'crashed-once'),
    },
  });
  t.after(async () => {
    await served.stop();
    await waitUntil(() => processesMentioning(project).length === 0, 10_000, 'no agent left');
    rmSync(root, { recursive: true, force: true });
  });
  const api = await ApiClient.connect(served);
  try {
    const projectId = await api.addProject('shop', project);
    // A window open now that ends at a minute boundary at least 25 s away: room for the crash
    // and the retry 10 s later.
    const now = new Date();
    const schedule = await api.call('schedules.add', {
      id: projectId,
      schedule: scheduleOpenNow({ durationMinutes: now.getUTCSeconds() <= 35 ? 1 : 2 }),
    });
    assert.ok(schedule.ok, JSON.stringify(schedule));

    const deadline = Date.now() + 180_000;
    const notified = () =>
      api.events.find(
        (e) =>
          e.event === 'app.notification' && (e.payload as { kind: string }).kind === 'night-report',
      );
    while (!notified() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const note = notified()?.payload as { title: string; body: string } | undefined;
    assert.deepEqual(
      note && { title: note.title, body: note.body },
      { title: 'Window report', body: HEADLINE },
      served.output().slice(-3000),
    );
    const runs = await api.call<RunRecord[]>('ledger.runs', { id: projectId });
    assert.ok(runs.ok);
    assert.deepEqual(runs.value.map((r) => [r.origin, r.endReason, r.costUsd]).reverse(), [
      ['schedule', 'crashed', 0.5],
      ['schedule', 'complete', 1.5],
    ]);
    assert.equal(
      api.events.filter(
        (e) =>
          e.event === 'app.notification' && (e.payload as { kind: string }).kind === 'night-report',
      ).length,
      1,
      'one report for the window, none per run',
    );
  } finally {
    api.close();
  }

  const { launched, page, problems } = await openPage();
  try {
    await page.goto(served.url);
    const dialog = page.getByRole('dialog', { name: 'While you were away' });
    await expect(dialog).toBeVisible();
    const report = dialog.getByRole('article', { name: /^Report of the window / });
    await expect(report).toHaveCount(1);
    await expect(report.getByRole('heading', { name: HEADLINE })).toBeVisible();
    await expect(report).toContainText('2 runs, 4 sessions.');
    for (const name of ['Feature 1', 'Feature 2', 'Feature 3'])
      await expect(report.getByRole('listitem').filter({ hasText: name })).toBeVisible();
    await expect(report.getByRole('row', { name: /Coding/ })).toContainText('$2.00');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await expect(dialog).toHaveCount(0);

    // Shown once: the next load does not show it again.
    await page.reload();
    await expect(page.getByRole('heading', { level: 1, name: 'shop' })).toBeVisible();
    await page.waitForTimeout(1000);
    await expect(page.getByRole('dialog', { name: 'While you were away' })).toHaveCount(0);
    assert.deepEqual(problems, []);
  } finally {
    await launched.close();
  }
});
