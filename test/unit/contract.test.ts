import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProjectAdd, parseInput, RunOverrides, resolveRunSettings } from '../../contract/index.ts';

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
