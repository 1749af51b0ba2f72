import { useEffect, useState, type ReactNode } from 'react';
import { initGit, repositoryStatus } from '../../actions/checkpoints.ts';
import { FormError } from '../fields.tsx';

/**
 * Shown on a project whose folder is not a git repository: says that no checkpoint can be kept
 * and offers `git init` (with a first commit of the files as they are).
 */
export function GitPanel(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [working, setWorking] = useState(false);
  useEffect(() => {
    setDone(null);
    void repositoryStatus(projectId).then((r) => setMessage(r.ok ? r.value.message : null));
  }, [projectId]);
  if (done)
    return (
      <section className="panel git-panel" aria-label="Git">
        <p className="ok-text" role="status">
          {done}
        </p>
      </section>
    );
  if (!message) return null;
  const init = async () => {
    setWorking(true);
    const r = await initGit(projectId);
    setWorking(false);
    if (r.ok) {
      setDone(r.value.message);
      setError(null);
    } else setError(r.error.message);
  };
  return (
    <section className="panel git-panel" aria-label="Git">
      <p>
        <strong>{message}</strong>{' '}
        <button type="button" className="button" disabled={working} onClick={() => void init()}>
          Initialize git
        </button>
      </p>
      <FormError message={error} />
    </section>
  );
}
