/**
 * "Expand the project": the user writes what the project should also do. Main appends it to the
 * spec under a dated heading and an expander session adds only the new features, with
 * dependencies onto existing ones, whether or not a run is going.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { MAX_ADDENDUM_CHARS } from '../../../../contract/backlog.ts';
import { setBacklogUi } from '../../actions/backlog.ts';
import { expandProject } from '../../actions/expand.ts';
import { Dialog } from '../Dialog.tsx';

export function ExpandDialog(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => setBacklogUi(projectId, { expanding: false });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    // Main judges the text (empty, too long): its sentence is shown here as it is.
    setError(await expandProject(projectId, text));
    setBusy(false);
  };

  return (
    <Dialog title="Expand the project" onClose={close} wide>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label="Expand the project">
        <p className="muted small">
          Describe what the project should also do. It is added to the spec under today’s date, and
          an agent session adds the new features to the backlog (existing features stay as they
          are). If the agent is running, it does this before its next feature.
        </p>
        <div className="field">
          <label htmlFor="expand-addendum">Addendum to the spec</label>
          <textarea
            id="expand-addendum"
            data-autofocus
            rows={10}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          <p className="muted small" aria-live="polite">
            {text.length.toLocaleString()} of {MAX_ADDENDUM_CHARS.toLocaleString()} characters
          </p>
        </div>
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="buttons">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            Expand
          </button>
        </div>
      </form>
    </Dialog>
  );
}
