/**
 * Checkpoints in the real renderer (Chromium) against the real `nightshift serve`, on real git
 * repositories in temporary folders: the feature's details list its checkpoints; "Restore this
 * checkpoint" first shows what it changes, restores once confirmed and says how to undo; a
 * project without git says so on its panel and "Initialize git" makes it a repository.
 */
import { test } from 'node:test';
import { git } from '../helpers/git.ts';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import { FeaturesDb } from '../../core/features-db.ts';
import { createCheckpoint } from '../../core/checkpoints.ts';
import { addProject, removeDirs, startUi, stopUi, tempProject } from '../helpers/ui-harness.ts';

test('a feature’s checkpoint: the restore shows what it changes, asks, restores and names the undo checkpoint', async () => {
  const ui = await startUi(['--interval', '100']);
  const project = tempProject('ns-ui-cp-');
  try {
    git(project, 'init', '-q');
    writeFileSync(join(project, '.gitignore'), 'features.db*\n');
    writeFileSync(join(project, 'app.js'), 'let a = 1;\n');
    git(project, 'add', '-A');
    git(project, 'commit', '-qm', 'start');
    const db = FeaturesDb.open(join(project, 'features.db'));
    db.createBulk([{ category: 'ui', name: 'Layout', description: 'The layout', steps: ['Open'] }]);
    db.close();
    writeFileSync(join(project, 'app.js'), 'let a = 1;\nlet b = 2;\n');
    const cp = await createCheckpoint(project, { runId: 'run-7', featureId: 1, attempt: 1 });
    assert.ok(cp.ok);
    // The session then broke app.js and added a stray file.
    writeFileSync(join(project, 'app.js'), 'broken\n');
    writeFileSync(join(project, 'stray.txt'), 'stray\n');
    assert.equal((await addProject(ui.served.url, 'cpui', project)).ok, true);

    const { page } = ui;
    await page.goto(ui.served.url);
    await page.getByText('cpui', { exact: true }).first().click();
    await page.getByRole('tab', { name: /Features/ }).click();
    await page.getByRole('radio', { name: 'Board' }).click();
    await page.getByRole('button', { name: /#1 Layout/ }).click();
    const details = page.getByRole('complementary', { name: 'Feature #1' });
    const checkpoints = details.getByRole('region', { name: 'Checkpoints' });
    await expect(checkpoints).toContainText('Before attempt 1, run run-7');
    await expect(checkpoints).toContainText(
      '(restoring: 2 files changed, 2 insertions, 2 deletions)',
    );
    await checkpoints.getByRole('button', { name: 'Restore this checkpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore this checkpoint?' });
    await expect(dialog.getByTestId('restore-stat')).toContainText(
      '2 files changed, 2 insertions, 2 deletions',
    );
    const files = dialog.getByRole('list', { name: 'Files it changes' });
    await expect(files).toContainText('~ app.js +2 −1');
    await expect(files).toContainText('− stray.txt +0 −1');
    assert.equal(
      readFileSync(join(project, 'app.js'), 'utf8'),
      'broken\n',
      'asking changes nothing',
    );
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(dialog).toBeHidden();
    const done = checkpoints.getByRole('status');
    await expect(done).toContainText(
      'Restored run-7/1-1: 2 files changed, 2 insertions, 2 deletions.',
    );
    await expect(done).toContainText('restore it to undo this');
    assert.equal(readFileSync(join(project, 'app.js'), 'utf8'), 'let a = 1;\nlet b = 2;\n');
    assert.equal(existsSync(join(project, 'stray.txt')), false);
    // The undo checkpoint is listed with the feature's checkpoints.
    await expect(checkpoints).toContainText('Before a restore');
    assert.deepEqual(ui.problems, []);
  } finally {
    await stopUi(ui.launched, ui.served);
    removeDirs(project, ui.served.dataDir);
  }
});

test('a project without git says so on its panel, and “Initialize git” makes it a repository', async () => {
  const ui = await startUi(['--interval', '100']);
  const project = tempProject('ns-ui-nogit-');
  try {
    writeFileSync(join(project, 'index.html'), '<p>hi</p>\n');
    assert.equal((await addProject(ui.served.url, 'nogit', project)).ok, true);
    const { page } = ui;
    await page.goto(ui.served.url);
    await page.getByText('nogit', { exact: true }).first().click();
    const panel = page.getByRole('region', { name: 'Git' });
    await expect(panel).toContainText(
      'This folder is not a git repository: Nightshift cannot checkpoint work before each session.',
    );
    await panel.getByRole('button', { name: 'Initialize git' }).click();
    await expect(panel.getByRole('status')).toContainText(
      `Initialized git in ${project} and committed its 1 file as the first commit.`,
    );
    assert.equal(git(project, 'ls-files'), 'index.html');
    assert.deepEqual(ui.problems, []);
  } finally {
    await stopUi(ui.launched, ui.served);
    removeDirs(project, ui.served.dataDir);
    rmSync(project, { recursive: true, force: true });
  }
});
