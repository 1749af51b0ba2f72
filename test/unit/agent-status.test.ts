import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  agentActions,
  agentStatuses,
  availableActions,
  isActiveStatus,
  isStoppableStatus,
  statusLabel,
  statusShort,
  stoppedAgentState,
  type AgentState,
} from '../../contract/index.ts';

const state = (patch: Partial<AgentState>): AgentState => ({ ...stoppedAgentState('p'), ...patch });

// The whole table, pinned: a change here is a change to what every surface shows and allows.
const table = {
  stopped: { active: false, short: 'Stopped', freeze: ['start'], noFreeze: ['start'] },
  starting: { active: true, short: 'Starting', freeze: ['stop'], noFreeze: ['stop'] },
  running: {
    active: true,
    short: 'Running',
    freeze: ['pause', 'drain', 'stop'],
    noFreeze: ['drain', 'stop'],
  },
  draining: { active: true, short: 'Draining', freeze: ['pause', 'stop'], noFreeze: ['stop'] },
  paused: {
    active: true,
    short: 'Paused',
    freeze: ['resume', 'stop'],
    noFreeze: ['resume', 'stop'],
  },
  stopping: { active: true, short: 'Stopping', freeze: [], noFreeze: [] },
  crashed: { active: false, short: 'Crashed', freeze: ['start'], noFreeze: ['start'] },
} as const;

test('each status: active or not, its actions with and without freezing, its short word', () => {
  assert.deepEqual(Object.keys(table).sort(), [...agentStatuses].sort());
  for (const status of agentStatuses) {
    const row = table[status];
    assert.equal(isActiveStatus(status), row.active, status);
    assert.equal(statusShort(status), row.short, status);
    assert.deepEqual(agentActions(state({ status, canFreeze: true })), row.freeze, status);
    assert.deepEqual(agentActions(state({ status, canFreeze: false })), row.noFreeze, status);
    // Stop applies exactly where an active run is not already being ended.
    assert.equal(isStoppableStatus(status), row.active && status !== 'stopping', status);
    assert.equal(row.freeze.includes('stop' as never), isStoppableStatus(status), status);
    const on = Object.entries(availableActions(state({ status })))
      .filter(([, v]) => v)
      .map(([k]) => k);
    assert.deepEqual(on.sort(), [...row.freeze].sort(), status);
  }
});

test('every status has words, and crashed says how it ended', () => {
  assert.equal(statusLabel(state({ status: 'stopped' })), 'Stopped');
  assert.equal(statusLabel(state({ status: 'starting' })), 'Starting…');
  assert.equal(statusLabel(state({ status: 'running' })), 'Running');
  assert.equal(statusLabel(state({ status: 'draining' })), 'Draining — finishing current work');
  assert.equal(statusLabel(state({ status: 'paused', pauseKind: 'frozen' })), 'Paused');
  assert.equal(
    statusLabel(state({ status: 'paused', pauseKind: 'drained' })),
    'Paused after current work',
  );
  assert.equal(statusLabel(state({ status: 'stopping' })), 'Stopping…');
  const exit = { code: 1, signal: null, at: '2026-01-01T00:00:00Z', lastLines: [] };
  assert.equal(statusLabel(state({ status: 'crashed', exit })), 'Crashed (exit code 1)');
  assert.equal(
    statusLabel(state({ status: 'crashed', exit: { ...exit, code: null, signal: 'SIGKILL' } })),
    'Crashed (signal SIGKILL)',
  );
  assert.equal(statusLabel(state({ status: 'crashed' })), 'Crashed (exit unknown)');
});
