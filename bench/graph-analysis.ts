/**
 * Two graphs the dependency analysis must handle in linear time (the unit tests count dependency
 * reads instead of timing): a 20,000-node ring where every node also depends on node 1 (40,000
 * edges, 20,000 closing a cycle; one cycle per back edge would be quadratic), and a 3,000-node
 * "depends on the two before" chain (exponential for a recursive score). Prints the times.
 */
import { availableParallelism, loadavg } from 'node:os';
import { analyzeGraph, type GraphNode } from '../core/dependency-graph.ts';

const node = (id: number, dependencies: number[]): GraphNode => ({
  id,
  priority: id,
  passes: false,
  dependencies,
});
const n = 20_000;
const ring = Array.from({ length: n }, (_, i) =>
  node(i + 1, i === 0 ? [n] : [i, ...(i > 1 ? [1] : [])]),
);
const chain: GraphNode[] = [];
for (let i = 1; i <= 3000; i++) chain.push(node(i, i > 2 ? [i - 1, i - 2] : i === 2 ? [1] : []));

function time(nodes: GraphNode[]): string {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    analyzeGraph(nodes);
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  return `median ${runs[3]!.toFixed(1)} ms, min ${runs[0]!.toFixed(1)} ms, max ${runs[6]!.toFixed(1)} ms`;
}

console.log(
  `7 runs each; Node ${process.version}, ${availableParallelism()} CPU(s), load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(`20,000-node ring with 40,000 edges: ${time(ring)} (goal < 1500 ms)`);
console.log(`3,000-node two-before chain: ${time(chain)} (goal < 500 ms)`);
