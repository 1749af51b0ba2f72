/**
 * "Expand the project": the user writes what the project should also do. Main appends it to the
 * spec under a dated heading and an expander session adds only the new features, with
 * dependencies onto existing ones, whether or not a run is going.
 */
import { useState, type ReactNode } from 'react';
import { MAX_ADDENDUM_CHARS } from '../../../../contract/backlog.ts';
import { setBacklogUi } from '../../actions/backlog.ts';
import { expandProject } from '../../actions/expand.ts';
import { useFormSubmit } from '../../lib/hooks.ts';
import { Dialog } from '../Dialog.tsx';
import { FormFooter, TextAreaField } from '../fields.tsx';

export function ExpandDialog(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const [text, setText] = useState('');
  const { busy, error, submit } = useFormSubmit<string>();
  const close = () => setBacklogUi(projectId, { expanding: false });

  return (
    <Dialog title="Expand the project" onClose={close} wide>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          // Main judges the text (empty, too long): its sentence is shown here as it is.
          void submit(() => expandProject(projectId, text));
        }}
        noValidate
        aria-label="Expand the project"
      >
        <p className="muted small">
          Describe what the project should also do. It is added to the spec under today’s date, and
          an agent session adds the new features to the backlog (existing features stay as they
          are). If the agent is running, it does this before its next feature.
        </p>
        <TextAreaField
          label="Addendum to the spec"
          autoFocus
          rows={10}
          value={text}
          onChange={setText}
          after={
            <p className="muted small" aria-live="polite">
              {text.length.toLocaleString()} of {MAX_ADDENDUM_CHARS.toLocaleString()} characters
            </p>
          }
        />
        <FormFooter layout="row" error={error} onCancel={close} busy={busy} label="Expand" />
      </form>
    </Dialog>
  );
}
