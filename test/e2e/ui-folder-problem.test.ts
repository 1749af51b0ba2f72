/**
 * A project whose folder disappeared while Nightshift ran: its panel says why in a sentence and
 * Start is disabled (real renderer in Chromium, real `nightshift serve`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { expect } from 'playwright/test';
import { addProject, removeDirs, startUi, stopUi, tempProject } from '../helpers/ui-harness.ts';

test('a project whose folder is gone says so in its panel and cannot start', async () => {
  const ui = await startUi(['--interval', '100']);
  const project = tempProject('ns-ui-gone-');
  try {
    const added = (await addProject(ui.served.url, 'vanished', project)) as { ok: boolean };
    assert.equal(added.ok, true);
    rmSync(project, { recursive: true, force: true });
    await ui.page.goto(ui.served.url);
    await ui.page.getByText('vanished', { exact: true }).first().click();
    const problem = ui.page.getByTestId('folder-problem');
    await expect(problem).toContainText(`The folder ${project} does not exist any more.`);
    await expect(problem).toContainText('nothing of the project was deleted');
    await expect(ui.page.getByRole('button', { name: 'Start', exact: true })).toBeDisabled();
    assert.deepEqual(ui.problems, []);
  } finally {
    await stopUi(ui.launched, ui.served);
    removeDirs(project, ui.served.dataDir);
  }
});
