import { useState, type ReactNode } from 'react';
import type { FeatureView } from '../../../../contract/index.ts';
import {
  deleteFeature,
  resetAttempts,
  retestFeature,
  selectFeature,
  setBacklogUi,
  setDependencies,
  skipFeature,
} from '../../actions/backlog.ts';
import { featureStateLabel } from '../../lib/format.ts';
import { useBacklogUi } from '../../stores/backlog.ts';
import { parseIds } from './FeatureEditor.tsx';
import { FeatureCheckpoints } from '../checkpoints/FeatureCheckpoints.tsx';
import { FormError } from '../fields.tsx';

const money = (usd: number): string => `$${usd.toFixed(2)}`;
const duration = (ms: number): string =>
  ms < 60_000
    ? `${Math.round(ms / 1000)}s`
    : `${Math.floor(ms / 60_000)}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;

function DependencyEditor(props: { projectId: string; feature: FeatureView }): ReactNode {
  const { feature } = props;
  const [text, setText] = useState(feature.dependencies.join(', '));
  const [error, setError] = useState<string | null>(null);
  const id = `deps-${feature.id}`;
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        const ids = parseIds(text);
        if (ids === null) {
          setError('Dependencies are feature numbers separated by commas, like 3, 7.');
          return;
        }
        setError(null);
        void setDependencies(props.projectId, feature, ids);
      }}
    >
      <label htmlFor={id}>Depends on</label>
      <input id={id} value={text} placeholder="none" onChange={(e) => setText(e.target.value)} />
      <button type="submit" className="button small">
        Save dependencies
      </button>
      <FormError message={error} />
    </form>
  );
}

/** The actions that apply to a feature in its state, in the order the panel shows them. */
function featureActions(
  projectId: string,
  feature: FeatureView,
): { label: string; run: () => void }[] {
  const { id, state } = feature;
  const when = (on: boolean, label: string, run: () => unknown) =>
    on ? [{ label, run: () => void run() }] : [];
  return [
    ...when(true, 'Edit', () => setBacklogUi(projectId, { editor: { mode: 'edit', feature } })),
    ...when(state === 'skipped', 'Unskip', () => skipFeature(projectId, id, false)),
    ...when(state !== 'skipped' && state !== 'passing', 'Skip', () =>
      skipFeature(projectId, id, true),
    ),
    ...when(state === 'passing', 'Mark for re-test', () => retestFeature(projectId, id)),
    ...when(feature.attempts > 0, 'Reset attempts', () => resetAttempts(projectId, id)),
  ];
}

export function FeatureDetailsPanel(props: { projectId: string; feature: FeatureView }): ReactNode {
  const { projectId, feature } = props;
  const details = useBacklogUi(projectId).details;
  const d = details?.featureId === feature.id ? details : null;
  const claimed = feature.state === 'in-progress' || feature.state === 'under-test';
  return (
    <aside className="backlog-details panel" aria-label={`Feature #${feature.id}`}>
      <header className="backlog-details-head">
        <h3>
          <span className="mono muted">#{feature.id}</span> {feature.name}
        </h3>
        <button
          type="button"
          className="icon-button"
          aria-label="Close details"
          onClick={() => selectFeature(projectId, null)}
        >
          ×
        </button>
      </header>
      <p className="muted small">
        {featureStateLabel(feature.state)} · {feature.category} · priority {feature.priority}
        {feature.attempts > 0
          ? ` · ${feature.attempts} attempt${feature.attempts === 1 ? '' : 's'}`
          : ''}
      </p>
      {feature.blockedReason ? (
        <p className="blocked-reason">Blocked: {feature.blockedReason}</p>
      ) : null}
      <p>{feature.description}</p>
      <ol className="steps">
        {feature.steps.map((s, i) => (
          <li key={i}>{s}</li>
        ))}
      </ol>
      <DependencyEditor
        key={feature.dependencies.join(',')}
        projectId={projectId}
        feature={feature}
      />
      <div className="buttons backlog-actions">
        {featureActions(projectId, feature).map((a) => (
          <button key={a.label} type="button" className="button small" onClick={a.run}>
            {a.label}
          </button>
        ))}
        <button
          type="button"
          className="button small danger"
          disabled={claimed}
          title={claimed ? 'An agent holds this feature; it cannot be deleted now.' : undefined}
          onClick={() => {
            if (window.confirm(`Delete #${feature.id} ${feature.name}? This cannot be undone.`))
              void deleteFeature(projectId, feature.id);
          }}
        >
          Delete
        </button>
      </div>
      {d?.error ? (
        <p className="error-text" role="alert">
          {d.error}
        </p>
      ) : !d?.value ? (
        <p className="muted small">Loading history…</p>
      ) : (
        <>
          {d.value.lastError ? <p className="error-text">Last error: {d.value.lastError}</p> : null}
          {d.value.humanInput ? (
            <div className="small">
              <p>
                <strong>Asked:</strong> {d.value.humanInput.prompt}
              </p>
              {d.value.humanInput.answer ? (
                <p>
                  <strong>Answered:</strong>{' '}
                  {Object.entries(d.value.humanInput.answer)
                    .map(([k, v]) => `${k}: ${String(v)}`)
                    .join('; ')}
                </p>
              ) : null}
            </div>
          ) : null}
          <h4>Sessions</h4>
          {d.value.sessions.length === 0 ? (
            <p className="muted small">No session has worked on it yet.</p>
          ) : (
            <table className="small backlog-sessions">
              <thead>
                <tr>
                  <th>Role</th>
                  <th>Outcome</th>
                  <th>Duration</th>
                  <th>Tokens in/out</th>
                  <th>Cost</th>
                </tr>
              </thead>
              <tbody>
                {d.value.sessions.map((s) => (
                  <tr key={`${s.runId}-${s.agentId}-${s.startedAt}`}>
                    <td>{s.role}</td>
                    <td>{s.outcome ?? 'running or cut off'}</td>
                    <td>{s.endedAt ? duration(s.endedAt - s.startedAt) : '—'}</td>
                    <td>
                      {s.inputTokens.toLocaleString()} / {s.outputTokens.toLocaleString()}
                    </td>
                    <td>{money(s.costUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h4>Commits</h4>
          {d.value.commits.length === 0 ? (
            <p className="muted small">No commit names it.</p>
          ) : (
            <ul className="small">
              {d.value.commits.map((c) => (
                <li key={c.hash}>
                  <span className="mono">{c.hash.slice(0, 8)}</span> {c.subject}
                </li>
              ))}
            </ul>
          )}
          <FeatureCheckpoints projectId={projectId} featureId={feature.id} />
        </>
      )}
    </aside>
  );
}
