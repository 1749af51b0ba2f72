import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAgentEventLine,
  parseAgentEventLine,
  type AgentEvent,
  type AgentEventInput,
} from '../../contract/agent-events.ts';
import { runViewFromEvents } from '../../main/services/run-view.ts';

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
