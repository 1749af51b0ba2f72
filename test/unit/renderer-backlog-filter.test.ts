import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureView } from '../../contract/index.ts';
import {
  backlogIndexer,
  filterBacklog,
  groupByState,
  indexBacklog,
  stepTarget,
} from '../../renderer/src/lib/backlog-filter.ts';
import { fitTransform, keyTransform, zoomAt } from '../../renderer/src/lib/backlog-graph.ts';

const f = (id: number, extra: Partial<FeatureView> = {}): FeatureView => ({
  id,
  priority: id,
  category: 'core',
  name: `Feature ${id}`,
  description: 'does things',
  steps: ['s'],
  dependencies: [],
  state: 'pending',
  blockedReason: null,
  attempts: 0,
  lastError: null,
  humanInput: null,
  ...extra,
});

test('filter: every word must match, #id is exact, states and categories narrow', () => {
  const index = indexBacklog([
    f(3, { name: 'Login form', category: 'auth', priority: 1 }),
    f(12, { name: 'Logout', category: 'auth', state: 'blocked' }),
    f(1, { name: 'Upload avatar', description: 'a Login is needed', category: 'ui', priority: 2 }),
  ]);
  assert.deepEqual(
    index.features.map((x) => x.id),
    [3, 1, 12],
    'priority order',
  );
  const ids = (
    text: string,
    states: FeatureView['state'][] | null = null,
    cats: string[] | null = null,
  ) =>
    filterBacklog(index, {
      text,
      states: states ? new Set(states) : null,
      categories: cats ? new Set(cats) : null,
    }).map((x) => x.id);
  assert.deepEqual(ids('login'), [3, 1]);
  assert.deepEqual(ids('LOGIN form'), [3]);
  assert.deepEqual(ids('#1'), [1]);
  assert.deepEqual(ids('#12 logout'), [12]);
  assert.deepEqual(ids('', ['blocked']), [12]);
  assert.deepEqual(ids('', null, ['auth']), [3, 12]);
  assert.deepEqual(index.categories, ['auth', 'ui']);
  assert.deepEqual(
    groupByState(index.features)
      .get('blocked')!
      .map((x) => x.id),
    [12],
  );
});

test('a one-step move names the feature it goes before, null for last, undefined at the ends', () => {
  const ordered = [f(1), f(2), f(3)];
  assert.equal(stepTarget(ordered, 2, -1), 1);
  assert.equal(stepTarget(ordered, 1, -1), undefined);
  assert.equal(stepTarget(ordered, 1, 1), 3);
  assert.equal(stepTarget(ordered, 2, 1), null);
  assert.equal(stepTarget(ordered, 3, 1), undefined);
});

test('zoom keeps the point under the pointer still; keys pan, zoom and fit', () => {
  const t = zoomAt({ x: 10, y: 20, scale: 1 }, 2, 110, 220);
  // The graph point under (110, 220) was (100, 200); after zooming it is still there.
  assert.deepEqual([(110 - t.x) / t.scale, (220 - t.y) / t.scale], [100, 200]);
  assert.deepEqual(
    keyTransform({ x: 0, y: 0, scale: 1 }, 'ArrowLeft', { width: 100, height: 100 }),
    {
      x: 60,
      y: 0,
      scale: 1,
    },
  );
  assert.equal(keyTransform({ x: 0, y: 0, scale: 1 }, '0', { width: 1, height: 1 }), 'fit');
  const fit = fitTransform({ nodes: [], edges: [], width: 400, height: 100 }, 200, 200);
  assert.deepEqual(fit, { scale: 0.5, x: 0, y: 75 });
});

test('the search index is rebuilt only when the backlog changed, not on every refresh', () => {
  const indexer = backlogIndexer();
  const fetch = (state: FeatureView['state']) =>
    // Each refresh brings back new objects, as a fetch from main does.
    Array.from({ length: 50 }, (_, i) => f(i + 1, i === 0 ? { state } : {}));
  const first = indexer.index(fetch('pending'));
  assert.equal(indexer.rebuilds, 1);
  for (let refresh = 0; refresh < 10; refresh++) {
    assert.equal(indexer.index(fetch('pending')), first, 'an unchanged refresh keeps the index');
  }
  assert.equal(indexer.rebuilds, 1);
  const changed = indexer.index(fetch('in-progress'));
  assert.equal(indexer.rebuilds, 2, 'a changed feature rebuilds it');
  assert.equal(changed.features[0]!.state, 'in-progress');
  indexer.index(fetch('in-progress'));
  assert.equal(indexer.rebuilds, 2);
});
