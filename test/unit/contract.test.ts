import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgentStart,
  type EventPayload,
  ModelId,
  ProjectAdd,
  SettingsUpdate,
  formatAgentEventLine,
  parseAgentEventLine,
  parseInput,
  RunOverrides,
  resolveRunSettings,
} from '../../contract/index.ts';
import { EventBus } from '../../main/services/event-bus.ts';

test('project names follow the rule and bad ones get a sentence', () => {
  assert.equal(parseInput(ProjectAdd, { name: 'my-app_1', path: '/tmp/x' }).ok, true);
  const bad = parseInput(ProjectAdd, { name: 'no spaces', path: '/tmp/x' });
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.equal(bad.error.code, 'invalid-input');
    assert.equal(bad.error.field, 'name');
    assert.match(bad.error.message, /1 to 50 letters/);
  }
});

test('run settings resolve request over project over global', () => {
  const global = { model: 'opus', yolo: false, codingAgents: 1, regressionAgents: 1 };
  const project = RunOverrides.parse({ codingAgents: 3, yolo: true });
  const request = RunOverrides.parse({ yolo: false });
  assert.deepEqual(resolveRunSettings(global, project, request), {
    model: 'opus',
    yolo: false,
    codingAgents: 3,
    regressionAgents: 1,
  });
});

test('agent start requests: counts in range, known fields only, each refusal a sentence', () => {
  const good = parseInput(AgentStart, {
    id: 'p1',
    overrides: { model: 'claude-sonnet-4-6', yolo: true, codingAgents: 5, regressionAgents: 0 },
  });
  assert.equal(good.ok, true);
  const cases: [unknown, RegExp][] = [
    [{ id: 'p1', overrides: { codingAgents: 6 } }, /Coding agents must be between 1 and 5/],
    [{ id: 'p1', overrides: { codingAgents: 2.5 } }, /whole number/],
    [{ id: 'p1', overrides: { regressionAgents: 4 } }, /Regression agents must be between 0 and 3/],
    [{ id: 'p1', overrides: { model: 'rm -rf /' } }, /model id may contain/],
    [{ id: 'p1', overrides: { turbo: true } }, /turbo/],
  ];
  for (const [input, message] of cases) {
    const r = parseInput(AgentStart, input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) {
      assert.match(r.error.message, message);
      assert.doesNotMatch(r.error.message, /\[object Object\]/);
    }
  }
});

test('model ids: known ones and custom provider ids pass, odd characters do not', () => {
  for (const id of ['opus', 'claude-opus-4-6', 'glm-4.6', 'qwen3-coder:30b', 'org/model@v2']) {
    assert.equal(ModelId.safeParse(id).success, true, id);
  }
  for (const id of ['', ' ', '-flag', 'a b', 'x;y', 'x'.repeat(201)]) {
    assert.equal(ModelId.safeParse(id).success, false, JSON.stringify(id));
  }
});

test('settings updates: ranges, base URL form and unknown keys are refused with sentences', () => {
  assert.equal(parseInput(SettingsUpdate, { defaults: { codingAgents: 3 } }).ok, true);
  const cases: [unknown, RegExp][] = [
    [{ defaults: { codingAgents: 0 } }, /between 1 and 5/],
    [{ provider: { baseUrl: 'ftp://x' } }, /must start with http/],
    [{ maxFeatureAttempts: 50 }, /Attempts are 1 to 20/],
    [{ sessionTimeoutMinutes: 1 }, /5 to 720 minutes/],
    [{ colour: 'blue' }, /colour/],
  ];
  for (const [input, message] of cases) {
    const r = parseInput(SettingsUpdate, input);
    assert.equal(r.ok, false, JSON.stringify(input));
    if (!r.ok) assert.match(r.error.message, message);
  }
});

test('agent event lines: typed lines parse, prose and malformed lines are plain log', () => {
  const line = formatAgentEventLine(
    { type: 'run-state', phase: 'finished', message: 'Stopped with work left.' },
    1_000,
  );
  const parsed = parseAgentEventLine(line);
  assert.equal(parsed?.type, 'run-state');
  assert.equal(parsed?.type === 'run-state' ? parsed.phase : null, 'finished');
  assert.equal(parseAgentEventLine('All 3 features pass.'), null);
  assert.equal(parseAgentEventLine(line.replace('"finished"', '"exploded"')), null);
  assert.equal(parseAgentEventLine('{"type":"run-state"'), null);
});

test('with verification on, the event bus refuses a payload that breaks the contract', () => {
  const bus = new EventBus(true);
  const seen: unknown[] = [];
  bus.onAny((_, payload) => seen.push(payload));
  const bad = {
    projectId: 'p',
    lines: [{ seq: 'one', text: 'x' }],
  } as unknown as EventPayload<'agent.log'>;
  assert.throws(() => bus.emit('agent.log', bad), /agent\.log event breaks the contract/);
  assert.deepEqual(seen, [], 'nothing was delivered');
  const good: EventPayload<'agent.log'> = { projectId: 'p', lines: [{ seq: 1, ts: 0, text: 'x' }] };
  bus.emit('agent.log', good);
  assert.deepEqual(seen, [good]);
});
