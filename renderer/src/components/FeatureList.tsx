import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { FeatureState, FeatureView, HumanInputField } from '../../../contract/index.ts';
import { answerHumanInput } from '../actions/features.ts';
import { answerSentMessage, featureStateLabel, featureStateOrder } from '../lib/format.ts';
import { emptyFeatureEntry, useFeatures } from '../stores/features.ts';
import { useProjects } from '../stores/projects.ts';
import { refreshFeaturesNow } from '../stores/sync.ts';

type Values = Record<string, string | boolean>;

export function HumanInputForm(props: {
  projectId: string;
  feature: FeatureView;
  onSent?: (message: string) => void;
}): ReactNode {
  const { feature } = props;
  const request = feature.humanInput;
  const [values, setValues] = useState<Values>(() => {
    const v: Values = {};
    for (const f of request?.fields ?? []) v[f.id] = f.type === 'boolean' ? false : '';
    return v;
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  if (!request) return null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = request.fields.find(
      (f) => f.required && f.type !== 'boolean' && String(values[f.id] ?? '').trim() === '',
    );
    if (missing) {
      setError(`Fill in “${missing.label}”; the agent needs it.`);
      return;
    }
    setBusy(true);
    setError(null);
    const result = await answerHumanInput({
      id: props.projectId,
      featureId: feature.id,
      values,
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    // Read at the moment of sending: what the agent does now decides when the answer is used.
    const { agents, runViews } = useProjects.getState();
    const view = runViews[props.projectId];
    const rateLimited =
      view?.phase === 'rate-limited' || (view?.rateLimitedUntil ?? 0) > Date.now();
    const message = answerSentMessage(agents[props.projectId]?.status ?? null, rateLimited);
    setDone(message);
    // The refresh moves the feature out of "needs human", which unmounts this form: the list
    // keeps the confirmation so the user still sees it.
    props.onSent?.(`#${feature.id}: ${message}`);
    void refreshFeaturesNow(props.projectId);
  };

  const field = (f: HumanInputField) => {
    const id = `hi-${feature.id}-${f.id}`;
    const value = values[f.id];
    const set = (v: string | boolean) => setValues((old) => ({ ...old, [f.id]: v }));
    if (f.type === 'boolean') {
      return (
        <div className="field field-check" key={f.id}>
          <label htmlFor={id}>
            <input
              id={id}
              type="checkbox"
              checked={value === true}
              onChange={(e) => set(e.target.checked)}
            />{' '}
            {f.label}
          </label>
        </div>
      );
    }
    return (
      <div className="field" key={f.id}>
        <label htmlFor={id}>
          {f.label}
          {f.required ? <span className="muted"> (required)</span> : null}
        </label>
        {f.type === 'textarea' ? (
          <textarea
            id={id}
            rows={3}
            value={String(value ?? '')}
            placeholder={f.placeholder}
            required={f.required}
            onChange={(e) => set(e.target.value)}
          />
        ) : f.type === 'select' ? (
          <select
            id={id}
            value={String(value ?? '')}
            required={f.required}
            onChange={(e) => set(e.target.value)}
          >
            <option value="">Choose…</option>
            {(f.options ?? []).map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        ) : (
          <input
            id={id}
            type="text"
            value={String(value ?? '')}
            placeholder={f.placeholder}
            required={f.required}
            onChange={(e) => set(e.target.value)}
          />
        )}
      </div>
    );
  };

  return (
    <form
      className="human-input"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={`Input for feature ${feature.id}`}
    >
      <p className="human-prompt">{request.prompt}</p>
      {request.fields.map(field)}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button primary small" disabled={busy || done !== null}>
        {busy ? 'Sending…' : 'Send to the agent'}
      </button>
    </form>
  );
}

function FeatureRow(props: {
  projectId: string;
  feature: FeatureView;
  onSent?: (message: string) => void;
}): ReactNode {
  const { feature } = props;
  return (
    <li className={`feature feature-${feature.state}`}>
      <details open={feature.state === 'needs-human'}>
        <summary>
          <span className="mono muted">#{feature.id}</span>{' '}
          <span className="feature-name">{feature.name}</span>
          <span className="muted feature-category">{feature.category}</span>
          {feature.attempts > 0 ? (
            <span className="muted">
              {' '}
              · {feature.attempts} attempt{feature.attempts === 1 ? '' : 's'}
            </span>
          ) : null}
        </summary>
        <div className="feature-body">
          {feature.lastError ? <p className="error-text">Last error: {feature.lastError}</p> : null}
          <p>{feature.description}</p>
          {feature.steps.length > 0 ? (
            <ol className="steps">
              {feature.steps.map((s, i) => (
                <li key={i}>{s}</li>
              ))}
            </ol>
          ) : null}
          {feature.dependencies.length > 0 ? (
            <p className="muted">
              Depends on {feature.dependencies.map((d) => `#${d}`).join(', ')}
            </p>
          ) : null}
          {feature.state === 'needs-human' ? (
            <HumanInputForm projectId={props.projectId} feature={feature} onSent={props.onSent} />
          ) : null}
        </div>
      </details>
      {feature.state === 'blocked' && feature.blockedReason ? (
        <p className="blocked-reason">Blocked: {feature.blockedReason}</p>
      ) : null}
    </li>
  );
}

export function FeatureList(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const entry = useFeatures((s) => s.entries[projectId]) ?? emptyFeatureEntry;
  const [sent, setSent] = useState<string | null>(null);
  useEffect(() => {
    setSent(null);
    void refreshFeaturesNow(projectId);
  }, [projectId]);

  if (entry.error && !entry.list) {
    return (
      <div className="panel">
        <p className="error-text" role="alert">
          {entry.error}
        </p>
        <button type="button" className="button" onClick={() => void refreshFeaturesNow(projectId)}>
          Try again
        </button>
      </div>
    );
  }
  if (!entry.list) return <p className="muted">Loading features…</p>;
  const features = entry.list.features;
  if (features.length === 0) {
    return (
      <p className="muted">
        No features yet. On its first run the agent reads the spec and writes the feature list.
      </p>
    );
  }
  const groups = new Map<FeatureState, FeatureView[]>();
  for (const f of features) {
    const list = groups.get(f.state) ?? [];
    list.push(f);
    groups.set(f.state, list);
  }
  return (
    <div className="feature-groups">
      {entry.error ? (
        <p className="error-text" role="alert">
          {entry.error}
        </p>
      ) : null}
      {sent ? (
        <p className="ok-text" role="status">
          {sent}
        </p>
      ) : null}
      {featureStateOrder.map((state) => {
        const list = groups.get(state);
        if (!list || list.length === 0) return null;
        const headingId = `fg-${projectId}-${state}`;
        return (
          <section
            key={state}
            className={`feature-group group-${state}`}
            aria-labelledby={headingId}
          >
            <h3 id={headingId}>
              {featureStateLabel(state)} <span className="count">{list.length}</span>
            </h3>
            <ul className="feature-list">
              {list.map((f) => (
                <FeatureRow key={f.id} projectId={projectId} feature={f} onSent={setSent} />
              ))}
            </ul>
          </section>
        );
      })}
      {entry.list.dbPath ? <p className="muted small">Database: {entry.list.dbPath}</p> : null}
    </div>
  );
}
