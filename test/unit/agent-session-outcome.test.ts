/**
 * What a finished session means for its feature, per role (agent/session-outcome.ts): which
 * endings count an attempt, what is written to the database, and what the run says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  codingOutcome,
  codingRelease,
  faultOf,
  initializerOutcome,
  regressionOutcome,
  type SessionReport,
} from '../../agent/session-outcome.ts';
import type { SessionEnd, SessionResult } from '../../agent/session.ts';
import { featureOf } from '../helpers/feature.ts';

const result = (end: SessionEnd, message = 'The session said so.'): SessionResult => ({
  end,
  sessionId: 's-1',
  subtype: end === 'completed' ? 'success' : null,
  isError: end !== 'completed',
  message,
  usage: null,
  turns: 3,
  rateLimitUntil: null,
  durationMs: 1000,
});
const report = (over: Partial<SessionReport> = {}): SessionReport => ({
  regressionFound: false,
  skippedReason: null,
  humanInputRequested: false,
  ...over,
});

test('fault: only the feature’s own failures are its fault; a refusal of the credentials taints every ending', () => {
  assert.equal(faultOf('completed', false), 'feature');
  assert.equal(faultOf('error', false), 'feature');
  assert.equal(faultOf('timeout', false), 'feature');
  assert.equal(faultOf('aborted', false), 'stopped');
  assert.equal(faultOf('rate-limited', false), 'rate-limit');
  assert.equal(faultOf('auth-failed', false), 'auth');
  assert.equal(faultOf('unavailable', false), 'infrastructure');
  assert.equal(faultOf('error', true), 'auth', 'after a refusal, errors are not the feature’s');
  assert.equal(faultOf('aborted', true), 'stopped');
});

test('initializer: done only with features; otherwise how it ended', () => {
  assert.deepEqual(initializerOutcome(result('completed'), 12), {
    outcome: 'done',
    message: 'Created 12 features.',
  });
  assert.deepEqual(initializerOutcome(result('completed', 'Nothing to do.'), 0), {
    outcome: 'failed',
    message: 'Nothing to do.',
  });
  assert.equal(initializerOutcome(result('rate-limited'), 0).outcome, 'rate-limited');
  assert.equal(initializerOutcome(result('timeout'), 0).outcome, 'timeout');
  assert.equal(initializerOutcome(result('auth-failed'), 0).outcome, 'error');
  assert.equal(initializerOutcome(result('unavailable'), 0).outcome, 'unavailable');
});

test('coding: a session that ends without passing counts one attempt with the reason', () => {
  const r = result('completed', 'I could not make it work.');
  const release = codingRelease(r, report(), 'feature', false);
  assert.deepEqual(release, {
    countAttempt: true,
    error: 'The session ended without marking the feature passing. I could not make it work.',
  });
  const out = codingOutcome({
    featureId: 4,
    result: r,
    report: report(),
    fault: 'feature',
    release,
    after: featureOf(4, { passes: false, attempts: 1 }),
    maxAttempts: 3,
  });
  assert.equal(out.outcome, 'failed');
  assert.match(out.message, /^Feature #4 did not pass \(attempt 1 of 3\): The session ended/);
  assert.equal(out.askHuman, null);
  assert.equal(out.resume, false);
  assert.deepEqual(
    codingRelease(
      result('timeout', 'Stopped after the 60 min session limit.'),
      report(),
      'feature',
      false,
    ),
    {
      countAttempt: true,
      error: 'Stopped after the 60 min session limit.',
    },
  );
  assert.equal(
    codingRelease(
      result('completed'),
      report({ skippedReason: 'Needs the payment page.' }),
      'feature',
      false,
    ).error,
    'Skipped: Needs the payment page.',
  );
});

test('coding: the last attempt sets the feature aside and asks a human once', () => {
  const r = result('error', 'Tests fail.');
  const release = codingRelease(r, report(), 'feature', false);
  const out = codingOutcome({
    featureId: 2,
    result: r,
    report: report(),
    fault: 'feature',
    release,
    after: featureOf(2, {
      passes: false,
      attempts: 3,
      needsHumanInput: true,
      humanInputRequest: { prompt: 'Nightshift tried 3 times.', fields: [] },
    }),
    maxAttempts: 3,
  });
  assert.equal(out.outcome, 'error');
  assert.equal(out.askHuman, 'Nightshift tried 3 times.');
  assert.match(out.message, /failed 3 times; stopped retrying and set it aside for a human/);
});

test('coding: stops, limits, refused credentials and questions to a human count nothing', () => {
  for (const [end, fault] of [
    ['aborted', 'stopped'],
    ['rate-limited', 'rate-limit'],
    ['unavailable', 'infrastructure'],
    ['auth-failed', 'auth'],
    ['error', 'auth'],
  ] as const) {
    const release = codingRelease(result(end, 'why'), report(), fault, false);
    assert.deepEqual(release, { countAttempt: false, error: null }, `${end}/${fault}`);
    const out = codingOutcome({
      featureId: 1,
      result: result(end, 'why'),
      report: report(),
      fault,
      release,
      after: featureOf(1, { passes: false }),
      maxAttempts: 3,
    });
    assert.equal(out.message, 'why');
    assert.equal(out.askHuman, null);
    assert.equal(
      out.resume,
      fault === 'stopped' || fault === 'infrastructure',
      'a feature stopped by us or by the provider is resumed first',
    );
  }
  const asked = report({ humanInputRequested: true });
  assert.deepEqual(codingRelease(result('completed'), asked, 'feature', false), {
    countAttempt: false,
    error: null,
  });
  const out = codingOutcome({
    featureId: 7,
    result: result('completed'),
    report: asked,
    fault: 'feature',
    release: { countAttempt: false, error: null },
    after: featureOf(7, { passes: false, needsHumanInput: true }),
    maxAttempts: 3,
  });
  assert.equal(out.message, 'Feature #7 is waiting for human input.');
  assert.equal(out.askHuman, null, 'the tool already asked');
});

test('coding: a feature that passes reads passed however the session ended', () => {
  assert.deepEqual(codingRelease(result('timeout'), report(), 'feature', true), {
    countAttempt: false,
    error: null,
  });
  const out = codingOutcome({
    featureId: 3,
    result: result('timeout'),
    report: report(),
    fault: 'feature',
    release: { countAttempt: false, error: null },
    after: featureOf(3, { passes: true }),
    maxAttempts: 3,
  });
  assert.deepEqual(
    { outcome: out.outcome, message: out.message },
    { outcome: 'passed', message: 'Feature #3 passes.' },
  );
});

test('regression: a finished test is ok or a regression, and resets the failure count', () => {
  const base = { featureId: 5, fault: 'feature' as const, failuresBefore: 2, maxAttempts: 3 };
  const ok = regressionOutcome({
    ...base,
    result: result('completed'),
    report: report(),
    after: featureOf(5),
  });
  assert.deepEqual(ok, {
    outcome: 'tested-ok',
    message: 'Feature #5 still passes.',
    failures: 0,
    givenUp: false,
  });
  const broke = regressionOutcome({
    ...base,
    result: result('completed'),
    report: report({ regressionFound: true }),
    after: featureOf(5, { passes: false }),
  });
  assert.equal(broke.outcome, 'regression');
  assert.match(broke.message, /back in the queue for a coding agent/);
  const fixed = regressionOutcome({
    ...base,
    result: result('error'),
    report: report({ regressionFound: true }),
    after: featureOf(5),
  });
  assert.equal(fixed.message, 'Feature #5 had regressed and was fixed.');
  assert.equal(fixed.failures, 2, 'an unfinished session does not reset the count');
});

test('regression: failures in a row reach the cap and give the feature up for the run', () => {
  const base = {
    featureId: 9,
    report: report(),
    after: featureOf(9, { name: 'Search' }),
    maxAttempts: 2,
  };
  const first = regressionOutcome({
    ...base,
    result: result('error', 'boom'),
    fault: 'feature',
    failuresBefore: 0,
  });
  assert.deepEqual(
    { failures: first.failures, givenUp: first.givenUp, outcome: first.outcome },
    { failures: 1, givenUp: false, outcome: 'error' },
  );
  assert.match(first.message, /did not finish \(attempt 1 of 2\): boom/);
  const second = regressionOutcome({
    ...base,
    result: result('timeout', 'slow'),
    fault: 'feature',
    failuresBefore: 1,
  });
  assert.equal(second.givenUp, true);
  assert.match(
    second.message,
    /feature #9 "Search" failed 2 times in a row; it will not be re-tested again/,
  );
  for (const [end, fault] of [
    ['aborted', 'stopped'],
    ['rate-limited', 'rate-limit'],
    ['unavailable', 'infrastructure'],
    ['error', 'auth'],
  ] as const) {
    const out = regressionOutcome({
      ...base,
      result: result(end, 'why'),
      fault,
      failuresBefore: 1,
    });
    assert.deepEqual(
      { failures: out.failures, givenUp: out.givenUp },
      { failures: 1, givenUp: false },
      end,
    );
  }
});
