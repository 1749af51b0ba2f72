/**
 * The dependency graph's dagre layout, off the renderer's main thread: laying out 1,000 features
 * takes seconds, and the graph (and the rest of the window) must stay usable meanwhile.
 * One request in, one layout out, tagged with the request's number so a stale answer is ignored.
 */
import type { FeatureView } from '../../../contract/index.ts';
import { layoutBacklog, type GraphLayout } from './backlog-graph.ts';

export interface LayoutRequest {
  seq: number;
  features: FeatureView[];
}
export type LayoutAnswer = { seq: number; layout: GraphLayout } | { seq: number; error: string };

// The worker's global scope, typed by hand: the renderer's tsconfig has the DOM library only.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(answer: LayoutAnswer): void;
};

scope.onmessage = (e) => {
  const { seq, features } = e.data;
  try {
    scope.postMessage({ seq, layout: layoutBacklog(features) });
  } catch (error) {
    scope.postMessage({ seq, error: error instanceof Error ? error.message : String(error) });
  }
};
