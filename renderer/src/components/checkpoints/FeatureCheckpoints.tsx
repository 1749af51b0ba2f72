import { useEffect, useState, type ReactNode } from 'react';
import type {
  CheckpointEntry,
  CheckpointList,
  CheckpointPreview,
  DiffStat,
} from '../../../../contract/index.ts';
import {
  listCheckpoints,
  previewCheckpoint,
  restoreCheckpoint,
} from '../../actions/checkpoints.ts';
import { formatClock } from '../../lib/format.ts';
import { Dialog } from '../Dialog.tsx';
import { FormFooter } from '../fields.tsx';

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** "2 files changed, 3 insertions, 1 deletion" (what restoring changes). */
export const statSentence = (s: DiffStat): string =>
  s.files === 0
    ? 'no change'
    : `${plural(s.files, 'file')} changed, ${plural(s.insertions, 'insertion')}, ${plural(s.deletions, 'deletion')}`;

const label = (c: CheckpointEntry): string =>
  c.kind === 'undo'
    ? `Before a restore, ${formatClock(c.createdAt)}`
    : `Before attempt ${c.attempt}, run ${c.runId}, ${formatClock(c.createdAt)}`;

/** Shows what restoring a checkpoint changes, and restores it once confirmed. */
function RestoreDialog(props: {
  projectId: string;
  checkpoint: CheckpointEntry;
  onClose: () => void;
  onRestored: (message: string) => void;
}): ReactNode {
  const { projectId, checkpoint } = props;
  const [preview, setPreview] = useState<CheckpointPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [restoring, setRestoring] = useState(false);
  useEffect(() => {
    void previewCheckpoint(projectId, checkpoint.ref).then((r) =>
      r.ok ? setPreview(r.value) : setError(r.error.message),
    );
  }, [projectId, checkpoint.ref]);
  const restore = async () => {
    setRestoring(true);
    const r = await restoreCheckpoint(projectId, checkpoint.ref);
    setRestoring(false);
    if (r.ok) props.onRestored(r.value.message);
    else setError(r.error.message);
  };
  return (
    <Dialog title="Restore this checkpoint?" onClose={props.onClose} wide>
      <div className="dialog-body">
        <p>{label(checkpoint)}</p>
        {preview === null && !error ? <p className="muted">Working out what it changes…</p> : null}
        {preview ? (
          <>
            <p data-testid="restore-stat">
              Restoring it changes your files: <strong>{statSentence(preview)}</strong>. What is
              there now is kept as a checkpoint first, so you can undo this.
            </p>
            <ul className="small mono checkpoint-files" aria-label="Files it changes">
              {preview.changes.map((c) => (
                <li key={c.path}>
                  {c.change === 'added' ? '+' : c.change === 'deleted' ? '−' : '~'} {c.path}
                  {c.insertions === null ? ' (binary)' : ` +${c.insertions} −${c.deletions ?? 0}`}
                </li>
              ))}
            </ul>
            {preview.files > preview.changes.length ? (
              <p className="muted small">
                …and {preview.files - preview.changes.length} more files.
              </p>
            ) : null}
          </>
        ) : null}
        <FormFooter
          layout="panel"
          error={error}
          onCancel={props.onClose}
          disabled={preview === null || preview.files === 0}
          busy={restoring}
          onAction={() => void restore()}
          label="Restore"
          busyLabel="Restoring…"
        />
      </div>
    </Dialog>
  );
}

/** The feature's checkpoints, newest first, each with what restoring it changes. */
export function FeatureCheckpoints(props: { projectId: string; featureId: number }): ReactNode {
  const { projectId, featureId } = props;
  const [list, setList] = useState<CheckpointList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [restoring, setRestoring] = useState<CheckpointEntry | null>(null);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    void listCheckpoints(projectId, featureId).then((r) => {
      if (r.ok) {
        setList(r.value);
        setError(null);
      } else setError(r.error.message);
    });
  }, [projectId, featureId, version]);
  if (error)
    return (
      <p className="error-text" role="alert">
        {error}
      </p>
    );
  if (!list || !list.repository) return null;
  return (
    <section aria-label="Checkpoints">
      <h4>Checkpoints</h4>
      {done ? (
        <p className="ok-text" role="status">
          {done}
        </p>
      ) : null}
      {list.checkpoints.length === 0 ? (
        <p className="muted small">No checkpoint was made for it yet.</p>
      ) : (
        <ul className="small checkpoint-list">
          {list.checkpoints.map((c) => (
            <li key={c.ref} data-ref={c.ref}>
              <span>{label(c)}</span>{' '}
              <span className="muted">
                {c.stat ? `(restoring: ${statSentence(c.stat)})` : ''}
                {c.kept ? ` · ${c.kept}` : ''}
              </span>{' '}
              <button
                type="button"
                className="button small"
                onClick={() => {
                  setDone(null);
                  setRestoring(c);
                }}
              >
                Restore this checkpoint
              </button>
            </li>
          ))}
        </ul>
      )}
      {restoring ? (
        <RestoreDialog
          projectId={projectId}
          checkpoint={restoring}
          onClose={() => setRestoring(null)}
          onRestored={(message) => {
            setRestoring(null);
            setDone(message);
            setVersion((v) => v + 1);
          }}
        />
      ) : null}
    </section>
  );
}
