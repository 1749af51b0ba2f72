/**
 * "Expand the project" end to end: the real `nightshift serve`, the renderer in Chromium, the
 * real agent (an `expand` run: agent/cli.ts, the Claude Agent SDK, bundled Claude Code) against
 * the local fake Anthropic server. An empty addendum is refused with main's sentence; a real one
 * lands in the spec under a dated heading and its feature appears on the board, depending on an
 * existing one, with the existing features untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import { readFeatures, seedNotesBacklog } from '../fixtures/notes-backlog.ts';
import { scriptedBrain, type SessionInfo } from '../fixtures/scripted-agent-brain.ts';
import { realAgentUiHooks } from '../helpers/serve.ts';
import { addProjectInUi, openBoard, tempProject } from '../helpers/ui-harness.ts';

let url = '';
let page: Page;
let problems: string[] = [];
const sessions: SessionInfo[] = [];
const project = tempProject('ns-e2e-expand-');

/** The backlog's message line (role status, or alert for a refusal). */
const notice = () => page.locator('.backlog-notice');

realAgentUiHooks({
  brain: scriptedBrain({ sessions }),
  project,
  prepare: () => {
    writeFileSync(join(project, 'app_spec.txt'), 'Notes app\n');
    seedNotesBacklog(project, 2);
  },
  started: (ui) => ({ url, page, problems } = ui),
});

test('the Expand dialog refuses an empty addendum, then an expander adds the new feature and the spec gets the dated addendum', async () => {
  const before = readFeatures(project, (db) =>
    db.all().map((f) => [f.id, f.name, f.dependencies, f.priority]),
  );
  await page.goto(url);
  await addProjectInUi(page, 'notes', project);
  const board = await openBoard(page);
  await expect(board('Pending').getByRole('button', { name: /Layout/ })).toBeVisible();

  await page.getByRole('button', { name: 'Expand the project…' }).click();
  const expand = page.getByRole('dialog', { name: 'Expand the project' });
  await expand.getByRole('button', { name: 'Expand', exact: true }).click();
  await expect(expand.getByRole('alert')).toHaveText(/Write what the project should also do/);
  assert.equal(readFileSync(join(project, 'app_spec.txt'), 'utf8'), 'Notes app\n');

  await expand.getByLabel('Addendum to the spec').fill('- Share a note [needs: #2]');
  await expand.getByRole('button', { name: 'Expand', exact: true }).click();
  await expect(expand).toHaveCount(0);
  await expect(notice()).toHaveText(
    `The addendum was added to ${join(project, 'app_spec.txt')}. An expander session is adding its features now.`,
  );
  await expect(board('Blocked').getByRole('button', { name: /#3 Share a note/ })).toBeVisible({
    timeout: 90_000,
  });
  await expect(page.getByTestId('status-badge')).toHaveText('Stopped', { timeout: 30_000 });

  assert.match(
    readFileSync(join(project, 'app_spec.txt'), 'utf8'),
    /^Notes app\n\n## Addendum \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\n\n- Share a note \[needs: #2\]\n$/,
  );
  const after = readFeatures(project, (db) =>
    db.all().map((f) => [f.id, f.name, f.dependencies, f.priority]),
  );
  assert.deepEqual(after.slice(0, 2), before, 'the existing features are unchanged');
  assert.deepEqual(after[2]!.slice(0, 3), [3, 'Share a note', [2]]);
  assert.deepEqual(
    sessions.map((s) => s.role),
    ['expander'],
    'the expand run ran one expander session and claimed nothing',
  );

  // The inbox says the expansion is done and offers to build what it added; starting does so.
  const inboxButton = page.getByRole('navigation').getByRole('button', { name: /^Inbox/ });
  await expect(inboxButton).toContainText(/^Inbox\s*1 items? need/, { timeout: 20_000 });
  await inboxButton.click();
  const item = page.getByRole('listitem', {
    name: 'notes: the expansion finished; start the agent to build what it added',
  });
  await expect(item.getByText('Expansion done')).toBeVisible();
  await item.getByRole('button', { name: 'Start the agent' }).click();
  await expect(item).toHaveCount(0, { timeout: 30_000 });
  await page
    .getByRole('navigation')
    .getByRole('button', { name: /^notes/ })
    .click();
  await expect(page.getByTestId('status-badge')).not.toHaveText('Stopped');
  assert.deepEqual(problems, []);
});
