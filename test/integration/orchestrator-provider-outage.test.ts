/**
 * Provider trouble never counts against a feature, end to end: the real agent, the real Claude
 * Agent SDK and Claude Code (its own retries off: CLAUDE_CODE_MAX_RETRIES=0, a short
 * API_TIMEOUT_MS) against the fake Anthropic server answering 500 or 529, or against a port
 * nobody listens on. The orchestrator is not faked; only its backoff is shortened by its knobs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FeaturesDb } from '../../core/features-db.ts';
import { scriptedBrain, type SessionInfo } from '../fixtures/scripted-agent-brain.ts';
import { assertGroupGone, exitWithin, startAgent } from '../fixtures/agent-harness.ts';
import { apiError, runToEnd } from '../helpers/agent-run-to-end.ts';
import { agentSuite, ofType, lastLines } from '../helpers/agent-suite.ts';

const suite = agentSuite();
const { project } = suite;
const attempts = (dir: string): [number, boolean, number][] => {
  const db = FeaturesDb.open(join(dir, 'features.db'));
  try {
    return db.all().map((f) => [f.attempts, f.needsHumanInput, f.id]);
  } finally {
    db.close();
  }
};
/**
 * Retries in seconds, not minutes: the first hold of an outage is `backoffMs` (it doubles per
 * hold; a hold lasts at least 1 s, so from 1 s on each hold shows the doubling).
 */
const quickRetries = (backoffMs: number) => ({
  NIGHTSHIFT_PROVIDER_BACKOFF_MS: String(backoffMs),
  NIGHTSHIFT_MAX_ATTEMPTS: '2',
  API_TIMEOUT_MS: '5000',
});
/** A run of a new project with `spec` and quick retries, waited out: it must end well. */
const quickRetriesRun = (spec: string, backoffMs: number) =>
  runToEnd(suite, spec, { env: quickRetries(backoffMs) }, { timeoutMs: 180_000 });
const error500 = apiError(500, 'api_error', 'Internal server error');
const error529 = apiError(529, 'overloaded_error', 'Overloaded');

test('HTTP 500 at the start of a run: the initializer waits it out, then the backlog is built and done', async () => {
  const sessions: SessionInfo[] = [];
  let failing = 0;
  // The first three initializer sessions meet a 500 (more than the initializer's two tries).
  suite.fake.setBrain(
    scriptedBrain({
      sessions,
      intercept: (_req, s) => (s.role === 'initializer' && failing++ < 3 ? error500 : null),
    }),
  );
  const { dir, run } = await quickRetriesRun('App\n- One\n- Two\n', 1000);
  const holds = ofType(run, 'provider-hold').filter((e) => e.state === 'hold');
  assert.equal(holds.length, 3, 'one hold per failed session, none counted');
  assert.deepEqual(
    holds.map((h) => Math.round((h.until! - h.ts) / 500) / 2),
    [1, 2, 4],
    'backoff doubling from the first hold',
  );
  assert.ok(holds.every((h) => h.reason === 'server-error'));
  assert.ok(
    ofType(run, 'agent-finished').filter(
      (e) => e.role === 'initializer' && e.outcome === 'unavailable',
    ).length >= 2,
    'more failed initializer sessions than the cap of two, none counted',
  );
  assert.ok(ofType(run, 'run-state').some((e) => e.phase === 'waiting-for-provider'));
  assert.equal(ofType(run, 'rate-limit').length, 0, 'a 500 is not a rate limit');
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete', lastLines(run));
  assert.deepEqual(attempts(dir), [
    [0, false, 1],
    [0, false, 2],
  ]);
});

test('a long run of 529s during coding: "overloaded", no attempt counted, the features pass afterwards', async () => {
  let overloaded = 0;
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (_req, s) => (s.role === 'coding' && overloaded++ < 5 ? error529 : null),
    }),
  );
  const { dir, run } = await quickRetriesRun('App\n- Only\n', 250); // the first holds: 1 s, the least
  const failed = ofType(run, 'agent-finished').filter(
    (e) => e.role === 'coding' && e.outcome === 'unavailable',
  );
  assert.ok(failed.length >= 3, `more sessions failed than the cap of two (${failed.length})`);
  const holds = ofType(run, 'provider-hold').filter((e) => e.state === 'hold');
  assert.ok(holds.length > 0 && holds.every((h) => h.reason === 'overloaded'));
  assert.match(holds[0]!.message, /^The provider is overloaded since .*; retrying at /);
  assert.equal(ofType(run, 'rate-limit').length, 0, 'a 529 is not a rate limit');
  assert.ok(!run.lines.some((l) => /Rate-limited|rate or usage limit/i.test(l)));
  assert.equal(ofType(run, 'human-input').length, 0);
  assert.deepEqual(attempts(dir), [[0, false, 1]]);
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
});

test('a provider that refuses connections past the outage limit: the run stops with its reason and every attempt count stays 0', async () => {
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  const dir = project('App\n');
  const db = FeaturesDb.open(join(dir, 'features.db'));
  db.createBulk([{ category: 'c', name: 'A', description: 'a', steps: ['s'] }]);
  db.close();
  // One attempt allowed: had a failed session counted, the feature would have been set aside
  // for a human after the first one, and no second session would have started on it.
  const run = startAgent({
    projectDir: dir,
    fakeUrl: `http://127.0.0.1:${closed}`,
    env: {
      ...quickRetries(250),
      NIGHTSHIFT_MAX_ATTEMPTS: '1',
      NIGHTSHIFT_PROVIDER_OUTAGE_LIMIT_MIN: '0.1', // 6 s
    },
  });
  try {
    const { code } = await exitWithin(run, 180_000);
    assert.equal(code, 0, lastLines(run));
    const failed = ofType(run, 'agent-finished').filter((e) => e.outcome === 'unavailable');
    assert.ok(failed.length >= 2, `more sessions failed than the one attempt (${failed.length})`);
    assert.ok(failed.every((e) => e.featureId === 1));
    assert.ok(ofType(run, 'provider-hold').some((e) => e.reason === 'unreachable'));
    const last = ofType(run, 'run-state').at(-1)!;
    assert.equal(last.phase, 'finished');
    assert.match(
      last.message,
      /^Provider unreachable since .*longer than the 6 s limit: stopped\. No feature attempt was counted/,
    );
    assert.deepEqual(attempts(dir), [[0, false, 1]]);
    const after = FeaturesDb.open(join(dir, 'features.db'));
    assert.ok(
      after.all().every((f) => !f.inProgress && f.claimOwner === null),
      'claims released',
    );
    after.close();
  } finally {
    run.killGroup();
    await assertGroupGone(run.pid);
  }
});
