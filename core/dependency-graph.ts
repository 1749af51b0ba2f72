/**
 * The feature dependency graph: readiness, blocked reasons, cycle and missing-dependency
 * detection, and the scheduling score. Everything here is linear in features + edges.
 *
 * An edge runs from a dependency to the feature that needs it. A feature is ready when it does
 * not pass and every dependency exists and passes. Missing dependencies and cycles block, and
 * always with a reason (the reference ignored missing ids in one place and blocked on them in
 * another, and never looked for cycles at run time).
 *
 * Scheduling score (higher runs first): the reference ranks by how much work a feature unblocks,
 * using a walk that is exponential in the number of paths. Here the same idea is computed by one
 * topological pass: `height` is the longest chain of features waiting (transitively) on this one,
 * `depth` the longest chain it waits on, and `fanOut` how many features need it directly.
 */

export interface GraphNode {
  id: number;
  priority: number;
  passes: boolean;
  dependencies: readonly number[];
  name?: string;
  /** Why a human holds this feature back (e.g. skipped on the board): blocked, never ready. */
  held?: string;
}

export interface GraphAnalysis {
  /** Score per feature id (features inside a cycle score 0). */
  scores: Map<number, number>;
  /** Ids of features whose dependencies all exist and pass, and that do not pass themselves. */
  ready: Set<number>;
  /** Why a non-passing feature cannot start, for every non-passing feature that is not ready. */
  blockedReasons: Map<number, string>;
  /** Each cycle as a closed path of ids (first id repeated at the end). */
  cycles: number[][];
  /** Feature id → dependency ids that do not exist. */
  missing: Map<number, number[]>;
}

export const MAX_DEPENDENCIES_PER_FEATURE = 20;

/** Sort key used everywhere: score descending, then priority, then id. */
export function compareBySchedule(scores: Map<number, number>) {
  return (a: { id: number; priority: number }, b: { id: number; priority: number }): number =>
    (scores.get(b.id) ?? 0) - (scores.get(a.id) ?? 0) || a.priority - b.priority || a.id - b.id;
}

interface Indexed {
  ids: number[];
  indexOf: Map<number, number>;
  /** children[i] = indices of features that depend on i (existing edges only). */
  children: number[][];
  parents: number[][];
  missing: Map<number, number[]>;
}

function index(nodes: readonly GraphNode[]): Indexed {
  const ids = nodes.map((n) => n.id);
  const indexOf = new Map<number, number>();
  ids.forEach((id, i) => indexOf.set(id, i));
  const children: number[][] = nodes.map(() => []);
  const parents: number[][] = nodes.map(() => []);
  const missing = new Map<number, number[]>();
  nodes.forEach((node, i) => {
    const seen = new Set<number>();
    for (const dep of node.dependencies) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      const j = indexOf.get(dep);
      if (j === undefined) {
        const list = missing.get(node.id) ?? [];
        list.push(dep);
        missing.set(node.id, list);
        continue;
      }
      children[j]!.push(i);
      parents[i]!.push(j);
    }
  });
  return { ids, indexOf, children, parents, missing };
}

/** Kahn's algorithm: topological order of the acyclic part, and the indices left in cycles. */
function topoOrder(ix: Indexed): { order: number[]; cyclic: number[] } {
  const n = ix.ids.length;
  const indegree = new Int32Array(n);
  for (let i = 0; i < n; i++) indegree[i] = ix.parents[i]!.length;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) order.push(i);
  for (let head = 0; head < order.length; head++) {
    for (const c of ix.children[order[head]!]!) {
      indegree[c]!--;
      if (indegree[c] === 0) order.push(c);
    }
  }
  const cyclic: number[] = [];
  if (order.length < n) for (let i = 0; i < n; i++) if (indegree[i]! > 0) cyclic.push(i);
  return { order, cyclic };
}

/**
 * Finds one concrete cycle through each strongly connected group of the leftover (cyclic)
 * nodes, for error messages. Linear in nodes + edges: Tarjan's algorithm (iterative) splits the
 * cyclic nodes into strongly connected groups, then in each group a walk along dependencies that
 * stay inside it must come back to a node it has seen; `position` says where that node sits in
 * the walk, so the cycle is cut out without searching the path, and each node is walked once.
 */
function describeCycles(ix: Indexed, cyclic: number[]): number[][] {
  const n = ix.ids.length;
  const inCycleSet = new Uint8Array(n);
  for (const i of cyclic) inCycleSet[i] = 1;

  // Tarjan over the dependency edges of the cyclic set.
  const order = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const group = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const groups: number[][] = [];
  let counter = 0;
  for (const root of cyclic) {
    if (order[root] !== -1) continue;
    const frames: { node: number; next: number }[] = [{ node: root, next: 0 }];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const top = frames[frames.length - 1]!;
      const deps = ix.parents[top.node]!;
      if (top.next < deps.length) {
        const dep = deps[top.next++]!;
        if (!inCycleSet[dep]) continue;
        if (order[dep] === -1) {
          order[dep] = low[dep] = counter++;
          stack.push(dep);
          onStack[dep] = 1;
          frames.push({ node: dep, next: 0 });
        } else if (onStack[dep] && order[dep]! < low[top.node]!) low[top.node] = order[dep]!;
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent && low[top.node]! < low[parent.node]!) low[parent.node] = low[top.node]!;
      if (low[top.node] !== order[top.node]) continue;
      const members: number[] = [];
      let v: number;
      do {
        v = stack.pop()!;
        onStack[v] = 0;
        group[v] = groups.length;
        members.push(v);
      } while (v !== top.node);
      groups.push(members);
    }
  }

  const position = new Int32Array(n).fill(-1);
  const cycles: number[][] = [];
  groups.forEach((members, g) => {
    const first = members[0]!;
    const selfLoop = ix.parents[first]!.includes(first);
    if (members.length === 1 && !selfLoop) return; // downstream of a cycle, not in one
    const path: number[] = [];
    let v = first;
    while (position[v] === -1) {
      position[v] = path.length;
      path.push(v);
      // Every member of a strongly connected group has a dependency inside the group.
      v = ix.parents[v]!.find((p) => group[p] === g)!;
    }
    const loop = path.slice(position[v]).map((i) => ix.ids[i]!);
    cycles.push([...loop, loop[0]!]);
  });
  return cycles;
}

/** `#1 → #3 → #2 → #1`; a very long cycle is shortened so messages stay readable and small. */
export function formatCycle(cycle: readonly number[], max = 12): string {
  if (cycle.length <= max) return cycle.map((id) => `#${id}`).join(' → ');
  const head = cycle.slice(0, max - 1).map((id) => `#${id}`);
  return `${head.join(' → ')} → … → #${cycle[cycle.length - 1]} (${cycle.length - 1} features)`;
}

export function analyzeGraph(nodes: readonly GraphNode[]): GraphAnalysis {
  const ix = index(nodes);
  const { order, cyclic } = topoOrder(ix);
  const n = nodes.length;

  // depth: longest chain of dependencies below; height: longest chain of dependents above.
  const depth = new Int32Array(n);
  const height = new Int32Array(n);
  const fanOut = new Int32Array(n);
  for (const i of order) {
    for (const p of ix.parents[i]!) if (depth[p]! + 1 > depth[i]!) depth[i] = depth[p]! + 1;
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    fanOut[i] = ix.children[i]!.length;
    for (const c of ix.children[i]!) if (height[c]! + 1 > height[i]!) height[i] = height[c]! + 1;
  }
  let maxDepth = 0;
  let maxHeight = 0;
  let maxFan = 0;
  for (const i of order) {
    if (depth[i]! > maxDepth) maxDepth = depth[i]!;
    if (height[i]! > maxHeight) maxHeight = height[i]!;
    if (fanOut[i]! > maxFan) maxFan = fanOut[i]!;
  }
  const scores = new Map<number, number>();
  const cyclicSet = new Set(cyclic);
  nodes.forEach((node, i) => {
    if (cyclicSet.has(i)) {
      scores.set(node.id, 0);
      return;
    }
    const unblocks = maxHeight > 0 ? height[i]! / maxHeight : 0;
    const fan = maxFan > 0 ? fanOut[i]! / maxFan : 0;
    const shallow = maxDepth > 0 ? 1 - depth[i]! / maxDepth : 1;
    const prio = (10 - Math.min(Math.max(node.priority, 0), 10)) / 10;
    scores.set(node.id, 1000 * unblocks + 200 * fan + 100 * shallow + 10 * prio);
  });

  const cycles = describeCycles(ix, cyclic);
  // One reason string per cycle, shared by its members (not one long string per member).
  const cycleOf = new Map<number, string>();
  for (const cycle of cycles) {
    const reason = `Part of a dependency cycle: ${formatCycle(cycle)}. Remove one of these dependencies.`;
    for (const id of cycle) if (!cycleOf.has(id)) cycleOf.set(id, reason);
  }

  const ready = new Set<number>();
  const blockedReasons = new Map<number, string>();
  nodes.forEach((node, i) => {
    if (node.passes) return;
    const missing = ix.missing.get(node.id);
    if (cyclicSet.has(i)) {
      blockedReasons.set(
        node.id,
        cycleOf.get(node.id) ?? 'Depends on a feature that is part of a dependency cycle.',
      );
      return;
    }
    if (node.held) {
      blockedReasons.set(node.id, node.held);
      return;
    }
    if (missing && missing.length > 0) {
      const list = missing.map((id) => `#${id}`).join(', ');
      blockedReasons.set(
        node.id,
        `Depends on ${list}, which ${missing.length === 1 ? 'does' : 'do'} not exist. Remove or fix the dependency.`,
      );
      return;
    }
    const waiting = ix.parents[i]!.filter((p) => !nodes[p]!.passes);
    if (waiting.length === 0) {
      ready.add(node.id);
      return;
    }
    const shown = waiting.slice(0, 3).map((p) => {
      const dep = nodes[p]!;
      return dep.name ? `#${dep.id} ${dep.name}` : `#${dep.id}`;
    });
    const more = waiting.length > 3 ? ` and ${waiting.length - 3} more` : '';
    blockedReasons.set(node.id, `Waiting for ${shown.join(', ')}${more}.`);
  });

  return { scores, ready, blockedReasons, cycles, missing: ix.missing };
}

/**
 * Checks a proposed dependency list for one feature against the graph: self reference,
 * duplicates, the per-feature limit, missing ids and cycles. Returns a sentence, or null if fine.
 */
export function checkDependencies(
  nodes: readonly GraphNode[],
  featureId: number,
  dependencies: readonly number[],
): string | null {
  if (dependencies.includes(featureId)) return `Feature #${featureId} cannot depend on itself.`;
  if (new Set(dependencies).size !== dependencies.length)
    return 'The dependency list has duplicates.';
  if (dependencies.length > MAX_DEPENDENCIES_PER_FEATURE)
    return `A feature can have at most ${MAX_DEPENDENCIES_PER_FEATURE} dependencies.`;
  const byId = new Map<number, GraphNode>();
  for (const node of nodes) byId.set(node.id, node);
  const missing = dependencies.filter((d) => !byId.has(d));
  if (missing.length > 0)
    return `Dependency ${missing.map((d) => `#${d}`).join(', ')} does not exist.`;
  const cycle = cycleIfAdded(byId, featureId, dependencies);
  return cycle ? `That would create a dependency cycle: ${formatCycle(cycle)}.` : null;
}

/**
 * The cycle that giving `featureId` these dependencies would close, as a path of ids from
 * `featureId` back to itself, or null. A cycle appears iff featureId is reachable from one of the
 * new dependencies by following dependency lists: one iterative walk, remembering each parent.
 */
export function cycleIfAdded(
  byId: ReadonlyMap<number, GraphNode>,
  featureId: number,
  dependencies: readonly number[],
): number[] | null {
  const parentOf = new Map<number, number>();
  const stack: number[] = [];
  for (const d of dependencies) {
    if (!parentOf.has(d)) {
      parentOf.set(d, featureId);
      stack.push(d);
    }
  }
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current === featureId) {
      const path = [featureId];
      let cursor = parentOf.get(featureId)!;
      while (cursor !== featureId) {
        path.push(cursor);
        cursor = parentOf.get(cursor)!;
      }
      path.push(featureId);
      return path.reverse();
    }
    const node = byId.get(current);
    if (!node) continue;
    for (const next of node.dependencies) {
      if (parentOf.has(next)) continue;
      parentOf.set(next, current);
      stack.push(next);
    }
  }
  return null;
}
