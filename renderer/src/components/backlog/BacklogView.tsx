/**
 * The Features tab: a toolbar (view, search, filters, add, import, export) over one of four views
 * of the same backlog: the grouped list (FeatureList, with human-input forms), a board by state,
 * a dense reorderable list and the dependency graph. The selected feature's details and actions
 * show beside the board, list and graph.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { BacklogFormat, FeatureState } from '../../../../contract/index.ts';
import { exportBacklog, importBacklog, setBacklogUi } from '../../actions/backlog.ts';
import { backlogIndexer, boardColumns, filterBacklog } from '../../lib/backlog-filter.ts';
import { featureStateLabel } from '../../lib/format.ts';
import { useBacklogUi, type BacklogViewKind } from '../../stores/backlog.ts';
import { emptyFeatureEntry, useFeatures } from '../../stores/features.ts';
import { refreshFeaturesNow } from '../../stores/sync.ts';
import { FeatureList } from '../FeatureList.tsx';
import { BoardView } from './BoardView.tsx';
import { ExpandDialog } from './ExpandDialog.tsx';
import { FeatureDetailsPanel } from './FeatureDetailsPanel.tsx';
import { FeatureEditor } from './FeatureEditor.tsx';
import { GraphView } from './GraphView.tsx';
import { ListView } from './ListView.tsx';
import './backlog.css';

const views: { key: BacklogViewKind; label: string }[] = [
  { key: 'groups', label: 'Groups' },
  { key: 'board', label: 'Board' },
  { key: 'list', label: 'List' },
  { key: 'graph', label: 'Graph' },
];

function ImportButton(props: { projectId: string }): ReactNode {
  const input = useRef<HTMLInputElement>(null);
  const [format, setFormat] = useState<BacklogFormat>('feature-list-json');
  return (
    <span className="backlog-import">
      <label>
        <span className="visually-hidden">Import format</span>
        <select value={format} onChange={(e) => setFormat(e.target.value as BacklogFormat)}>
          <option value="feature-list-json">feature_list.json</option>
          <option value="backlog-json">Backlog JSON</option>
        </select>
      </label>
      <button type="button" className="button small" onClick={() => input.current?.click()}>
        Import…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        aria-label="Import file"
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void file.text().then((text) => importBacklog(props.projectId, format, text));
        }}
      />
    </span>
  );
}

export function BacklogView(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const ui = useBacklogUi(projectId);
  const entry = useFeatures((s) => s.entries[projectId]) ?? emptyFeatureEntry;
  useEffect(() => {
    void refreshFeaturesNow(projectId);
  }, [projectId]);
  const all = entry.list?.features;
  // Keyed by content, so one indexer serves whichever project is shown.
  const [indexer] = useState(backlogIndexer);
  const index = useMemo(() => indexer.index(all ?? []), [indexer, all]);
  const filtered = useMemo(
    () =>
      filterBacklog(index, {
        text: ui.text,
        states: ui.state === 'all' ? null : new Set([ui.state]),
        categories: ui.category === 'all' ? null : new Set([ui.category]),
      }),
    [index, ui.text, ui.state, ui.category],
  );
  const selected = all?.find((f) => f.id === ui.selectedId) ?? null;
  const set = (p: Parameters<typeof setBacklogUi>[1]) => setBacklogUi(projectId, p);

  return (
    <div className="backlog">
      <div className="backlog-toolbar" role="toolbar" aria-label="Backlog">
        <div className="backlog-views" role="radiogroup" aria-label="Backlog view">
          {views.map((v) => (
            <button
              key={v.key}
              type="button"
              role="radio"
              aria-checked={ui.view === v.key}
              className={`button small${ui.view === v.key ? ' primary' : ''}`}
              onClick={() => set({ view: v.key })}
            >
              {v.label}
            </button>
          ))}
        </div>
        {ui.view !== 'groups' ? (
          <>
            <input
              type="search"
              placeholder="Search features"
              aria-label="Search features"
              value={ui.text}
              onChange={(e) => set({ text: e.target.value })}
            />
            <label>
              <span className="visually-hidden">State</span>
              <select
                aria-label="Filter by state"
                value={ui.state}
                onChange={(e) => set({ state: e.target.value as FeatureState | 'all' })}
              >
                <option value="all">All states</option>
                {boardColumns.map((s) => (
                  <option key={s} value={s}>
                    {featureStateLabel(s)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="visually-hidden">Category</span>
              <select
                aria-label="Filter by category"
                value={ui.category}
                onChange={(e) => set({ category: e.target.value })}
              >
                <option value="all">All categories</option>
                {index.categories.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          </>
        ) : null}
        <button
          type="button"
          className="button small primary"
          onClick={() => set({ editor: { mode: 'add' } })}
        >
          Add feature
        </button>
        <button type="button" className="button small" onClick={() => set({ expanding: true })}>
          Expand the project…
        </button>
        <ImportButton projectId={projectId} />
        <button
          type="button"
          className="button small"
          onClick={() => void exportBacklog(projectId, 'feature-list-json')}
        >
          Export feature_list.json
        </button>
        <button
          type="button"
          className="button small"
          onClick={() => void exportBacklog(projectId, 'backlog-json')}
        >
          Export backlog
        </button>
      </div>
      {ui.notice ? (
        <p
          className={`backlog-notice ${ui.notice.kind === 'error' ? 'error-text' : 'ok-text'}`}
          role={ui.notice.kind === 'error' ? 'alert' : 'status'}
        >
          {ui.notice.text}
        </p>
      ) : null}
      {ui.view === 'groups' ? (
        <FeatureList projectId={projectId} />
      ) : !all ? (
        <p className="muted">{entry.error ?? 'Loading features…'}</p>
      ) : (
        <div className="backlog-main">
          <div className="backlog-view">
            <p className="muted small" aria-live="polite">
              {filtered.length} of {all.length} features
            </p>
            {ui.view === 'board' ? (
              <BoardView projectId={projectId} features={filtered} />
            ) : ui.view === 'list' ? (
              <ListView projectId={projectId} features={filtered} ordered={index.features} />
            ) : (
              <GraphView projectId={projectId} features={filtered} />
            )}
          </div>
          {selected ? <FeatureDetailsPanel projectId={projectId} feature={selected} /> : null}
        </div>
      )}
      {ui.expanding ? <ExpandDialog projectId={projectId} /> : null}
      {ui.editor ? (
        <FeatureEditor projectId={projectId} editor={ui.editor} features={all ?? []} />
      ) : null}
    </div>
  );
}
