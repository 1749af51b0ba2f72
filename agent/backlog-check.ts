/**
 * Whether the initializer's backlog is complete: the number of features the spec asks for (where
 * it states one) and dependencies that can be met. Pure over the spec text and the backlog.
 *
 * Invariants:
 * - a backlog with no features is never complete;
 * - fewer features than the spec's stated count is incomplete; more is accepted (nothing is
 *   deleted on a guess);
 * - a dependency on a feature that does not exist, or a cycle, is a problem to fix.
 */
import { analyzeGraph, formatCycle, type GraphNode } from '../core/dependency-graph.ts';

/** The number of features the spec asks for: `<feature_count>N</feature_count>` or "feature count: N". */
export function specFeatureCount(spec: string): number | null {
  const m =
    /<feature_count>\s*(\d+)\s*<\/feature_count>/i.exec(spec) ??
    /\bfeature[_ ]count\s*[:=]\s*(\d+)/i.exec(spec);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** What keeps the backlog from being complete, as phrases; empty when it is complete. */
export function backlogProblems(nodes: readonly GraphNode[], wanted: number | null): string[] {
  if (nodes.length === 0) return ['it has no features'];
  const problems: string[] = [];
  if (wanted !== null && nodes.length < wanted)
    problems.push(`it has ${nodes.length} of the ${wanted} features the spec asks for`);
  const graph = analyzeGraph(nodes);
  for (const [id, missing] of [...graph.missing].slice(0, 5))
    problems.push(
      `feature #${id} depends on ${missing.map((d) => `#${d}`).join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist`,
    );
  for (const cycle of graph.cycles.slice(0, 3))
    problems.push(`a dependency cycle: ${formatCycle(cycle)}`);
  return problems;
}
