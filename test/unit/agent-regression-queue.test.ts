/**
 * Which passing feature a regression agent takes next (orchestrator `regressionQueue`): never
 * tested first, then changed since the last test, then routine re-tests, oldest test first; a
 * minimum interval between tests of an unchanged feature; routine re-tests only while coding
 * is active, so a finished backlog ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regressionQueue, retestReason } from '../../agent/orchestrator.ts';
import { pyUtcTimestamp, type Feature } from '../../core/features-db.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const MIN = 60_000;

function feature(id: number, over: Partial<Feature> = {}): Feature {
  return {
    id,
    priority: id,
    category: 'functional',
    name: `F${id}`,
    description: '',
    steps: [],
    passes: true,
    inProgress: false,
    dependencies: [],
    testingInProgress: false,
    lastTestedAt: null,
    claimOwner: null,
    claimedAt: null,
    heartbeatAt: null,
    testOwner: null,
    testClaimedAt: null,
    testHeartbeatAt: null,
    attempts: 0,
    lastError: null,
    passedAt: NOW - 60 * MIN,
    skippedAt: null,
    userSkippedAt: null,
    needsHumanInput: false,
    humanInputRequest: null,
    humanInputResponse: null,
    ...over,
  };
}
const tested = (minutesAgo: number): string => pyUtcTimestamp(NOW - minutesAgo * MIN);
const opts = { now: NOW, minIntervalMs: 10 * MIN, routine: true, exclude: new Set<number>() };
const ids = (q: { feature: Feature }[]): number[] => q.map((x) => x.feature.id);

test('order: never tested, then changed since the last test, then oldest routine re-test', () => {
  const features = [
    feature(1, { lastTestedAt: tested(30) }), // routine, 30 min old
    feature(2, { lastTestedAt: tested(50) }), // routine, 50 min old
    feature(3), // never tested
    feature(4, { lastTestedAt: tested(20), dependencies: [5] }), // dependency passed since
    feature(5, { lastTestedAt: tested(2), passedAt: NOW - 5 * MIN }), // tested 2 min ago: not due
    feature(6, { lastTestedAt: tested(40), passedAt: NOW - 3 * MIN }), // re-passed after its last test
  ];
  const q = regressionQueue(features, opts);
  assert.deepEqual(ids(q), [3, 6, 4, 2, 1]);
  assert.deepEqual(
    q.map((x) => x.reason),
    ['never-tested', 'changed', 'changed', 'routine', 'routine'],
  );
});

test('the minimum interval: an unchanged feature tested recently is not re-tested', () => {
  const byId = new Map<number, Feature>();
  const recent = feature(1, { lastTestedAt: tested(3) });
  assert.equal(retestReason(recent, byId, NOW, 10 * MIN), null);
  assert.equal(retestReason(recent, byId, NOW + 7 * MIN, 10 * MIN), 'routine');
  // ...unless something it depends on passed since.
  const dep = feature(2, { passedAt: NOW - MIN, lastTestedAt: tested(0.5) });
  byId.set(2, dep);
  assert.equal(
    retestReason(feature(1, { lastTestedAt: tested(3), dependencies: [2] }), byId, NOW, 10 * MIN),
    'changed',
  );
});

test('routine re-tests only while coding is active; due ones always', () => {
  const features = [feature(1, { lastTestedAt: tested(30) }), feature(2)];
  assert.deepEqual(ids(regressionQueue(features, { ...opts, routine: false })), [2]);
  assert.deepEqual(ids(regressionQueue(features, opts)), [2, 1]);
  // A finished backlog: everything tested since it passed, nothing due, so the run can end.
  const done = [feature(1, { lastTestedAt: tested(30) }), feature(2, { lastTestedAt: tested(40) })];
  assert.deepEqual(regressionQueue(done, { ...opts, routine: false }), []);
});

test('held, failing, waiting for a human, or given up: never queued', () => {
  const features = [
    feature(1, { passes: false }),
    feature(2, { inProgress: true }),
    feature(3, { testingInProgress: true }),
    feature(4, { needsHumanInput: true }),
    feature(5),
    feature(6),
  ];
  assert.deepEqual(ids(regressionQueue(features, { ...opts, exclude: new Set([5]) })), [6]);
});
