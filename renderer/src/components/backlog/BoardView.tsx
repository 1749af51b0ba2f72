import type { ReactNode } from 'react';
import type { FeatureView } from '../../../../contract/index.ts';
import { selectFeature } from '../../actions/backlog.ts';
import { boardColumns, groupByState } from '../../lib/backlog-filter.ts';
import { featureStateLabel } from '../../lib/format.ts';
import { useBacklogUi } from '../../stores/backlog.ts';

/** Cards shown per column before "and N more" (the list view shows everything). */
const CARDS_PER_COLUMN = 200;

export function BoardView(props: { projectId: string; features: FeatureView[] }): ReactNode {
  const { projectId } = props;
  const selectedId = useBacklogUi(projectId).selectedId;
  const groups = groupByState(props.features);
  return (
    <div className="backlog-board">
      {boardColumns.map((state) => {
        const list = groups.get(state) ?? [];
        return (
          <section
            key={state}
            className={`board-column group-${state}`}
            aria-label={featureStateLabel(state)}
          >
            <h3>
              {featureStateLabel(state)} <span className="count">{list.length}</span>
            </h3>
            <ul>
              {list.slice(0, CARDS_PER_COLUMN).map((f) => (
                <li key={f.id}>
                  <button
                    type="button"
                    className={`board-card${f.id === selectedId ? ' selected' : ''}`}
                    aria-pressed={f.id === selectedId}
                    onClick={() => selectFeature(projectId, f.id)}
                  >
                    <span className="mono muted">#{f.id}</span> {f.name}
                    <span className="muted small board-card-category">{f.category}</span>
                    {state === 'blocked' && f.blockedReason ? (
                      <span className="blocked-reason small">{f.blockedReason}</span>
                    ) : null}
                  </button>
                </li>
              ))}
            </ul>
            {list.length > CARDS_PER_COLUMN ? (
              <p className="muted small">
                and {list.length - CARDS_PER_COLUMN} more (use the list view)
              </p>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}
