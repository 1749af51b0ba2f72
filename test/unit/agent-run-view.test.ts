import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAgentEventLine,
  parseAgentEventLine,
  type AgentEvent,
  type AgentEventInput,
} from '../../contract/agent-events.ts';
import { estimateCostUsd, modelPrice } from '../../contract/models.ts';
import type { RunView } from '../../contract/run-view.ts';
import { endLiveCards, runViewFromEvents } from '../../main/services/run-view.ts';

let t = 1000;
const ev = (e: AgentEventInput): AgentEvent => parseAgentEventLine(formatAgentEventLine(e, t++))!;
const usage = (n: number) => ({
  inputTokens: n,
  outputTokens: n,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: n / 100,
});

test('the run view is derived from events: cards per live agent, doing, usage, progress, holds', () => {
  const events = [
    ev({ type: 'run-state', phase: 'starting', message: 'Starting' }),
    ev({ type: 'run-state', phase: 'working', message: 'Working' }),
    ev({
      type: 'agent-started',
      agentId: 'coding-1',
      role: 'coding',
      featureId: 3,
      featureName: 'Login',
    }),
    ev({
      type: 'agent-started',
      agentId: 'regression-1',
      role: 'regression',
      featureId: 1,
      featureName: 'Layout',
    }),
    ev({ type: 'activity', agentId: 'coding-1', kind: 'tool', summary: 'Bash: Run tests' }),
    ev({ type: 'cost', agentId: 'coding-1', usage: usage(5), runTotal: usage(9) }),
    ev({
      type: 'progress',
      progress: { total: 4, passing: 1, inProgress: 1, underTest: 1, blocked: 2, needsHuman: 0 },
    }),
    ev({
      type: 'agent-finished',
      agentId: 'regression-1',
      role: 'regression',
      featureId: 1,
      sessionId: 's',
      outcome: 'tested-ok',
      message: 'ok',
      usage: usage(4),
      turns: 3,
    }),
    ev({ type: 'rate-limit', state: 'hold', until: 99_999, message: 'held' }),
    ev({ type: 'run-state', phase: 'rate-limited', message: 'held' }),
  ];
  const view = runViewFromEvents('p1', events);
  assert.equal(view.phase, 'rate-limited');
  assert.equal(view.rateLimitedUntil, 99_999);
  assert.deepEqual(
    view.agents.map((a) => [a.agentId, a.doing, a.usage?.inputTokens, a.startedAt]),
    [['coding-1', 'Bash: Run tests', 5, events[2]!.ts]],
  );
  assert.equal(view.progress?.passing, 1);
  assert.equal(view.runTotal?.inputTokens, 9);

  const later = runViewFromEvents('p1', [
    ...events,
    ev({ type: 'rate-limit', state: 'release', until: null, message: 'go' }),
    ev({ type: 'run-state', phase: 'working', message: 'Working' }),
    ev({ type: 'error', agentId: null, message: 'boom' }),
    ev({ type: 'run-state', phase: 'complete', message: 'All pass' }),
  ]);
  assert.equal(later.rateLimitedUntil, null);
  assert.equal(later.lastError, 'boom');
  assert.deepEqual(later.agents, []);
  // A new run starts from a clean view.
  const next = runViewFromEvents('p1', [
    ...events,
    ev({ type: 'run-state', phase: 'starting', message: 'again' }),
  ]);
  assert.deepEqual([next.agents, next.progress, next.runTotal], [[], null, null]);
});

const M = 1_000_000;
const tokens = (inputTokens: number, outputTokens: number, cacheWrite = 0, cacheRead = 0) => ({
  inputTokens,
  outputTokens,
  cacheWriteTokens: cacheWrite,
  cacheReadTokens: cacheRead,
});
const close = (actual: number | null, expected: number) =>
  assert.ok(
    actual !== null && Math.abs(actual - expected) < 1e-9,
    `expected ${expected}, got ${actual}`,
  );

test('the estimator prices input, output, cache writes (1.25×) and cache reads (0.1×) per model', () => {
  for (const [model, input, output] of [
    ['claude-opus-4-6', 5, 25],
    ['claude-opus-4-5-20251101', 5, 25],
    ['opus', 5, 25],
    ['claude-sonnet-4-6', 3, 15],
    ['claude-sonnet-4-5-20250929', 3, 15],
    ['claude-sonnet-4-20250514', 3, 15],
    ['sonnet', 3, 15],
    ['claude-haiku-4-5-20251001', 1, 5],
    ['haiku', 1, 5],
  ] as const) {
    close(estimateCostUsd(model, tokens(M, 0)), input);
    close(estimateCostUsd(model, tokens(0, M)), output);
    close(estimateCostUsd(model, tokens(0, 0, M)), input * 1.25);
    close(estimateCostUsd(model, tokens(0, 0, 0, M)), input * 0.1);
    assert.deepEqual(modelPrice(model), {
      input,
      output,
      cacheWrite: input * 1.25,
      cacheRead: input * 0.1,
    });
  }
  // 12k in, 3.4k out, 1k cache write, 50k cache read on Opus 4.6.
  close(
    estimateCostUsd('claude-opus-4-6', tokens(12_000, 3_400, 1_000, 50_000)),
    (12_000 * 5 + 3_400 * 25 + 1_000 * 6.25 + 50_000 * 0.5) / M,
  );
  // Custom providers and models without a stated price get no estimate.
  for (const model of ['glm-4.6', 'qwen3-coder:30b', 'claude-3-5-haiku-20241022', 'opus-x', null])
    assert.equal(estimateCostUsd(model, tokens(M, M)), null, String(model));
});

test('a live card shows an estimate, the SDK figure replaces it, and the run total adds both', () => {
  const live = (input: number, output: number) => ({ ...tokens(input, output), costUsd: 0 });
  const start = (agentId: string) =>
    ev({ type: 'agent-started', agentId, role: 'coding', featureId: 1, featureName: 'A' });
  const events = [
    ev({ type: 'run-state', phase: 'starting', message: 'Starting' }),
    start('coding-1'),
    start('coding-2'),
    // 100k in + 10k out on Opus 4.6 ≈ $0.50 + $0.25; 200k in ≈ $1.00.
    ev({
      type: 'cost',
      agentId: 'coding-1',
      usage: live(100_000, 10_000),
      runTotal: live(100_000, 10_000),
    }),
    ev({
      type: 'cost',
      agentId: 'coding-2',
      usage: live(200_000, 0),
      runTotal: live(300_000, 10_000),
    }),
  ];
  const view = runViewFromEvents('p1', events, 'claude-opus-4-6');
  const card = (v: RunView, id: string) => v.agents.find((a) => a.agentId === id)!;
  close(card(view, 'coding-1').cost!.usd, 0.75);
  assert.equal(card(view, 'coding-1').cost!.estimated, true);
  close(view.runCost!.usd, 1.75);
  assert.deepEqual([view.runCost!.estimated, view.runCost!.unknownSessions], [true, 0]);

  // coding-1 ends: its result carries the SDK's cost, which the agent adds to its run total.
  const exact = { ...tokens(100_000, 10_000), costUsd: 0.8 };
  const ended = [
    ...events,
    ev({
      type: 'cost',
      agentId: 'coding-1',
      usage: exact,
      runTotal: { ...live(300_000, 10_000), costUsd: 0.8 },
    }),
  ];
  const mid = runViewFromEvents('p1', ended, 'claude-opus-4-6');
  assert.deepEqual(card(mid, 'coding-1').cost, { usd: 0.8, estimated: false, unknownSessions: 0 });
  close(mid.runCost!.usd, 0.8 + 1.0); // not 0.8 + 0.75 + 1.0: the exact figure replaced the estimate
  const coding1Passed = ev({
    type: 'agent-finished',
    agentId: 'coding-1',
    role: 'coding',
    featureId: 1,
    sessionId: 's1',
    outcome: 'passed',
    message: 'ok',
    usage: exact,
    turns: 4,
  });
  const after = runViewFromEvents('p1', [...ended, coding1Passed], 'claude-opus-4-6');
  assert.deepEqual(
    after.agents.map((a) => a.agentId),
    ['coding-2'],
  );
  close(after.runCost!.usd, 1.8);
  assert.equal(after.runCost!.estimated, true, 'coding-2 is still an estimate');

  // coding-2 is stopped: no SDK cost, so its tokens stay in the total at their estimate.
  const stopped = runViewFromEvents(
    'p1',
    [
      ...ended,
      coding1Passed,
      ev({
        type: 'agent-finished',
        agentId: 'coding-2',
        role: 'coding',
        featureId: 1,
        sessionId: null,
        outcome: 'aborted',
        message: 'Stopped.',
        usage: live(200_000, 0),
        turns: null,
      }),
    ],
    'claude-opus-4-6',
  );
  assert.deepEqual(stopped.agents, []);
  close(stopped.runCost!.usd, 1.8);
  assert.equal(stopped.runCost!.estimated, true);

  // The process dies with a card still live (crash): endLiveCards keeps what it had spent.
  const crashed = endLiveCards(view);
  assert.deepEqual(crashed.agents, []);
  close(crashed.runCost!.usd, 1.75);
});

test('an unknown model shows tokens and "cost not known" until the result; a new run keeps the model', () => {
  const events = [
    ev({ type: 'run-state', phase: 'starting', message: 'Starting' }),
    ev({
      type: 'agent-started',
      agentId: 'coding-1',
      role: 'coding',
      featureId: 2,
      featureName: 'B',
    }),
    ev({ type: 'cost', agentId: 'coding-1', usage: usage(0), runTotal: usage(0) }),
    ev({
      type: 'cost',
      agentId: 'coding-1',
      usage: { ...tokens(5_000, 100), costUsd: 0 },
      runTotal: { ...tokens(5_000, 100), costUsd: 0 },
    }),
  ];
  const view = runViewFromEvents('p1', events, 'glm-4.6');
  assert.equal(view.model, 'glm-4.6');
  assert.deepEqual(view.agents[0]!.cost, { usd: null, estimated: false, unknownSessions: 1 });
  assert.equal(view.agents[0]!.usage!.inputTokens, 5_000);
  assert.deepEqual(view.runCost, { usd: 0, estimated: false, unknownSessions: 1 });
  const done = runViewFromEvents(
    'p1',
    [
      ...events,
      ev({
        type: 'cost',
        agentId: 'coding-1',
        usage: { ...tokens(5_000, 100), costUsd: 0.02 },
        runTotal: { ...tokens(5_000, 100), costUsd: 0.02 },
      }),
    ],
    'glm-4.6',
  );
  assert.deepEqual(done.agents[0]!.cost, { usd: 0.02, estimated: false, unknownSessions: 0 });
  assert.deepEqual(done.runCost, { usd: 0.02, estimated: false, unknownSessions: 0 });
  const again = runViewFromEvents(
    'p1',
    [...events, ev({ type: 'run-state', phase: 'starting', message: 'again' })],
    'glm-4.6',
  );
  assert.deepEqual([again.model, again.runCost, again.agents], ['glm-4.6', null, []]);
});
