/**
 * "Expand the project" on the main side, on a real project folder: the contract refuses an empty
 * or oversized addendum with a sentence (and nothing is written); an accepted one is appended to
 * the spec under a dated heading and queued atomically for the project's agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInput } from '../../contract/index.ts';
import { backlogCommands, MAX_ADDENDUM_CHARS } from '../../contract/backlog.ts';
import { expansionQueueDir, pendingExpansions } from '../../core/expansion-queue.ts';
import { expandHandler } from '../../main/services/expand-service.ts';

const schema = backlogCommands['backlog.expand'].input;

test('an empty addendum is refused with a sentence; a huge one is refused at the cap', () => {
  const empty = parseInput(schema, { id: 'p', addendum: '   \n ' });
  assert.equal(empty.ok, false);
  assert.match(!empty.ok ? empty.error.message : '', /Write what the project should also do/);
  const huge = parseInput(schema, { id: 'p', addendum: 'x'.repeat(MAX_ADDENDUM_CHARS + 1) });
  assert.equal(huge.ok, false);
  assert.match(!huge.ok ? huge.error.message : '', /longer than 50,000 characters/);
  assert.equal(parseInput(schema, { id: 'p', addendum: 'x'.repeat(MAX_ADDENDUM_CHARS) }).ok, true);
});

test('while the agent runs, the addendum goes into the spec under a dated heading and is queued, with no second agent started', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-expand-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'app_spec.txt'), 'Notes app\n\n');
  let starts = 0;
  const expand = expandHandler({
    projectDir: (id) => (id === 'p' ? dir : null),
    isActive: () => true,
    startExpansion: () => {
      starts++;
      return Promise.resolve({ ok: true, value: null });
    },
    now: () => Date.parse('2026-12-01T21:30:00Z'),
  });
  const r = await expand({ id: 'p', addendum: '  Share notes by link.  ' });
  assert.ok(r.ok);
  assert.equal(r.value.started, false);
  assert.equal(
    r.value.message,
    `The addendum was added to ${join(dir, 'app_spec.txt')}. The running agent adds its features before its next claim.`,
  );
  assert.equal(starts, 0, 'a running agent takes it up: no second agent process');
  assert.equal(
    readFileSync(join(dir, 'app_spec.txt'), 'utf8'),
    'Notes app\n\n## Addendum 2026-12-01 21:30 UTC\n\nShare notes by link.\n',
  );
  const queued = pendingExpansions(dir);
  assert.equal(queued.length, 1);
  assert.equal(queued[0]!.addendum, 'Share notes by link.');
  assert.deepEqual(
    readdirSync(expansionQueueDir(dir)).filter((n) => n.endsWith('.tmp')),
    [],
    'no half-written file is left beside the request',
  );

  const unknown = await expand({ id: 'q', addendum: 'More.' });
  assert.equal(unknown.ok, false);
  assert.equal(pendingExpansions(dir).length, 1, 'an unknown project queues nothing');
});
