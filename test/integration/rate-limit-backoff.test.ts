/**
 * README: "without [a reset time] the hold backs off from one minute, doubling up to an hour".
 * The real agent (agent/cli.ts) against the fake Anthropic server, whose 429s carry no
 * retry-after, no reset header and no time in their text (Claude Code's own retries off).
 *
 * The backoff grows once per limit, not per refused session: with a 1 s base, a run whose every
 * session is refused shows consecutive holds of 1 s, 2 s and 4 s, each starting after the last
 * one ended, and sessions refused during a hold do not lengthen it. The one-hour cap is pinned
 * by the unit test of the same policy (agent-provider-hold.test.ts), since reaching it here would
 * take hours. The default base is checked on its own: one refusal holds for one minute. Both runs
 * are then stopped (SIGTERM).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeReply } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import type { AgentRun } from '../fixtures/agent-harness.ts';
import { agentSuite, ofType, ended } from '../helpers/agent-suite.ts';

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
  await ended(run, 30_000);
}

const heldFor = (run: AgentRun) =>
  ofType(run, 'rate-limit')
    .filter((e) => e.state === 'hold')
    .map((e) => (e.until as number) - e.ts);

test('with no reset time given, consecutive holds double from the base, once per limit', async () => {
  suite.fake.setBrain(
    scriptedBrain({ intercept: (_req, s) => (s.role === 'coding' ? limited : null) }),
  );
  const run = suite.start({
    projectDir: suite.project('App\n- One\n- Two\n- Three\n'),
    concurrency: 3,
    env: { NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS: '1000' },
  });
  try {
    await run.waitFor(() => heldFor(run).length >= 3, 120_000, 'three consecutive holds');
    const held = heldFor(run).slice(0, 3);
    const near = (ms: number, want: number) => Math.abs(ms - want) < 500;
    assert.ok(near(held[0]!, 1_000), `first ${held[0]} ms ≈ the base`);
    assert.ok(near(held[1]!, 2_000), `second ${held[1]} ms ≈ twice the base`);
    assert.ok(near(held[2]!, 4_000), `third ${held[2]} ms ≈ four times the base`);
    const holds = ofType(run, 'rate-limit').filter((e) => e.state === 'hold');
    for (let i = 1; i < 3; i++)
      assert.ok(
        holds[i]!.ts >= (holds[i - 1]!.until as number),
        'each hold starts only after the one before it ended',
      );
  } finally {
    await stop(run);
  }
});

test('the first hold with no reset time given is one minute by default', async () => {
  suite.fake.setBrain(
    scriptedBrain({ intercept: (_req, s) => (s.role === 'coding' ? limited : null) }),
  );
  const run = suite.start({ projectDir: suite.project('App\n- One\n') });
  try {
    await run.waitFor((e) => e.type === 'rate-limit' && e.state === 'hold', 120_000, 'a hold');
    const [first] = heldFor(run);
    assert.ok(first !== undefined && Math.abs(first - 60_000) < 5_000, `held ${first} ms`);
  } finally {
    await stop(run);
  }
});
