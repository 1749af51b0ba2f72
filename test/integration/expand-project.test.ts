/**
 * "Expand the project" against the real agent process (agent/cli.ts, the Claude Agent SDK, the
 * bundled Claude Code) and the local fake Anthropic server: the expansion is requested the way
 * main does it (core/expansion-queue.ts appends the addendum to the spec and queues it), and the
 * expander creates the new features through real MCP tool calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Feature } from '../../core/features-db.ts';
import { pendingExpansions, requestExpansion } from '../../core/expansion-queue.ts';
import { toolResultText } from '../fixtures/fake-anthropic-server.ts';
import { readFeatures, seedNotesBacklog } from '../fixtures/notes-backlog.ts';
import { scriptedBrain, type SessionInfo } from '../fixtures/scripted-agent-brain.ts';
import { assertGroupGone, exitWithin, startAgent } from '../fixtures/agent-harness.ts';
import { agentSuite, ofType, permissionDenials } from '../helpers/agent-suite.ts';

const suite = agentSuite();

/** What of an existing feature an expansion must leave exactly as it was. */
const untouched = (f: Feature) => ({
  id: f.id,
  name: f.name,
  category: f.category,
  description: f.description,
  steps: f.steps,
  dependencies: f.dependencies,
  priority: f.priority,
  passes: f.passes,
});

test('an idle project: the expand run adds two features depending on an existing one, changes nothing else, and the spec gets the dated addendum', async () => {
  const sessions: SessionInfo[] = [];
  suite.fake.setBrain(scriptedBrain({ sessions }));
  const resultsBefore = suite.fake.toolResults.length;
  const dir = suite.project('Notes app\n- Layout\n- Create a note [after: 0]\n');
  seedNotesBacklog(dir, 2);
  const before = readFeatures(dir, (db) => db.all()).map(untouched);
  const now = Date.parse('2026-12-01T21:30:00Z');
  requestExpansion(dir, '- Share a note [needs: #2]\n- Note tags [needs: #2]\n', now);

  const run = startAgent({ projectDir: dir, fakeUrl: suite.fake.url, mode: 'expand' });
  const { code } = await exitWithin(run, 180_000);
  await assertGroupGone(run.pid);
  assert.equal(code, 0, run.lines.slice(-20).join('\n'));

  const after = readFeatures(dir, (db) => db.all());
  assert.deepEqual(after.slice(0, 2).map(untouched), before, 'existing features unchanged');
  assert.deepEqual(
    after.slice(2).map((f) => [f.id, f.name, f.dependencies, f.passes, f.inProgress]),
    [
      [3, 'Share a note', [2], false, false],
      [4, 'Note tags', [2], false, false],
    ],
  );
  assert.deepEqual(
    sessions.map((s) => s.role),
    ['expander'],
    'one expander session and nothing else (no coding session claims work)',
  );
  const finished = ofType(run, 'agent-finished');
  assert.equal(finished.length, 1);
  assert.equal(finished[0]!.role, 'expander');
  assert.equal(finished[0]!.outcome, 'done');
  assert.equal(finished[0]!.message, 'Expansion added 2 features: #3 Share a note, #4 Note tags.');
  const last = ofType(run, 'run-state').at(-1)!;
  assert.equal(last.phase, 'finished');
  assert.match(last.message, /^Expansion added 2 features: .* Start the agent to build them\.$/);
  assert.ok(run.lines.some((l) => l.includes('Expansion added 2 features')));

  const spec = readFileSync(join(dir, 'app_spec.txt'), 'utf8');
  assert.equal(
    spec,
    'Notes app\n- Layout\n- Create a note [after: 0]\n\n## Addendum 2026-12-01 21:30 UTC\n\n- Share a note [needs: #2]\n- Note tags [needs: #2]\n',
  );
  assert.deepEqual(pendingExpansions(dir), [], 'the request left the queue');
  assert.deepEqual(permissionDenials(suite.fake, resultsBefore), []);
  assert.deepEqual(
    suite.fake.toolResults
      .slice(resultsBefore)
      .filter((r) => r.is_error)
      .map(toolResultText),
    [],
  );
  // The expander was offered reading and creating, nothing that edits or deletes.
  const expanderRequest = suite.fake.requests.find((r) =>
    JSON.stringify(r.messages[0]).includes('role=expander'),
  )!;
  const tools = (expanderRequest.tools ?? []).map((t) => t.name).sort();
  assert.deepEqual(tools, [
    'Glob',
    'Grep',
    'Read',
    'mcp__features__feature_create',
    'mcp__features__feature_create_bulk',
    'mcp__features__feature_get_by_id',
    'mcp__features__feature_get_graph',
    'mcp__features__feature_get_stats',
  ]);
});

test('during a live run: the queued expansion is picked up before the next claim and its feature gets worked', async () => {
  const sessions: SessionInfo[] = [];
  // #2 takes 8 s, so the expansion arrives while the run is working on it.
  suite.fake.setBrain(scriptedBrain({ sessions, slowOn: new Map([[2, 8]]) }));
  const dir = suite.project('Notes app\n- Layout\n- Create a note [after: 0]\n');
  seedNotesBacklog(dir, 2);
  const run = startAgent({ projectDir: dir, fakeUrl: suite.fake.url });
  await run.waitFor(
    (e) => e.type === 'agent-started' && e.role === 'coding' && e.featureId === 2,
    120_000,
    'the coding session on #2',
  );
  requestExpansion(dir, '- Share a note [needs: #2]\n', Date.now());

  const { code } = await exitWithin(run, 240_000);
  await assertGroupGone(run.pid);
  assert.equal(code, 0, run.lines.slice(-20).join('\n'));
  const finished = ofType(run, 'agent-finished');
  const expander = finished.find((e) => e.role === 'expander');
  assert.equal(expander?.message, 'Expansion added 1 feature: #3 Share a note.');
  const expanderStart = run.events.findIndex(
    (e) => e.type === 'agent-started' && e.role === 'expander',
  );
  const codingOn2End = run.events.findIndex(
    (e) => e.type === 'agent-finished' && e.role === 'coding' && e.featureId === 2,
  );
  assert.ok(
    expanderStart >= 0 && expanderStart < codingOn2End,
    'the expander ran while the run was still working on #2',
  );
  assert.ok(
    finished.some((e) => e.role === 'coding' && e.featureId === 3 && e.outcome === 'passed'),
    'the new feature was worked by the same run',
  );
  assert.deepEqual(
    readFeatures(dir, (db) => db.all()).map((f) => [f.id, f.passes, f.dependencies]),
    [
      [1, true, []],
      [2, true, [1]],
      [3, true, [2]],
    ],
  );
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
  assert.deepEqual(pendingExpansions(dir), []);
  assert.equal(sessions.filter((s) => s.role === 'expander').length, 1);
});
