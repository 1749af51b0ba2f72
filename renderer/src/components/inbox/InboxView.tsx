import { useEffect, useState, type ReactNode } from 'react';
import '../history/ledger.css';
import type { InboxItem } from '../../../../contract/index.ts';
import { startAgent } from '../../actions/agent.ts';
import { dismissInboxItem, loadInbox } from '../../actions/ledger.ts';
import { useApp } from '../../stores/app.ts';
import { useFeatures } from '../../stores/features.ts';
import { useLedger } from '../../stores/ledger.ts';
import { refreshFeaturesNow } from '../../stores/sync.ts';
import { HumanInputForm } from '../FeatureList.tsx';

const kindLabels: Record<InboxItem['kind'], string> = {
  'human-input': 'Needs your input',
  crashed: 'Crashed',
  budget: 'Budget reached',
  'retries-exhausted': 'Window given up',
  'work-left': 'Work left',
  expansion: 'Expansion done',
  stalled: 'Stalled agent',
  auth: 'Credentials refused',
  provider: 'Provider or sandbox trouble',
};

/** The items a new run answers, and what their start button says. */
const startLabels: Partial<Record<InboxItem['kind'], string>> = {
  'retries-exhausted': 'Start again',
  crashed: 'Start again',
  expansion: 'Start the agent',
};

function Answer(props: { item: InboxItem }): ReactNode {
  const { projectId, featureId } = props.item;
  const feature = useFeatures((s) =>
    s.entries[projectId]?.list?.features.find((f) => f.id === featureId),
  );
  useEffect(() => {
    void refreshFeaturesNow(projectId);
  }, [projectId]);
  // Once answered the feature no longer waits: the inbox drops the item.
  useEffect(() => {
    if (feature && feature.state !== 'needs-human') void loadInbox();
  }, [feature]);
  if (!feature?.humanInput) return null;
  return <HumanInputForm projectId={projectId} feature={feature} />;
}

function Item(props: { item: InboxItem }): ReactNode {
  const { item } = props;
  const select = useApp((s) => s.select);
  const [error, setError] = useState<string | null>(null);
  return (
    <li className={`inbox-item inbox-${item.kind}`} aria-label={item.title}>
      <div className="inbox-head">
        <span className="tag">{kindLabels[item.kind]}</span>
        <strong>{item.title}</strong>
        <span className="muted small">{new Date(item.createdAt).toLocaleString()}</span>
      </div>
      {item.body ? <p className="inbox-body">{item.body}</p> : null}
      {item.kind === 'human-input' ? <Answer item={item} /> : null}
      {item.kind === 'retries-exhausted' ? (
        <p className="muted small">
          Its schedule tries again in the next window; Start again runs it now.
        </p>
      ) : null}
      <div className="form-actions">
        <button
          type="button"
          className="button small"
          onClick={() => select({ kind: 'project', id: item.projectId })}
        >
          Open {item.projectName}
        </button>
        {startLabels[item.kind] ? (
          <button
            type="button"
            className="button small primary"
            onClick={() =>
              void startAgent(item.projectId, {}).then((r) =>
                setError(r.ok ? null : r.error.message),
              )
            }
          >
            {startLabels[item.kind]}
          </button>
        ) : null}
        <button
          type="button"
          className="button small"
          onClick={() => void dismissInboxItem(item).then(setError)}
        >
          Dismiss
        </button>
        {error ? <span className="error-text small">{error}</span> : null}
      </div>
    </li>
  );
}

/** Everything across projects that needs the user, newest first. */
export function InboxView(): ReactNode {
  const inbox = useLedger((s) => s.inbox);
  useEffect(() => {
    void loadInbox();
  }, []);
  return (
    <div className="inbox-page">
      <h1>Inbox</h1>
      {inbox.length === 0 ? (
        <p className="muted">Nothing needs you.</p>
      ) : (
        <ul className="inbox-list" aria-label="Needs you">
          {inbox.map((item) => (
            <Item key={item.id} item={item} />
          ))}
        </ul>
      )}
    </div>
  );
}

/** The number for the sidebar. */
export function InboxCount(): ReactNode {
  const n = useLedger((s) => s.inbox.length);
  return n > 0 ? (
    <span className="tab-badge">
      {n} <span className="visually-hidden">items need you</span>
    </span>
  ) : null;
}
