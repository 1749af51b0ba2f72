/**
 * The hard cap of one session: the budget file main writes is passed to the SDK's maxBudgetUsd,
 * and the real Claude Code ends the session at it (result subtype error_max_budget_usd); the
 * agent reports the end as "budget" and does not count it as a failed attempt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { readSessionBudget, writeSessionBudget } from '../../core/session-budget.ts';
import { startFakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { makeProject, startAgent } from '../fixtures/agent-harness.ts';
import { featureAfterStop, firstCodingEnd } from '../helpers/agent-run-to-end.ts';

test('the session budget file and the environment cap a session; the lower one wins', () => {
  const dir = makeProject(null);
  try {
    assert.equal(readSessionBudget(dir, {}), null);
    writeSessionBudget(dir, 0.25);
    assert.equal(readSessionBudget(dir, {}), 0.25);
    assert.equal(readSessionBudget(dir, { NIGHTSHIFT_SESSION_MAX_USD: '0.1' }), 0.1);
    assert.equal(readSessionBudget(dir, { NIGHTSHIFT_SESSION_MAX_USD: 'lots' }), 0.25);
    writeSessionBudget(dir, null);
    assert.equal(readSessionBudget(dir, {}), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a real session stops at its maxBudgetUsd and the agent reports it as a budget end', async () => {
  const dir = makeProject('Todo\n- Layout\n- Add a todo\n');
  const fake = await startFakeAnthropic(scriptedBrain());
  let run: ReturnType<typeof startAgent> | null = null;
  try {
    run = startAgent({ projectDir: dir, fakeUrl: fake.url, yolo: true });
    // The initializer runs uncapped and creates the backlog; then every session gets a cap far
    // below one request's cost.
    await run.waitFor(
      (e) => e.type === 'agent-finished' && e.role === 'initializer',
      90_000,
      'the initializer',
    );
    writeSessionBudget(dir, 0.000001);
    const capped = await firstCodingEnd(run, 90_000, 'a capped coding session');
    assert.equal(capped.end, 'budget', JSON.stringify(capped));
    assert.equal(capped.subtype, 'error_max_budget_usd');
    const f = await featureAfterStop(run, dir, capped.featureId!);
    assert.equal(f?.attempts ?? 0, 0, 'a budget end is not a failed attempt');
    assert.equal(f?.passes, false);
  } finally {
    run?.killGroup();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
