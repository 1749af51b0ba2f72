/**
 * README: "without [a reset time] the hold backs off from one minute, doubling up to an hour".
 * The real agent (agent/cli.ts) against the fake Anthropic server, whose 429s carry no
 * retry-after, no reset header and no time in their text (Claude Code's own retries off).
 *
 * Each refused session doubles the next hold, so three coding sessions refused together show the
 * whole sequence at once, without waiting for a hold to end: with a 1,000 s base the holds end
 * 1,000 s, 2,000 s and 3,600 s (the cap; 4,000 s uncapped) after they start. The default base
 * is checked on its own: one refusal holds for one minute. Both runs are then stopped (SIGTERM).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeReply } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import {
  assertGroupGone,
  exitWithin,
  startAgent,
  type AgentRun,
} from '../fixtures/agent-harness.ts';
import { agentSuite, ofType } from '../helpers/agent-suite.ts';

const suite = agentSuite();
const limited: FakeReply = {
  kind: 'error',
  status: 429,
  errorType: 'rate_limit_error',
  message: 'Rate limited.',
};

/** Ends the run with SIGTERM whatever happened, and checks its group is gone. */
async function stop(run: AgentRun): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  await exitWithin(run, 30_000);
  await assertGroupGone(run.pid);
}

const heldFor = (run: AgentRun) =>
  ofType(run, 'rate-limit')
    .filter((e) => e.state === 'hold')
    .map((e) => (e.until as number) - e.ts);

test('with no reset time given, consecutive holds double from the base and stop at one hour', async () => {
  suite.fake.setBrain(
    scriptedBrain({ intercept: (_req, s) => (s.role === 'coding' ? limited : null) }),
  );
  const run = startAgent({
    projectDir: suite.project('App\n- One\n- Two\n- Three\n'),
    fakeUrl: suite.fake.url,
    concurrency: 3,
    env: { NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS: '1000000' },
  });
  try {
    await run.waitFor(
      (e) =>
        e.type === 'rate-limit' && e.state === 'hold' && (e.until as number) - e.ts > 3_000_000,
      120_000,
      'the third, capped hold',
    );
    const held = heldFor(run);
    assert.equal(held.length, 3, `three holds: ${held.join(', ')}`);
    const near = (ms: number, want: number) => Math.abs(ms - want) < 5_000;
    assert.ok(near(held[0]!, 1_000_000), `first ${held[0]} ≈ the base`);
    assert.ok(near(held[1]!, 2_000_000), `second ${held[1]} ≈ twice the base`);
    assert.ok(near(held[2]!, 3_600_000), `third ${held[2]} = one hour, not 4,000 s`);
  } finally {
    await stop(run);
  }
});

test('the first hold with no reset time given is one minute by default', async () => {
  suite.fake.setBrain(
    scriptedBrain({ intercept: (_req, s) => (s.role === 'coding' ? limited : null) }),
  );
  const run = startAgent({ projectDir: suite.project('App\n- One\n'), fakeUrl: suite.fake.url });
  try {
    await run.waitFor((e) => e.type === 'rate-limit' && e.state === 'hold', 120_000, 'a hold');
    const [first] = heldFor(run);
    assert.ok(first !== undefined && Math.abs(first - 60_000) < 5_000, `held ${first} ms`);
  } finally {
    await stop(run);
  }
});
