/**
 * The browser shell has no desktop notifications, so the page shows them: against the real
 * `nightshift serve`, two fixture agents that crash (exit code 4) each raise an alert toast that
 * stays; Dismiss removes one, and "Open project" on the other selects its project.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expect } from 'playwright/test';
import { addProjectInUi, shot, startInUi, tempProject, uiHooks } from '../helpers/ui-harness.ts';

const crashy = tempProject('ns-ui-crashy-');
const other = tempProject('ns-ui-other-');
const ui = uiHooks(['--interval', '100', '--crash-after', '3000'], { dirs: [crashy, other] });

const nav = () => ui.page.getByRole('navigation', { name: 'Projects' });
const heading = (name: string) => ui.page.getByRole('heading', { level: 1, name });

test('a crash raises a toast that stays; Open project selects that project', async () => {
  const { served, page, problems } = ui;
  await page.goto(served.url);
  await addProjectInUi(page, 'crashy', crashy);
  await startInUi(page);
  await addProjectInUi(page, 'other', other);
  await startInUi(page);

  const urgent = page.getByRole('alert', { name: 'Urgent notifications' });
  const crashToast = urgent.getByRole('group', { name: 'crashy: the agent crashed' });
  const otherToast = urgent.getByRole('group', { name: 'other: the agent crashed' });
  await expect(crashToast).toBeVisible({ timeout: 15_000 });
  await expect(crashToast).toContainText('It exited with code 4.');
  await expect(otherToast).toBeVisible({ timeout: 15_000 });
  // Still on the project shown before the crash: a toast does not navigate by itself.
  await expect(heading('other')).toBeVisible();
  await shot(page, 'toasts');

  // Dismiss (here from the keyboard) removes just that toast; focus moves to the next one.
  await otherToast.getByRole('button', { name: 'Dismiss' }).focus();
  await page.keyboard.press('Enter');
  await expect(otherToast).toHaveCount(0);
  await expect(crashToast).toBeVisible();
  await expect(crashToast.getByRole('button', { name: 'Dismiss' })).toBeFocused();

  await crashToast.getByRole('button', { name: 'Open project' }).click();
  await expect(heading('crashy')).toBeVisible();
  await expect(heading('crashy')).toBeFocused();
  await expect(nav().getByRole('button', { name: /^crashy/ })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(page.getByTestId('status-badge')).toHaveText('Crashed (exit code 4)');
  await expect(crashToast).toHaveCount(0);
  await expect(urgent.getByRole('group')).toHaveCount(0);
  assert.deepEqual(problems, [], 'no errors in the page');
});
