/**
 * The backlog board end to end: the real `nightshift serve`, the real renderer in Chromium, the
 * real agent (agent/cli.ts, Claude Agent SDK, bundled Claude Code) against the local fake
 * Anthropic server. While the agent works on a slow feature, the user skips one feature, adds
 * another (depending on the one in progress) and is refused a dependency cycle, all through the
 * UI; the agent then works the added feature and leaves the skipped one. Afterwards the list is
 * reordered with the keyboard only. The database is read only to check the UI's effect.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import { readFeatures, seedNotesBacklog } from '../fixtures/notes-backlog.ts';
import { scriptedBrain, type SessionInfo } from '../fixtures/scripted-agent-brain.ts';
import { addProjectInUi, openBoard, tempProject } from '../helpers/ui-harness.ts';
import { realAgentUiHooks } from '../helpers/serve.ts';

let url = '';
let page: Page;
let problems: string[] = [];
const sessions: SessionInfo[] = [];
const project = tempProject('ns-e2e-backlog-');

/** The backlog's message line (role status, or alert for a refusal). */
const notice = () => page.locator('.backlog-notice');

realAgentUiHooks({
  // #1 takes 12 s, so the edits happen while the agent is working on it.
  brain: scriptedBrain({ slowOn: new Map([[1, 12]]), sessions }),
  project,
  prepare: () => {
    writeFileSync(join(project, 'app_spec.txt'), 'Notes app\n');
    seedNotesBacklog(project, 3);
  },
  started: (ui) => ({ url, page, problems } = ui),
});

test('edits made in the UI while the agent works are followed: an added feature is built, a skipped one is left', async () => {
  await page.goto(url);
  await addProjectInUi(page, 'notes', project);
  const board = await openBoard(page);
  await expect(board('Pending').getByRole('button', { name: /Layout/ })).toBeVisible();

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(board('In progress').getByRole('button', { name: /#1 Layout/ })).toBeVisible({
    timeout: 60_000,
  });
  assert.equal(
    readFeatures(project, (db) => db.get(1)!.inProgress),
    true,
    'the agent holds #1 during the edits',
  );

  // Skip #3 from its details.
  await board('Blocked')
    .getByRole('button', { name: /#3 Export notes/ })
    .click();
  const details3 = page.getByRole('complementary', { name: 'Feature #3' });
  await details3.getByRole('button', { name: 'Skip', exact: true }).click();
  await expect(notice()).toHaveText(
    'Skipped #3 Export notes; agents leave it until you unskip it.',
  );
  await expect(board('Skipped').getByRole('button', { name: /#3 Export notes/ })).toBeVisible();

  // A cycle is refused with a sentence naming it (and the database keeps #1's dependencies).
  await board('In progress')
    .getByRole('button', { name: /#1 Layout/ })
    .click();
  const details1 = page.getByRole('complementary', { name: 'Feature #1' });
  await details1.getByLabel('Depends on').fill('2');
  await details1.getByRole('button', { name: 'Save dependencies' }).click();
  await expect(notice()).toHaveText('That would make a cycle: Layout → Create a note → Layout.');
  assert.deepEqual(
    readFeatures(project, (db) => db.get(1)!.dependencies),
    [],
  );

  // Add a feature that waits for #1.
  await page.getByRole('button', { name: 'Add feature' }).click();
  const editor = page.getByRole('dialog', { name: 'Add a feature' });
  await editor.getByLabel('Category').fill('notes');
  await editor.getByLabel('Name').fill('Search notes');
  await editor.getByLabel('Description').fill('Find a note by its text');
  await editor.getByLabel('Steps (one per line)').fill('Type a word\nSee the note');
  await editor.getByLabel('Depends on (feature numbers)').fill('1');
  await editor.getByRole('button', { name: 'Add feature' }).click();
  await expect(editor).toHaveCount(0);
  await expect(notice()).toHaveText(
    'Added #4 Search notes; the agents can pick it up at their next claim.',
  );
  assert.equal(
    readFeatures(project, (db) => db.get(1)!.passes),
    false,
    'the edits happened while #1 was worked',
  );

  // The run goes on by itself: #1, #2 and the added #4 pass; #3 is never worked.
  await expect(board('Passing').getByRole('button')).toHaveCount(3, { timeout: 120_000 });
  await expect(board('Passing').getByRole('button', { name: /#4 Search notes/ })).toBeVisible();
  await expect(page.getByTestId('status-badge')).toHaveText('Stopped', { timeout: 30_000 });
  const state = readFeatures(project, (db) =>
    db.all().map((f) => [f.id, f.passes, f.userSkippedAt !== null]),
  );
  assert.deepEqual(state, [
    [1, true, false],
    [2, true, false],
    [3, false, true],
    [4, true, false],
  ]);
  const coded = sessions.filter((s) => s.role === 'coding').map((s) => s.featureId);
  assert.ok(coded.includes(4), `the agent worked the added feature: ${JSON.stringify(coded)}`);
  assert.ok(!coded.includes(3), `the agent left the skipped feature: ${JSON.stringify(coded)}`);

  // The details of #4 list the session that built it, from the run log.
  await board('Passing')
    .getByRole('button', { name: /#4 Search notes/ })
    .click();
  const details4 = page.getByRole('complementary', { name: 'Feature #4' });
  await expect(details4.getByRole('row', { name: /coding passed/ })).toHaveCount(1);
  assert.deepEqual(problems, []);
});

test('the list is reordered with the keyboard alone', async () => {
  await page.getByRole('radio', { name: 'List' }).click();
  const list = page.getByRole('listbox', { name: 'Features in priority order' });
  const names = () => list.getByRole('option').allTextContents();
  const before = readFeatures(project, (db) => db.all().map((f) => f.id));
  await list.focus();
  await page.keyboard.press('Home'); // selects the first row
  await page.keyboard.press('ArrowDown'); // the second
  const second = before[1]!;
  await expect(list.getByRole('option', { selected: true })).toContainText(`#${second}`);
  await page.keyboard.press('Alt+ArrowUp');
  await expect(notice()).toContainText(`to position 1 of ${before.length}`);
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(notice()).toContainText(`to position 3 of ${before.length}`);
  const expected = [before[0]!, before[2]!, second, ...before.slice(3)];
  assert.deepEqual(
    readFeatures(project, (db) => db.all().map((f) => f.id)),
    expected,
  );
  await expect
    .poll(async () => (await names()).map((t) => Number(/#(\d+)/.exec(t)?.[1])))
    .toEqual(expected);
  await expect(list.getByRole('option', { selected: true })).toContainText(`#${second}`);
  assert.deepEqual(problems, []);
});

test('the graph pans and zooms with the keyboard and wheel by changing one transform, not its nodes', async () => {
  await page.getByRole('radio', { name: 'Graph' }).click();
  const graph = page.getByRole('group', { name: 'Dependency graph' });
  await expect(graph.getByRole('button', { name: /^#\d+ / })).toHaveCount(4);
  await expect(graph.getByRole('button', { name: '#3 Export notes, Skipped' })).toBeVisible();
  // Mark a node element: a re-render that replaced it would drop the mark.
  await graph.getByRole('button', { name: /^#1 Layout/ }).evaluate((el) => {
    (el as unknown as { __mark: number }).__mark = 1;
  });
  const wrapper = graph.locator('.graph-wrapper');
  const transform = () => wrapper.evaluate((el) => (el as HTMLElement).style.transform);
  const before = await transform();
  await graph.focus();
  await page.keyboard.press('+');
  const zoomed = await transform();
  assert.notEqual(zoomed, before);
  await page.keyboard.press('ArrowLeft');
  assert.notEqual(await transform(), zoomed);
  const box = (await graph.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const beforeWheel = await transform();
  await page.mouse.wheel(0, -200);
  await expect.poll(transform).not.toBe(beforeWheel);
  assert.equal(
    await graph
      .getByRole('button', { name: /^#1 Layout/ })
      .evaluate((el) => (el as unknown as { __mark?: number }).__mark),
    1,
    'the node element was not re-rendered',
  );
  assert.deepEqual(problems, []);
});

test('export downloads the backlog as feature_list.json and an import appends it back', async () => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export feature_list.json' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'feature_list.json');
  const file = await download.path();
  const items = JSON.parse(readFileSync(file, 'utf8')) as { id: number; name: string }[];
  assert.deepEqual(
    items.map((i) => i.id).sort((a, b) => a - b),
    [1, 2, 3, 4],
  );
  await page.getByLabel('Import file').setInputFiles(file);
  await expect(notice()).toHaveText(
    'Imported 4 features; the agents can pick them up at their next claim.',
  );
  assert.deepEqual(
    readFeatures(project, (db) =>
      db
        .all()
        .map((f) => f.id)
        .sort((a, b) => a - b),
    ),
    [1, 2, 3, 4, 5, 6, 7, 8],
  );
  assert.deepEqual(problems, []);
});
