/**
 * Active time (agent/active-time.ts): a freeze of the process (SIGSTOP pause) shows as a gap in
 * the monotonic clock and is not counted, so a session limit does not expire during a pause.
 * Driven by a hand-moved clock and explicit observations (no sleeping).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveClock } from '../../agent/active-time.ts';

function manual(): { clock: ActiveClock; advance: (ms: number, tickMs?: number) => void } {
  let t = 0;
  const clock = new ActiveClock(() => t, 1000, 5000);
  return {
    clock,
    /** Moves time on, observing every `tickMs` as the interval would (Infinity: frozen). */
    advance(ms, tickMs = 1000) {
      if (!Number.isFinite(tickMs)) {
        t += ms;
        return;
      }
      for (let left = ms; left > 0; left -= tickMs) {
        t += Math.min(tickMs, left);
        clock.observe();
      }
    },
  };
}

test('running time counts in full', () => {
  const { clock, advance } = manual();
  const mark = clock.mark();
  advance(90_000);
  assert.equal(clock.elapsed(mark), 90_000);
});

test('a freeze longer than the gap is not counted, even when the first reading comes right after it', () => {
  const { clock, advance } = manual();
  const mark = clock.mark();
  advance(10_000);
  advance(2 * 3_600_000, Infinity); // paused for two hours: no tick ran
  // The deadline's own reading is the first observation after the freeze.
  assert.equal(clock.elapsed(mark), 11_000, 'ten seconds of work plus one tick interval');
  advance(5_000);
  assert.equal(clock.elapsed(mark), 16_000);
});

test('short hiccups below the gap count as running time; freezes before the mark do not matter', () => {
  const { clock, advance } = manual();
  advance(60_000, Infinity);
  clock.observe();
  const mark = clock.mark();
  advance(4_000, Infinity); // a 4 s stall: still running time
  assert.equal(clock.elapsed(mark), 4_000);
});
