/**
 * The real agent process, the real Claude Agent SDK and the real bundled Claude Code executable,
 * against a local fake Anthropic Messages API (127.0.0.1, scripted tool calls). No credentials,
 * no network. Every test checks that nothing of the agent's process group is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, unlinkSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeaturesDb } from '../../core/features-db.ts';
import { drainFlagPath } from '../../core/run-log.ts';
import { callTool, text, toolResultText } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain, sessionOf, type SessionInfo } from '../fixtures/scripted-agent-brain.ts';
import { assertGroupGone, exitWithin, type AgentRun } from '../fixtures/agent-harness.ts';
import { runToEnd } from '../helpers/agent-run-to-end.ts';
import { agentSuite, ofType, permissionDenials, ended } from '../helpers/agent-suite.ts';
import { createReferenceDb, readRawRows } from '../fixtures/reference-db.ts';

const suite = agentSuite();
const { project } = suite;

const SPEC =
  'A small app\n- Layout\n- Login [after: 0]\n- Profile [after: 1]\n- Search [after: 0]\n';

/** A run whose session on feature #1 hangs in a Bash call, answered once that call runs. */
async function startHangingOnFirst(spec: string): Promise<{ dir: string; run: AgentRun }> {
  suite.fake.setBrain(scriptedBrain({ hangOn: new Set([1]) }));
  const dir = project(spec);
  const run = suite.start({ projectDir: dir });
  await run.waitFor(
    (e) => e.type === 'activity' && e.summary.includes('Wait for the build'),
    60_000,
    'the hanging Bash call',
  );
  return { dir, run };
}

test('a spec becomes features; two coding agents and one regression agent finish the backlog through real tool calls', async () => {
  const sessions: SessionInfo[] = [];
  suite.fake.setBrain(scriptedBrain({ sessions }));
  const resultsBefore = suite.fake.toolResults.length;
  const { dir, run } = await runToEnd(
    suite,
    SPEC,
    {
      concurrency: 2,
      regressionAgents: 1,
    },
    { timeoutMs: 240_000 },
  );

  const db = FeaturesDb.open(join(dir, 'features.db'));
  const features = db.all();
  db.close();
  assert.deepEqual(
    features.map((f) => [f.name, f.passes, f.dependencies]),
    [
      ['Layout', true, []],
      ['Login', true, [1]],
      ['Profile', true, [2]],
      ['Search', true, [1]],
    ],
  );
  for (const f of features)
    assert.ok(
      existsSync(join(dir, `feature-${f.id}.txt`)),
      `feature ${f.id} was implemented by a Bash call`,
    );

  const finished = ofType(run, 'agent-finished');
  assert.equal(finished.filter((e) => e.role === 'initializer' && e.outcome === 'done').length, 1);
  assert.equal(finished.filter((e) => e.role === 'coding' && e.outcome === 'passed').length, 4);
  assert.ok(
    finished.filter((e) => e.role === 'regression' && e.outcome === 'tested-ok').length >= 1,
  );
  assert.ok(
    finished.every((e) => e.sessionId && e.usage && e.turns !== null),
    'session id, usage and turns come from the result',
  );
  // Two coding agents really ran at the same time.
  let live = 0;
  let maxLive = 0;
  for (const e of run.events) {
    if (e.type === 'agent-started' && e.role === 'coding') maxLive = Math.max(maxLive, ++live);
    if (e.type === 'agent-finished' && e.role === 'coding') live--;
  }
  assert.equal(maxLive, 2);
  assert.ok(
    ofType(run, 'activity').some(
      (e) => e.kind === 'tool' && e.summary.startsWith('feature_mark_passing'),
    ),
  );
  const last = ofType(run, 'run-state').at(-1)!;
  assert.equal(last.phase, 'complete');
  assert.equal(ofType(run, 'progress').at(-1)!.progress.passing, 4);
  assert.ok(ofType(run, 'cost').at(-1)!.runTotal.costUsd > 0);
  // Every tool a prompt named was allowed: no tool result the model received was a denial.
  const results = suite.fake.toolResults.slice(resultsBefore);
  assert.ok(results.length >= 12, `the fake server saw the tool results (${results.length})`);
  assert.deepEqual(permissionDenials(suite.fake, resultsBefore), []);
  assert.deepEqual(
    results.filter((r) => r.is_error).map(toolResultText),
    [],
    'no tool call failed at all',
  );
  assert.ok(sessions.some((s) => s.role === 'regression'));
});

test('a command the guard refuses reaches the model as a denial, so the check above can fail', async () => {
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (_req, s) =>
        s.role === 'coding' && s.step === 1
          ? callTool('Bash', { command: 'sudo id', description: 'Become root' })
          : null,
    }),
  );
  const resultsBefore = suite.fake.toolResults.length;
  await runToEnd(suite, 'App\n- One\n', {}, { timeoutMs: 240_000 });
  const denials = permissionDenials(suite.fake, resultsBefore);
  assert.equal(denials.length, 1, JSON.stringify(suite.fake.toolResults.slice(resultsBefore)));
  assert.match(denials[0]!, /sudo/);
});

test('an agent killed mid-feature has its claim recovered on the next start', async () => {
  const { dir, run: first } = await startHangingOnFirst('App\n- Only feature\n');
  first.killGroup();
  await ended(first, 30_000);
  let db = FeaturesDb.open(join(dir, 'features.db'));
  const held = db.get(1)!;
  db.close();
  assert.equal(held.inProgress, true, 'the crash left the claim behind');
  assert.match(held.claimOwner!, new RegExp(`^ns:[^:]+:${first.pid}:`));

  const sessions: SessionInfo[] = [];
  suite.fake.setBrain(scriptedBrain({ sessions }));
  const second = suite.start({ projectDir: dir });
  const { code } = await ended(second, 240_000);
  assert.equal(code, 0);
  assert.ok(second.lines.some((l) => l.includes('Resuming 1 interrupted feature')));
  db = FeaturesDb.open(join(dir, 'features.db'));
  const done = db.get(1)!;
  db.close();
  assert.equal(done.passes, true);
  assert.deepEqual(
    sessions.filter((x) => x.role === 'coding').map((x) => x.attempt),
    [2],
    'the crashed session counted as an attempt',
  );
  assert.equal(done.attempts, 0, 'passing resets the attempts');
});

test('a rate-limit answer holds every new session until the reset, then the run resumes by itself', async () => {
  let refused = 0;
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (_req, s) => {
        if (s.role === 'coding' && s.featureId === 1 && s.step === 0 && refused === 0) {
          refused++;
          return {
            kind: 'error',
            status: 429,
            errorType: 'rate_limit_error',
            message: 'Rate limit exceeded',
            headers: { 'retry-after': '2' },
          };
        }
        return null;
      },
    }),
  );
  const { dir, run } = await runToEnd(
    suite,
    'App\n- One\n- Two\n',
    {
      env: { NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS: '2000' },
    },
    { timeoutMs: 240_000 },
  );
  const holds = ofType(run, 'rate-limit');
  assert.deepEqual(
    holds.map((h) => h.state),
    ['hold', 'release'],
  );
  const holdIdx = run.events.indexOf(holds[0]!);
  const releaseIdx = run.events.indexOf(holds[1]!);
  assert.ok(holds[0]!.until! - holds[0]!.ts >= 1500);
  assert.ok(holds[1]!.ts >= holds[0]!.until! - 50, 'released only after the hold time');
  assert.equal(
    run.events.slice(holdIdx, releaseIdx).filter((e) => e.type === 'agent-started').length,
    0,
    'no session starts while held',
  );
  assert.ok(ofType(run, 'run-state').some((e) => e.phase === 'rate-limited'));
  assert.equal(
    ofType(run, 'agent-finished').find((e) => e.featureId === 1)!.outcome,
    'rate-limited',
  );
  const db = FeaturesDb.open(join(dir, 'features.db'));
  assert.deepEqual(
    db.all().map((f) => [f.passes, f.attempts]),
    [
      [true, 0],
      [true, 0],
    ],
    'a rate limit is not the feature’s fault',
  );
  db.close();
});

test('drain finishes the current session, starts none, reports drained; removing the flag continues', async () => {
  suite.fake.setBrain(scriptedBrain());
  const dir = project('App\n- A\n- B\n- C\n');
  mkdirSync(join(dir, '.nightshift'), { recursive: true });
  const run = suite.start({ projectDir: dir });
  await run.waitFor(
    (e) => e.type === 'agent-started' && e.role === 'coding',
    60_000,
    'the first coding agent',
  );
  writeFileSync(drainFlagPath(dir), '');
  const drained = await run.waitFor(
    (e) => e.type === 'run-state' && e.phase === 'drained',
    60_000,
    'drained',
  );
  const startsBefore = ofType(run, 'agent-started').length;
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(ofType(run, 'agent-started').length, startsBefore, 'nothing starts while drained');
  assert.ok(
    run.events.indexOf(drained) >
      run.events.findIndex((e) => e.type === 'agent-finished' && e.role === 'coding'),
  );
  unlinkSync(drainFlagPath(dir));
  await run.waitFor(
    (e) => e.type === 'run-state' && e.phase === 'working' && e.ts > drained.ts,
    10_000,
    'working again',
  );
  const { code } = await ended(run, 240_000);
  assert.equal(code, 0);
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
});

test('SIGTERM aborts sessions, releases claims, exits 0 and leaves no process behind', async () => {
  const { dir, run } = await startHangingOnFirst('App\n- Slow one\n');
  const t0 = Date.now();
  process.kill(run.pid, 'SIGTERM');
  const { code } = await exitWithin(run, 240_000);
  assert.ok(Date.now() - t0 < 10_000, 'stopped promptly');
  assert.equal(code, 0);
  await assertGroupGone(run.pid, 3000);
  const db = FeaturesDb.open(join(dir, 'features.db'));
  const f = db.get(1)!;
  db.close();
  assert.equal(f.inProgress, false, 'claim released');
  assert.equal(f.claimOwner, null);
  assert.equal(f.attempts, 0, 'a stop is not an attempt');
  assert.equal(ofType(run, 'agent-finished').at(-1)!.outcome, 'aborted');
});

test('a database created with the reference schema (.autocoder/) is worked in place', async () => {
  suite.fake.setBrain(scriptedBrain());
  const dir = project(null);
  const path = join(dir, '.autocoder', 'features.db');
  createReferenceDb(path, [
    { id: 1, name: 'Done already', passes: true, lastTestedAt: '2026-01-01 10:00:00.000000' },
    { id: 2, name: 'Needs one', dependencies: '[1]' },
    { id: 3, name: 'Null deps', dependencies: 'null' },
    { id: 4, name: 'Left in progress by autocoder', inProgress: true, dependencies: '[]' },
  ]);
  const run = suite.start({
    projectDir: dir,
    concurrency: 2,
    regressionAgents: 1,
  });
  const { code } = await ended(run, 240_000);
  assert.equal(code, 0, run.lines.slice(-20).join('\n'));
  assert.equal(existsSync(join(dir, 'features.db')), false, 'no second database');
  const rows = readRawRows(path);
  assert.deepEqual(
    rows.map((r) => [r.id, r.passes, r.in_progress, r.testing_in_progress]),
    [
      [1, 1, 0, 0],
      [2, 1, 0, 0],
      [3, 1, 0, 0],
      [4, 1, 0, 0],
    ],
  );
  assert.equal(ofType(run, 'agent-started').filter((e) => e.role === 'initializer').length, 0);
  // Regression agents re-verify features after they pass (the old one was tested before).
  assert.ok(ofType(run, 'agent-finished').some((e) => e.role === 'regression'));
});

test('a feature that keeps failing counts attempts and is set aside for a human at the cap', async () => {
  suite.fake.setBrain(scriptedBrain({ failOn: new Set([1]) }));
  const { dir, run } = await runToEnd(
    suite,
    'App\n- Impossible\n- Fine\n',
    {
      env: { NIGHTSHIFT_MAX_ATTEMPTS: '2' },
    },
    { timeoutMs: 240_000 },
  );
  const finished = ofType(run, 'agent-finished').filter((e) => e.featureId === 1);
  assert.deepEqual(
    finished.map((e) => e.outcome),
    ['failed', 'failed'],
  );
  const human = ofType(run, 'human-input');
  assert.equal(human.length, 1);
  assert.equal(human[0]!.featureId, 1);
  const last = ofType(run, 'run-state').at(-1)!;
  assert.equal(last.phase, 'finished', 'work is left, so not "complete"');
  assert.match(last.message, /1 of 2 features pass.*1 need human input/);
  const db = FeaturesDb.open(join(dir, 'features.db'));
  const f = db.get(1)!;
  db.close();
  assert.equal(f.needsHumanInput, true);
  assert.equal(f.attempts, 2);
  assert.match(f.lastError!, /without marking the feature passing/);
});

test('YOLO: no regression agents and prompts that verify with lint, type-check and tests', async () => {
  const prompts: string[] = [];
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (req, s) => {
        if (s.step === 0 && s.role === 'coding') prompts.push(JSON.stringify(req.messages[0]));
        return null;
      },
    }),
  );
  const { run } = await runToEnd(
    suite,
    'App\n- One\n',
    {
      regressionAgents: 2,
      yolo: true,
    },
    { timeoutMs: 240_000 },
  );
  assert.equal(ofType(run, 'agent-started').filter((e) => e.role === 'regression').length, 0);
  assert.match(prompts[0]!, /linter, type checker and tests/);
});

test('failures exit non-zero: no spec, and an initializer that creates no features', async () => {
  suite.fake.setBrain(scriptedBrain());
  const noSpec = suite.start({ projectDir: project(null) });
  assert.equal((await exitWithin(noSpec, 120_000)).code, 2);
  assert.match(ofType(noSpec, 'run-state').at(-1)!.message, /no app spec/);

  suite.fake.setBrain((req) =>
    sessionOf(req)?.role === 'initializer' ? text('I will not create anything.') : text('ok'),
  );
  const { dir, run } = await runToEnd(suite, 'App\n- One\n', {}, { code: 1, timeoutMs: 240_000 });
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'failed');
  assert.equal(
    ofType(run, 'agent-started').filter((e) => e.role === 'initializer').length,
    3,
    'up to the attempt cap',
  );
  assert.match(
    ofType(run, 'run-state').at(-1)!.message,
    /The initializer did not create any features in 3 sessions/,
  );
  // The run log file is only written when stdout is gone; here stdout worked throughout.
  assert.equal(existsSync(join(dir, '.nightshift', 'runs', 'test-run.jsonl')), false);
  void readFileSync;
});
