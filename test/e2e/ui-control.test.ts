/**
 * The control room end to end: the real renderer in Chromium, the real `nightshift serve`, a
 * fixture agent process. Add a project (a bad path is refused at its field), start, watch the
 * log, pause, resume, pause after current work (and a freeze while it drains), stop; a log that
 * overflows keeps its last 5,000 lines in a virtualized view; the theme follows the system.
 * Then everything that was started is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import {
  addProjectInUi,
  pidAlive,
  processesMentioning,
  procState,
  removeDirs,
  startInUi,
  startServer,
  tempProject,
  uiHooks,
  waitUntil,
  watchPage,
  type LaunchedBrowser,
  type Served,
} from '../helpers/ui-harness.ts';

let served: Served;
let launched: LaunchedBrowser;
let page: Page;
let problems: string[] = [];
const project = tempProject();
const agentPids = new Set<number>();

// The drain takes 4 s of "current work", so Pause can be pressed while it drains.
uiHooks(['--interval', '100', '--drain-delay', '4000'], {
  started: (ui) => ({ served, launched, page, problems } = ui),
  dirs: [project],
  agentPids,
});

const badge = () => page.getByTestId('status-badge');
const button = (name: string) => page.getByRole('button', { name, exact: true });

async function expectEnabled(enabled: string[]): Promise<void> {
  for (const name of ['Start', 'Stop', 'Pause', 'Resume', 'Pause after current work']) {
    if (enabled.includes(name)) await expect(button(name)).toBeEnabled();
    else await expect(button(name)).toBeDisabled();
  }
}

async function currentPid(): Promise<number> {
  const text = await page.locator('.run-meta').innerText();
  const m = /pid (\d+)/.exec(text);
  assert.ok(m?.[1], `the run line shows a pid: ${text}`);
  return Number(m[1]);
}

test('the page loads, keeps its token out of the address bar and shows no projects', async () => {
  await page.goto(served.url);
  await expect(page.getByText('No projects yet.')).toBeVisible();
  assert.equal(new URL(page.url()).searchParams.has('token'), false);
  await page.reload();
  await expect(page.getByText('No projects yet.')).toBeVisible();
});

test('a bad path is refused next to the path field and nothing is added', async () => {
  await page.getByRole('navigation').getByRole('button', { name: 'Add project' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add project' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await dialog.getByLabel('Name').fill('e2e-app');
  await dialog.getByLabel('Folder').fill(`${project}/does-not-exist`);
  await dialog.getByRole('button', { name: 'Add project' }).click();
  const folder = dialog.getByLabel('Folder');
  await expect(folder).toHaveAttribute('aria-invalid', 'true');
  const describedBy = (await folder.getAttribute('aria-describedby')) ?? '';
  const errorId = describedBy.split(' ').find((id) => id.endsWith('-error'));
  assert.ok(errorId, 'the folder field points at its error');
  const error = page.locator(`[id="${errorId}"]`);
  await expect(error).toBeVisible();
  assert.equal(
    await error.innerText(),
    `The folder ${project}/does-not-exist does not exist. Create it first or pick another one.`,
  );
  await expect(dialog.getByLabel('Name')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('navigation').getByRole('listitem')).toHaveCount(0);

  // Escape closes the dialog; nothing was added.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('navigation').getByRole('listitem')).toHaveCount(0);
});

test('a good path adds the project and selects it', async () => {
  await addProjectInUi(page, 'e2e-app', project);
  await expect(page.getByRole('navigation').getByRole('listitem')).toHaveCount(1);
  await expect(badge()).toHaveText('Stopped');
  await expectEnabled(['Start']);
});

test('Start runs the agent and its lines stream into the log', async () => {
  await startInUi(page);
  await expect(page.getByText('Started by hand')).toBeVisible();
  agentPids.add(await currentPid());
  const log = page.getByRole('log', { name: 'Log lines' });
  await expect(log.getByText(/line 3 from fixture/)).toBeVisible({ timeout: 10_000 });
  await expect(
    page.getByRole('navigation').getByRole('button', { name: 'e2e-app Status: Running' }),
  ).toBeVisible();
  await expectEnabled(['Stop', 'Pause', 'Pause after current work']);
});

test('Pause freezes it and says so; Resume brings it back', async () => {
  const pid = await currentPid();
  await button('Pause').click();
  await expect(badge()).toHaveText('Paused', { timeout: 10_000 });
  await expectEnabled(['Stop', 'Resume']);
  await expect(page.locator('.outcome')).not.toBeEmpty();
  assert.equal(procState(pid), 'T', 'the agent process is stopped by the freeze');
  const count = async () =>
    Number(
      (await page.locator('.log-count').innerText()).replace(/[^\d].*$/, '').replace(/,/g, ''),
    );
  const frozenAt = await count();
  await page.waitForTimeout(600);
  assert.ok((await count()) <= frozenAt + 1, 'no new lines while frozen');

  await button('Resume').click();
  await expect(badge()).toHaveText('Running', { timeout: 10_000 });
  await expect.poll(count, { timeout: 10_000 }).toBeGreaterThan(frozenAt + 2);
});

test('Pause after current work drains (Pause freezes it meanwhile), then Resume', async () => {
  const pid = await currentPid();
  await button('Pause after current work').click();
  await expect(badge()).toHaveText('Draining — finishing current work', { timeout: 10_000 });
  await expectEnabled(['Stop', 'Pause']);

  // Freezing a draining agent works, and Resume returns it to draining.
  await button('Pause').click();
  await expect(badge()).toHaveText('Paused', { timeout: 10_000 });
  await expectEnabled(['Stop', 'Resume']);
  assert.equal(procState(pid), 'T', 'frozen while draining');
  await button('Resume').click();
  await expect(badge()).toHaveText('Draining — finishing current work', { timeout: 10_000 });

  await expect(badge()).toHaveText('Paused after current work', { timeout: 15_000 });
  await expectEnabled(['Stop', 'Resume']);
  await button('Resume').click();
  await expect(badge()).toHaveText('Running', { timeout: 10_000 });
});

test('Stop stops it, says what happened, and the process is gone', async () => {
  const pid = await currentPid();
  await button('Stop').click();
  await expect(badge()).toHaveText('Stopped', { timeout: 20_000 });
  await expect(page.locator('.outcome')).not.toBeEmpty();
  await expectEnabled(['Start']);
  await waitUntil(() => !pidAlive(pid), 10_000, 'the agent process to end');
  await expect(
    page.getByRole('navigation').getByRole('button', { name: 'e2e-app Status: Stopped' }),
  ).toBeVisible();
  assert.deepEqual(problems, [], 'no errors in the page');
});

test('a log of 6,000 lines keeps exactly the last 5,000 and renders only a window of them', async () => {
  const burst = await startServer(['--interval', '3600000', '--burst', '6000']);
  const dir = tempProject();
  const view = await launched.browser.newPage({
    viewport: { width: 1280, height: 900 },
  });
  const viewProblems = watchPage(view);
  let pid = 0;
  try {
    await view.goto(burst.url);
    await addProjectInUi(view, 'burst-app', dir);
    await startInUi(view);
    const meta = await view.locator('.run-meta').innerText();
    pid = Number(/pid (\d+)/.exec(meta)?.[1]);
    assert.ok(pid > 0, meta);

    const log = view.getByRole('log', { name: 'Log lines' });
    // It follows the tail, so the newest line is on screen.
    await expect(log.getByText('burst line 6000', { exact: true })).toBeVisible({
      timeout: 15_000,
    });
    await expect(view.locator('.log-count')).toHaveText(/^5,000 lines/);
    const rows = view.locator('.log-line');
    const atTail = await rows.count();
    assert.ok(atTail > 10 && atTail < 200, `${atTail} rows in the DOM for 5,000 lines`);

    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect(rows.first().locator('.log-text')).toHaveText('burst line 1001');
    await expect(log.getByText('burst line 1000', { exact: true })).toHaveCount(0);
    const atTop = await rows.count();
    assert.ok(atTop < 200, `${atTop} rows in the DOM at the top`);
    await expect(view.getByRole('button', { name: 'Jump to latest' })).toBeVisible();

    await view.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(view.getByTestId('status-badge')).toHaveText('Stopped', { timeout: 20_000 });
    assert.deepEqual(viewProblems, [], 'no errors in the page');
  } finally {
    await view.close();
    await burst.stop();
    try {
      if (pid) await waitUntil(() => !pidAlive(pid), 10_000, 'the burst agent to end');
      assert.deepEqual(processesMentioning(dir), [], 'no process still runs in the project');
    } finally {
      removeDirs(dir, burst.dataDir);
    }
  }
});

test('the theme follows the system: dark and light pages have different backgrounds', async () => {
  const browser = launched.browser;
  const background = async (colorScheme: 'dark' | 'light') => {
    const context = await browser.newContext({ colorScheme });
    try {
      const themed = await context.newPage();
      await themed.goto(served.url);
      await expect(themed.getByRole('navigation')).toBeVisible();
      return await themed.evaluate(() => getComputedStyle(document.body).backgroundColor);
    } finally {
      await context.close();
    }
  };
  const luminance = (rgb: string) => {
    const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const dark = await background('dark');
  const light = await background('light');
  assert.notEqual(dark, light);
  assert.ok(luminance(dark) < luminance(light), `dark ${dark} is darker than light ${light}`);
});
