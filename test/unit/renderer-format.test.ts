import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  answerSentMessage,
  formatCost,
  formatCostFigure,
  formatElapsed,
  formatTokens,
  originLabel,
} from '../../renderer/src/lib/format.ts';

test('origins, durations and money read as words', () => {
  assert.equal(originLabel('schedule'), 'Started by schedule');
  assert.equal(originLabel('manual'), 'Started by hand');
  assert.equal(originLabel('adopted'), 'Adopted from a previous session');
  assert.equal(originLabel(null), null);
  assert.equal(
    originLabel('schedule', true),
    'Started by schedule (adopted after a restart)',
    'an adopted run keeps the origin its lock recorded',
  );
  assert.equal(originLabel('manual', true), 'Started by hand (adopted after a restart)');
  assert.equal(formatElapsed(4_000), '4s');
  assert.equal(formatElapsed(725_000), '12m 05s');
  assert.equal(formatElapsed(3 * 3600_000 + 7 * 60_000), '3h 07m');
  assert.equal(formatCost(0), '$0.00');
  assert.equal(formatCost(0.004), '<$0.01');
  assert.equal(formatCost(1.234), '$1.23');
  assert.equal(formatTokens(999), '999');
  assert.equal(formatTokens(12_345), '12k');
  assert.equal(formatTokens(1_500_000), '1.5M');
});

test('a cost says whether it is exact, estimated or not known', () => {
  const figure = (usd: number | null, estimated = false, unknownSessions = 0) =>
    formatCostFigure({ usd, estimated, unknownSessions });
  assert.equal(figure(1.234), '$1.23');
  assert.equal(figure(0.123, true), '≈ $0.12');
  assert.equal(figure(0.004, true), '≈ <$0.01');
  assert.equal(figure(null, false, 1), 'cost not known');
  assert.equal(figure(0, false, 2), 'cost not known');
  assert.equal(figure(1.5, false, 1), '$1.50 + cost not known for 1 session');
  assert.equal(figure(1.5, true, 2), '≈ $1.50 + cost not known for 2 sessions');
  assert.equal(figure(0), '$0.00');
});

test('after answering an input request, the message says what will actually happen', () => {
  assert.match(answerSentMessage('running', false), /running agent picks it up next/);
  assert.match(answerSentMessage('running', true), /when the rate limit resets/);
  assert.match(answerSentMessage('paused', false), /when you resume the run/);
  assert.match(answerSentMessage('starting', false), /the run that is starting picks it up/);
  for (const status of ['stopped', 'crashed', null] as const)
    assert.equal(
      answerSentMessage(status, false),
      'Sent. The feature is queued for the next run; no agent is running now.',
    );
  assert.match(answerSentMessage('draining', false), /queued for the next run/);
  assert.match(answerSentMessage('stopping', false), /queued for the next run/);
  for (const status of ['stopped', 'crashed', 'draining', 'stopping'] as const)
    assert.doesNotMatch(answerSentMessage(status, false), /picks it up next/);
});
