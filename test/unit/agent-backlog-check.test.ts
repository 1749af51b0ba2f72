/**
 * When the initializer's backlog is complete (agent/backlog-check.ts): the count the spec states,
 * dependencies that exist, no cycles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backlogProblems, specFeatureCount } from '../../agent/backlog-check.ts';

const node = (id: number, dependencies: number[] = []) => ({
  id,
  priority: id,
  passes: false,
  dependencies,
});

test('the count a spec asks for', () => {
  assert.equal(
    specFeatureCount('<project>\n  <feature_count>120</feature_count>\n</project>'),
    120,
  );
  assert.equal(specFeatureCount('Feature count: 12\n- A'), 12);
  assert.equal(specFeatureCount('A todo app with 3 screens.'), null);
  assert.equal(specFeatureCount('<feature_count>0</feature_count>'), null);
});

test('a backlog is complete with the asked count (or more) and dependencies that can be met', () => {
  assert.deepEqual(backlogProblems([node(1), node(2, [1])], 2), []);
  assert.deepEqual(backlogProblems([node(1), node(2, [1]), node(3)], 2), [], 'more is accepted');
  assert.deepEqual(backlogProblems([node(1), node(2, [1])], null), []);
});

test('what keeps a backlog from being complete, in words', () => {
  assert.deepEqual(backlogProblems([], null), ['it has no features']);
  assert.deepEqual(backlogProblems([node(1), node(2)], 5), [
    'it has 2 of the 5 features the spec asks for',
  ]);
  assert.deepEqual(backlogProblems([node(1, [9])], null), [
    'feature #1 depends on #9, which does not exist',
  ]);
  const cyclic = backlogProblems([node(1, [2]), node(2, [1])], null);
  assert.equal(cyclic.length, 1);
  assert.match(cyclic[0]!, /^a dependency cycle: #\d → #\d → #\d$/);
});
