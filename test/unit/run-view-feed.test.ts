import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatAgentEventLine,
  parseAgentEventLine,
  stoppedAgentState,
  type AgentEvent,
  type AgentEventInput,
  type AgentState,
  type RunView,
} from '../../contract/index.ts';
import { RunViewFeed } from '../../main/services/run-view-feed.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const ev = (e: AgentEventInput): AgentEvent => parseAgentEventLine(formatAgentEventLine(e, 1))!;
const activity = (agentId: string, summary: string) =>
  ev({ type: 'activity', agentId, kind: 'tool', summary });
const started = (agentId: string) =>
  ev({ type: 'agent-started', agentId, role: 'coding', featureId: 1, featureName: 'Login' });
const agent = (patch: Partial<AgentState>): AgentState => ({
  ...stoppedAgentState('a'),
  ...patch,
});

function feed() {
  const clock = new FakeClock(0);
  const sent: RunView[] = [];
  const views = new RunViewFeed({ clock, send: (v) => sent.push(v), flushMs: 50 });
  return { clock, sent, views };
}

test('many agent events in one flush interval send one view per project, the newest', () => {
  const { clock, sent, views } = feed();
  views.onAgentEvent('a', started('coding-1'));
  for (let i = 0; i < 100; i++) views.onAgentEvent('a', activity('coding-1', `step ${i}`));
  views.onAgentEvent('b', started('coding-1'));
  assert.equal(sent.length, 0, 'nothing is sent before the flush');
  assert.equal(
    views.get('a').agents[0]?.doing,
    'step 99',
    'a command sees the newest view at once',
  );
  clock.advance(49);
  assert.equal(sent.length, 0);
  clock.advance(1);
  assert.deepEqual(
    sent.map((v) => [v.projectId, v.agents[0]?.doing]),
    [
      ['a', 'step 99'],
      ['b', 'Starting…'],
    ],
  );
  clock.advance(500);
  assert.equal(sent.length, 2, 'a project that did not change is not sent again');
  assert.equal(clock.pending(), 0, 'no timer runs while nothing happens');
  views.onAgentEvent('a', activity('coding-1', 'later'));
  clock.advance(50);
  assert.deepEqual(
    sent.slice(2).map((v) => [v.projectId, v.agents[0]?.doing]),
    [['a', 'later']],
  );
});

test('a run that ends is sent at once without live cards, including events not yet flushed', () => {
  const { clock, sent, views } = feed();
  const running = agent({ status: 'running' });
  views.onAgentEvent('a', started('coding-1'));
  views.onAgentEvent('a', activity('coding-1', 'last words'));
  views.onState(agent({ status: 'crashed' }), running);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]?.agents, [], 'no live cards after the run ended');
  clock.advance(100);
  assert.equal(sent.length, 1, 'the pending flush has nothing left to send');
  // A status change that is not an end (or a repeated end) sends nothing.
  views.onState(agent({ status: 'paused' }), running);
  views.onState(agent({ status: 'crashed' }), agent({ status: 'crashed' }));
  assert.equal(sent.length, 1);
});

test('a starting run begins a fresh view at once, dropping a pending older one', () => {
  const { clock, sent, views } = feed();
  views.onAgentEvent('a', started('coding-1'));
  views.onState(
    agent({
      status: 'starting',
      settings: { model: 'claude-x', yolo: false, codingAgents: 1, regressionAgents: 0 },
    }),
    agent({ status: 'stopped' }),
  );
  clock.advance(100);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]?.agents, []);
  assert.equal(sent[0]?.model, 'claude-x');
  assert.deepEqual(views.get('a'), sent[0]);
});

test('a forgotten project has an empty view and nothing pending', () => {
  const { clock, sent, views } = feed();
  views.onAgentEvent('a', started('coding-1'));
  views.forget('a');
  clock.advance(100);
  assert.equal(sent.length, 0);
  assert.deepEqual(views.get('a').agents, []);
});
