/**
 * The hold on new sessions (agent/provider-hold.ts): backoff per hold, not per refused session;
 * the provider's reset time wins; the streak ends with a success.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProviderHold, rateLimitHold } from '../../agent/provider-hold.ts';

const S = 1000;
const MIN = 60 * S;

test('an outage backs off from 30 s doubling to 15 min, once per hold', () => {
  const hold = new ProviderHold({ firstMs: 30 * S, maxMs: 15 * MIN });
  let now = 0;
  const lengths: number[] = [];
  for (let i = 0; i < 8; i++) {
    const until = hold.refuse(now)!;
    lengths.push(until - now);
    // Two more sessions fail during the same hold: they do not grow the backoff.
    assert.equal(hold.refuse(now + 1), null);
    assert.equal(hold.refuse(now + 2), null);
    assert.equal(hold.check(until - 1), 'held');
    assert.equal(hold.check(until), 'released');
    assert.equal(hold.check(until), 'free');
    now = until + 5 * S;
  }
  assert.deepEqual(
    lengths.map((ms) => ms / S),
    [30, 60, 120, 240, 480, 900, 900, 900],
  );
  assert.equal(hold.since, 0, 'the outage began at the first failure');
  hold.succeeded();
  assert.equal(hold.since, null);
  assert.equal(hold.refuse(now)! - now, 30 * S, 'a success resets the backoff');
});

test('a reset time from the provider wins, and a later one extends the hold on', () => {
  const hold = new ProviderHold({ firstMs: MIN, maxMs: 60 * MIN });
  assert.equal(hold.refuse(0, 10 * MIN), 10 * MIN);
  assert.equal(hold.refuse(S, 5 * MIN), null, 'an earlier reset does not shorten it');
  assert.equal(hold.refuse(2 * S, 12 * MIN), 12 * MIN);
  assert.equal(hold.until, 12 * MIN);
  assert.equal(hold.check(12 * MIN), 'released');
  assert.equal(hold.refuse(13 * MIN, 13 * MIN)! - 13 * MIN, S, 'at least one second');
});

test('a rate limit with no reset time holds one minute, doubling per limit up to one hour', () => {
  const hold = rateLimitHold(MIN);
  let now = 0;
  const lengths: number[] = [];
  for (let i = 0; i < 8; i++) {
    const until = hold.refuse(now)!;
    lengths.push((until - now) / MIN);
    assert.equal(hold.check(until), 'released');
    now = until + S;
  }
  assert.deepEqual(lengths, [1, 2, 4, 8, 16, 32, 60, 60]);
});
