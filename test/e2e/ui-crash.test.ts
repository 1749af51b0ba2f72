/**
 * A crash must not look like a stop: against the real `nightshift serve`, a fixture agent that
 * exits with code 4 shows "Crashed (exit code 4)", its last lines, and Start as the way on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expect } from 'playwright/test';
import { addProjectInUi, startInUi, tempProject, uiHooks } from '../helpers/ui-harness.ts';

const project = tempProject();
const ui = uiHooks(['--interval', '100', '--crash-after', '1500'], { dirs: [project] });

test('a crashed agent says so, with its exit code and last lines', async () => {
  const { served, page, problems } = ui;
  await page.goto(served.url);
  await addProjectInUi(page, 'crashy', project);

  await startInUi(page);
  await expect(page.getByText(/^Agent started \(pid \d+\)\.$/)).toBeVisible();
  await expect(page.getByTestId('status-badge')).toHaveText('Crashed (exit code 4)', {
    timeout: 15_000,
  });
  // The start's success does not stand next to the crash that came after it.
  await expect(page.getByText(/^Agent started \(pid \d+\)\.$/)).toHaveCount(0);
  await expect(page.getByLabel('Last lines before the crash')).toContainText('about to crash');
  await expect(page.getByText(/ended unexpectedly \(exit code 4\)/)).toBeVisible();
  await expect(
    page
      .getByRole('navigation')
      .getByRole('button', { name: /crashy Status: Crashed \(exit code 4\)/ }),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
  assert.deepEqual(problems, [], 'no errors in the page');
});
