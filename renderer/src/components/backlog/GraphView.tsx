/**
 * The dependency graph as SVG. The dagre layout runs in a Web Worker (graph-layout-client.ts),
 * only when the graph's shape (ids and dependencies) changes, not when states change; while a
 * new layout is computed the previous one stays on screen and can be panned, zoomed and clicked.
 * Pan (drag), zoom (wheel, at the pointer) and the
 * keyboard (arrows, + and -, 0 to fit) only change one CSS transform on the SVG's wrapper, set
 * directly on the element, so 1,000 nodes are not re-rendered per frame (bench/backlog.ts).
 */
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { FeatureView } from '../../../../contract/index.ts';
import { selectFeature } from '../../actions/backlog.ts';
import {
  fitTransform,
  keyTransform,
  NODE_HEIGHT,
  NODE_WIDTH,
  panBy,
  transformStyle,
  zoomAt,
  type GraphLayout,
  type ViewTransform,
} from '../../lib/backlog-graph.ts';
import { featureStateLabel } from '../../lib/format.ts';
import { layoutInWorker } from '../../lib/graph-layout-client.ts';
import { useBacklogUi } from '../../stores/backlog.ts';

const shapeKey = (features: readonly FeatureView[]): string =>
  features.map((f) => `${f.id}:${f.dependencies.join(',')}`).join(';');

const GraphSvg = memo(function GraphSvg(props: {
  layout: GraphLayout;
  states: ReadonlyMap<number, FeatureView>;
  selectedId: number | null;
  onSelect: (id: number) => void;
}): ReactNode {
  const { layout } = props;
  return (
    <svg width={layout.width} height={layout.height} className="graph-svg" aria-hidden="false">
      <defs>
        <marker
          id="graph-arrow"
          viewBox="0 0 10 10"
          refX="10"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto"
        >
          <path d="M0,0 L10,5 L0,10 z" className="graph-arrow" />
        </marker>
      </defs>
      {layout.edges.map((e) => (
        <path
          key={`${e.from}-${e.to}`}
          d={e.d}
          className="graph-edge"
          markerEnd="url(#graph-arrow)"
        />
      ))}
      {layout.nodes.map((n) => {
        const f = props.states.get(n.feature.id) ?? n.feature;
        return (
          <g
            key={f.id}
            transform={`translate(${n.x} ${n.y})`}
            className={`graph-node state-${f.state}${f.id === props.selectedId ? ' selected' : ''}`}
            role="button"
            aria-label={`#${f.id} ${f.name}, ${featureStateLabel(f.state)}`}
            onClick={() => props.onSelect(f.id)}
          >
            <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
            <text x={8} y={18}>
              #{f.id} {f.name.length > 22 ? `${f.name.slice(0, 21)}…` : f.name}
            </text>
            <text x={8} y={34} className="graph-node-state">
              {featureStateLabel(f.state)}
            </text>
          </g>
        );
      })}
    </svg>
  );
});

export function GraphView(props: { projectId: string; features: FeatureView[] }): ReactNode {
  const { projectId, features } = props;
  const selectedId = useBacklogUi(projectId).selectedId;
  const key = shapeKey(features);
  // Laid out from the shape only; states are looked up at render time.
  const [laidOut, setLaidOut] = useState<{ key: string; layout: GraphLayout } | null>(null);
  const layout = laidOut?.layout ?? null;
  useEffect(() => {
    let current = true;
    void layoutInWorker(features).then((l) => {
      if (current) setLaidOut({ key, layout: l });
    });
    return () => {
      current = false;
    };
    // Only a change of shape needs a new layout.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  const stale = laidOut?.key !== key;
  const states = useMemo(() => new Map(features.map((f) => [f.id, f])), [features]);
  const viewport = useRef<HTMLDivElement>(null);
  const wrapper = useRef<HTMLDivElement>(null);
  const transform = useRef<ViewTransform>({ x: 0, y: 0, scale: 1 });
  const drag = useRef<{ x: number; y: number; id: number } | null>(null);

  const apply = (t: ViewTransform) => {
    transform.current = t;
    if (wrapper.current) wrapper.current.style.transform = transformStyle(t);
  };
  const fit = () => {
    const el = viewport.current;
    if (el && layout) apply(fitTransform(layout, el.clientWidth, el.clientHeight));
  };
  useLayoutEffect(fit, [layout]);

  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    // Not a React onWheel: it must be non-passive to keep the page from scrolling.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const box = el.getBoundingClientRect();
      apply(
        zoomAt(
          transform.current,
          Math.exp(-e.deltaY / 500),
          e.clientX - box.left,
          e.clientY - box.top,
        ),
      );
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  if (features.length === 0) return <p className="muted">No features match.</p>;
  return (
    <div
      ref={viewport}
      className="backlog-graph"
      tabIndex={0}
      role="group"
      aria-label="Dependency graph"
      aria-describedby={`graph-help-${projectId}`}
      onKeyDown={(e) => {
        const el = viewport.current;
        if (!el || e.altKey || e.ctrlKey || e.metaKey) return;
        const next = keyTransform(transform.current, e.key, {
          width: el.clientWidth,
          height: el.clientHeight,
        });
        if (next === null) return;
        e.preventDefault();
        if (next === 'fit') fit();
        else apply(next);
      }}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        drag.current = { x: e.clientX, y: e.clientY, id: e.pointerId };
      }}
      onPointerMove={(e) => {
        const d = drag.current;
        if (!d || d.id !== e.pointerId) return;
        if (
          !viewport.current?.hasPointerCapture(e.pointerId) &&
          Math.hypot(e.clientX - d.x, e.clientY - d.y) > 3
        )
          viewport.current?.setPointerCapture(e.pointerId);
        if (!viewport.current?.hasPointerCapture(e.pointerId)) return;
        apply(panBy(transform.current, e.clientX - d.x, e.clientY - d.y));
        drag.current = { ...d, x: e.clientX, y: e.clientY };
      }}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
    >
      <p id={`graph-help-${projectId}`} className="visually-hidden">
        Drag or use the arrow keys to pan; wheel or plus and minus to zoom; 0 fits the graph.
      </p>
      {stale ? (
        <p className="graph-status muted small" role="status">
          Laying out {features.length.toLocaleString()} features…
        </p>
      ) : null}
      <div ref={wrapper} className="graph-wrapper">
        {layout ? (
          <GraphSvg
            layout={layout}
            states={states}
            selectedId={selectedId}
            onSelect={(id) => selectFeature(projectId, id)}
          />
        ) : null}
      </div>
    </div>
  );
}
