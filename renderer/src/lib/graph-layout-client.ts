/**
 * Lays out the dependency graph in a Web Worker (graph-layout.worker.ts), so the renderer never
 * blocks on dagre. Where a worker cannot start (an old shell, a file:// origin refusing module
 * workers) the layout runs on the main thread after the current frame, which is slower to
 * appear but still correct.
 */
import type { FeatureView } from '../../../contract/index.ts';
import { layoutBacklog, type GraphLayout } from './backlog-graph.ts';
import type { LayoutAnswer, LayoutRequest } from './graph-layout.worker.ts';

let worker: Worker | null = null;
let workerFailed = false;
let seq = 0;
const waiting = new Map<number, (answer: LayoutAnswer) => void>();

function getWorker(): Worker | null {
  if (worker || workerFailed) return worker;
  try {
    worker = new Worker(new URL('./graph-layout.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<LayoutAnswer>) => {
      waiting.get(e.data.seq)?.(e.data);
      waiting.delete(e.data.seq);
    };
    worker.onerror = () => {
      // The worker could not load: answer what waits on the main thread from now on.
      workerFailed = true;
      worker?.terminate();
      worker = null;
      for (const [n, done] of waiting) done({ seq: n, error: 'worker-failed' });
      waiting.clear();
    };
  } catch {
    workerFailed = true;
    worker = null;
  }
  return worker;
}

const onMainThread = (features: readonly FeatureView[]): Promise<GraphLayout> =>
  new Promise((resolve) => setTimeout(() => resolve(layoutBacklog(features)), 0));

/** The layout of `features`; the promise of an older request still settles (callers ignore it). */
export async function layoutInWorker(features: readonly FeatureView[]): Promise<GraphLayout> {
  const w = getWorker();
  if (!w) return onMainThread(features);
  const n = ++seq;
  const answer = await new Promise<LayoutAnswer>((resolve) => {
    waiting.set(n, resolve);
    w.postMessage({ seq: n, features: [...features] } satisfies LayoutRequest);
  });
  if ('layout' in answer) return answer.layout;
  return onMainThread(features);
}
