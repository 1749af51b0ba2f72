/**
 * The dense list, in priority order, virtualized (@tanstack/react-virtual) so 10,000 rows cost
 * what the visible ones cost. A listbox: arrows move the selection, Alt+ArrowUp/Down move the
 * selected feature one place in priority order, and rows can be dragged onto another row to go
 * just before it.
 */
import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { FeatureView } from '../../../../contract/index.ts';
import { moveBefore, moveStep, selectFeature } from '../../actions/backlog.ts';
import { featureStateLabel } from '../../lib/format.ts';
import { useBacklogUi } from '../../stores/backlog.ts';

const ROW_HEIGHT = 34;

export function ListView(props: {
  projectId: string;
  /** Filtered rows, in priority order. */
  features: FeatureView[];
  /** Every feature in priority order (a move is relative to all of them, not the filter). */
  ordered: readonly FeatureView[];
}): ReactNode {
  const { projectId, features } = props;
  const selectedId = useBacklogUi(projectId).selectedId;
  const scroller = useRef<HTMLDivElement>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  // The virtualizer's functions change every render by design (as in LogView).
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: features.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const at = features.findIndex((f) => f.id === selectedId);

  const onKeyDown = (e: KeyboardEvent) => {
    if ((e.key === 'Home' || e.key === 'End') && features.length > 0) {
      e.preventDefault();
      const i = e.key === 'Home' ? 0 : features.length - 1;
      selectFeature(projectId, features[i]!.id);
      virtualizer.scrollToIndex(i);
      return;
    }
    if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
    e.preventDefault();
    const direction = e.key === 'ArrowUp' ? -1 : 1;
    const current = features[at];
    if (e.altKey && current) {
      void moveStep(projectId, current.id, direction);
      return;
    }
    const next = features[Math.min(features.length - 1, Math.max(0, at + direction))];
    if (next) {
      selectFeature(projectId, next.id);
      virtualizer.scrollToIndex(features.indexOf(next));
    }
  };

  return (
    <div
      ref={scroller}
      className="backlog-list"
      role="listbox"
      aria-label="Features in priority order"
      aria-activedescendant={
        selectedId !== null && at >= 0 ? `bl-${projectId}-${selectedId}` : undefined
      }
      aria-describedby={`bl-help-${projectId}`}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <p id={`bl-help-${projectId}`} className="visually-hidden">
        Arrow keys, Home and End choose a feature; Alt with Arrow Up or Down moves it in priority
        order.
      </p>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const f = features[item.index]!;
          return (
            <div
              key={f.id}
              id={`bl-${projectId}-${f.id}`}
              role="option"
              aria-selected={f.id === selectedId}
              className={`backlog-row feature-${f.state}${f.id === selectedId ? ' selected' : ''}`}
              style={{
                position: 'absolute',
                top: 0,
                left: 0,
                right: 0,
                height: ROW_HEIGHT,
                transform: `translateY(${item.start}px)`,
              }}
              draggable
              onDragStart={(e) => {
                setDragging(f.id);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onDragOver={(e) => {
                if (dragging !== null) e.preventDefault();
              }}
              onDrop={(e) => {
                e.preventDefault();
                const moved = props.ordered.find((x) => x.id === dragging);
                setDragging(null);
                if (moved && moved.id !== f.id) void moveBefore(projectId, moved, f.id);
              }}
              onDragEnd={() => setDragging(null)}
              onClick={() => selectFeature(projectId, f.id)}
            >
              <span className="mono muted backlog-row-id">#{f.id}</span>
              <span className="backlog-row-name">{f.name}</span>
              <span className="muted small">{f.category}</span>
              <span className={`state-chip state-${f.state}`}>{featureStateLabel(f.state)}</span>
            </div>
          );
        })}
      </div>
    </div>
  );
}
