/**
 * The dependency graph's geometry: a layered layout from dagre (run once per change of the
 * backlog, never per frame) and the pan/zoom transform, which is the only thing that changes
 * while the user pans or zooms: one CSS `transform` on the SVG's wrapper (composited; no node
 * re-render, no re-layout).
 *
 * Why dagre (@dagrejs/dagre): a maintained fork of the classic layered (Sugiyama) layout,
 * synchronous (no worker or WASM start-up like elkjs), small, typed, and fast enough to lay out
 * 1,000 features well under a second (see bench/backlog.ts).
 */
import {
  Graph,
  layout,
  type EdgeLabel,
  type GraphLabel,
  type NodeLabel,
  type Point,
} from '@dagrejs/dagre';
import type { FeatureView } from '../../../contract/index.ts';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 44;

export interface LaidOutNode {
  feature: FeatureView;
  x: number;
  y: number;
}

export interface LaidOutEdge {
  from: number;
  to: number;
  /** SVG path data. */
  d: string;
}

export interface GraphLayout {
  nodes: LaidOutNode[];
  edges: LaidOutEdge[];
  width: number;
  height: number;
}

/** Left-to-right layers: a dependency sits left of the features that need it. */
export function layoutBacklog(features: readonly FeatureView[]): GraphLayout {
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>();
  // tight-tree ranks several times faster than the default network simplex on 1,000 nodes
  // (bench/backlog.ts) at the cost of somewhat longer edges.
  g.setGraph({
    rankdir: 'LR',
    nodesep: 16,
    ranksep: 60,
    marginx: 20,
    marginy: 20,
    ranker: 'tight-tree',
  });
  g.setDefaultEdgeLabel(() => ({}));
  const known = new Set(features.map((f) => f.id));
  for (const f of features) g.setNode(String(f.id), { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const f of features)
    for (const d of f.dependencies) if (known.has(d)) g.setEdge(String(d), String(f.id));
  layout(g);
  const nodes = features.map((feature) => {
    const n = g.node(String(feature.id)) as NodeLabel & { x: number; y: number };
    return { feature, x: n.x - NODE_WIDTH / 2, y: n.y - NODE_HEIGHT / 2 };
  });
  const edges = g.edges().map((e: { v: string; w: string }) => {
    const points: Point[] = (g.edge(e) as EdgeLabel).points ?? [];
    const d = points.map(
      (p: Point, i: number) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`,
    );
    return { from: Number(e.v), to: Number(e.w), d: d.join(' ') };
  });
  const graph = g.graph() as GraphLabel;
  return { nodes, edges, width: graph.width ?? 0, height: graph.height ?? 0 };
}

export interface ViewTransform {
  x: number;
  y: number;
  scale: number;
}

export const MIN_SCALE = 0.05;
export const MAX_SCALE = 4;
const clampScale = (s: number): number => Math.min(MAX_SCALE, Math.max(MIN_SCALE, s));

export const identity: ViewTransform = { x: 0, y: 0, scale: 1 };

export const panBy = (t: ViewTransform, dx: number, dy: number): ViewTransform => ({
  ...t,
  x: t.x + dx,
  y: t.y + dy,
});

/** Zooms by `factor` keeping the point (px, py) of the viewport where it is. */
export function zoomAt(t: ViewTransform, factor: number, px: number, py: number): ViewTransform {
  const scale = clampScale(t.scale * factor);
  const k = scale / t.scale;
  return { scale, x: px - (px - t.x) * k, y: py - (py - t.y) * k };
}

/** The whole layout inside a viewport of this size, centred. */
export function fitTransform(layout: GraphLayout, width: number, height: number): ViewTransform {
  if (layout.width === 0 || layout.height === 0) return identity;
  const scale = clampScale(Math.min(width / layout.width, height / layout.height, 1));
  return {
    scale,
    x: (width - layout.width * scale) / 2,
    y: (height - layout.height * scale) / 2,
  };
}

export const transformStyle = (t: ViewTransform): string =>
  `translate(${t.x.toFixed(2)}px, ${t.y.toFixed(2)}px) scale(${t.scale.toFixed(4)})`;

/** Keyboard pan/zoom for the focused graph: arrows pan, + and - zoom, 0 fits. */
export function keyTransform(
  t: ViewTransform,
  key: string,
  viewport: { width: number; height: number },
): ViewTransform | 'fit' | null {
  const step = 60;
  switch (key) {
    case 'ArrowLeft':
      return panBy(t, step, 0);
    case 'ArrowRight':
      return panBy(t, -step, 0);
    case 'ArrowUp':
      return panBy(t, 0, step);
    case 'ArrowDown':
      return panBy(t, 0, -step);
    case '+':
    case '=':
      return zoomAt(t, 1.25, viewport.width / 2, viewport.height / 2);
    case '-':
    case '_':
      return zoomAt(t, 0.8, viewport.width / 2, viewport.height / 2);
    case '0':
      return 'fit';
    default:
      return null;
  }
}
