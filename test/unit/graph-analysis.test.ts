import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyzeGraph,
  checkDependencies,
  compareBySchedule,
  type GraphNode,
} from '../../core/dependency-graph.ts';

const node = (
  id: number,
  dependencies: number[] = [],
  passes = false,
  priority = id,
): GraphNode => ({
  id,
  priority,
  passes,
  dependencies,
  name: `F${id}`,
});

/**
 * Wraps every node's dependency list so that each element read is counted (index access and
 * iteration both go through the proxy); returns the running count.
 */
function countDependencyReads(nodes: GraphNode[]): () => number {
  let reads = 0;
  for (const n of nodes) {
    n.dependencies = new Proxy(n.dependencies as number[], {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  }
  return () => reads;
}

test('readiness: no deps or all deps passing is ready; otherwise blocked with who it waits for', () => {
  const a = analyzeGraph([node(1, [], true), node(2, [1]), node(3, [2]), node(4)]);
  assert.deepEqual([...a.ready].sort(), [2, 4]);
  assert.equal(a.blockedReasons.get(3), 'Waiting for #2 F2.');
  assert.equal(a.blockedReasons.has(1), false, 'passing features are neither ready nor blocked');
});

test('missing dependencies block with a clear reason (never silently ignored)', () => {
  const a = analyzeGraph([node(1, [99]), node(2, [1])]);
  assert.equal(a.ready.size, 0);
  assert.match(a.blockedReasons.get(1)!, /Depends on #99, which does not exist/);
  assert.deepEqual(a.missing.get(1), [99]);
  assert.match(a.blockedReasons.get(2)!, /Waiting for #1/);
});

test('cycles are detected and named; features downstream of a cycle are blocked too', () => {
  const a = analyzeGraph([node(1, [3]), node(2, [1]), node(3, [2]), node(4, [3]), node(5)]);
  assert.deepEqual([...a.ready], [5]);
  assert.equal(a.cycles.length, 1);
  const cycle = a.cycles[0]!;
  assert.equal(cycle[0], cycle[cycle.length - 1]);
  assert.deepEqual(new Set(cycle), new Set([1, 2, 3]));
  assert.match(a.blockedReasons.get(1)!, /dependency cycle: #\d → #\d → #\d → #\d/);
  assert.match(a.blockedReasons.get(4)!, /cycle/);
  assert.equal(a.scores.get(1), 0);
});

test('cycle reporting: one real cycle per strongly connected group, linear even with many back edges', () => {
  // Two separate cycles (one a self-loop), a feature between them, and one downstream of both.
  const small = analyzeGraph([
    node(1, [2]),
    node(2, [1]),
    node(3, [3]),
    node(4, [2, 3]),
    node(5, [4, 6]),
    node(6, [5]),
  ]);
  const named = small.cycles.map((c) => [...new Set(c)].sort((x, y) => x - y));
  assert.deepEqual(
    named.sort((x, y) => x[0]! - y[0]!),
    [[1, 2], [3], [5, 6]],
  );
  for (const c of small.cycles) {
    // Each step of a reported cycle is a real dependency edge.
    for (let k = 0; k + 1 < c.length; k++) {
      const from = c[k]!;
      const deps = [[2], [1], [3], [2, 3], [4, 6], [5]][from - 1]!;
      assert.ok(deps.includes(c[k + 1]!), `#${from} depends on #${c[k + 1]}`);
    }
  }
  assert.match(
    small.blockedReasons.get(4)!,
    /Depends on a feature that is part of a dependency cycle/,
  );

  // A 20,000-node ring where every node also depends on node 1: 40,000 edges, 20,000 of them
  // closing a cycle. Reporting one cycle per back edge (each up to the ring's length) is
  // quadratic; this must stay linear.
  const n = 20_000;
  const ring = Array.from({ length: n }, (_, i) =>
    node(i + 1, i === 0 ? [n] : [i, ...(i > 1 ? [1] : [])]),
  );
  const reads = countDependencyReads(ring);
  const big = analyzeGraph(ring);
  assert.equal(big.cycles.length, 1, 'one group, one cycle');
  assert.equal(big.ready.size, 0);
  assert.equal(big.blockedReasons.size, n);
  // Linear, counted rather than timed (bench/graph-analysis.ts prints the time): every edge is
  // read a bounded number of times, and the cycles reported are no longer than the graph.
  const edges = ring.reduce((sum, x) => sum + x.dependencies.length, 0);
  assert.ok(reads() <= 4 * edges, `${reads()} dependency reads for ${edges} edges`);
  const reported = big.cycles.reduce((sum, c) => sum + c.length, 0);
  assert.ok(reported <= n + 1, `${reported} ids in the cycles reported`);
});

test('checkDependencies refuses self, duplicates, missing ids, too many, and cycles with the path', () => {
  const nodes = [node(1), node(2, [1]), node(3, [2])];
  assert.match(checkDependencies(nodes, 1, [1])!, /itself/);
  assert.match(checkDependencies(nodes, 3, [1, 1])!, /duplicates/);
  assert.match(checkDependencies(nodes, 3, [42])!, /#42 does not exist/);
  assert.match(
    checkDependencies(
      nodes,
      3,
      Array.from({ length: 21 }, (_, i) => i + 100),
    )!,
    /at most 20/,
  );
  assert.equal(checkDependencies(nodes, 3, [1, 2]), null);
  assert.equal(
    checkDependencies(nodes, 1, [3]),
    'That would create a dependency cycle: #1 → #3 → #2 → #1.',
  );
});

test('score: features that unblock the longest chains go first; priority breaks ties', () => {
  // 1 ← 2 ← 3 ← 4 (chain), 5 and 6 standalone; 6 has the better priority.
  const nodes = [
    node(1),
    node(2, [1]),
    node(3, [2]),
    node(4, [3]),
    node(5, [], false, 50),
    node(6, [], false, 0),
  ];
  const a = analyzeGraph(nodes);
  const ready = nodes.filter((n) => a.ready.has(n.id)).sort(compareBySchedule(a.scores));
  assert.deepEqual(
    ready.map((n) => n.id),
    [1, 6, 5],
  );
  assert.ok(a.scores.get(1)! > a.scores.get(2)!);
});

test('score is linear: a 3,000-node "depends on the two before" chain (exponential for the reference) reads each edge a bounded number of times', () => {
  const nodes: GraphNode[] = [];
  for (let i = 1; i <= 3000; i++) nodes.push(node(i, i > 2 ? [i - 1, i - 2] : i === 2 ? [1] : []));
  const reads = countDependencyReads(nodes);
  const a = analyzeGraph(nodes);
  // The reference's recursive score re-reads a feature's dependencies on every path to it
  // (exponential here); one topological pass reads each edge a bounded number of times.
  const edges = nodes.reduce((sum, x) => sum + x.dependencies.length, 0);
  assert.ok(reads() <= 4 * edges, `${reads()} dependency reads for ${edges} edges`);
  assert.deepEqual([...a.ready], [1]);
  assert.ok(Number.isFinite(a.scores.get(1)!));
});
