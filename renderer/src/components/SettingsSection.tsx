/** A section of the settings page: its own form, save button, and outcome line. */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { Result, SettingsUpdate, SettingsView } from '../../../contract/index.ts';
import { saveSettings } from '../actions/settings.ts';
import { isAbout } from '../lib/field-errors.ts';
import { useAction, type ActionOutcome } from '../lib/hooks.ts';
import { Outcome } from './fields.tsx';

/** A section's outcome line: field errors are shown at their fields, everything else here. */
export function sectionOutcome(
  outcome: ActionOutcome | null,
  fields: readonly string[],
): ActionOutcome | null {
  if (outcome?.kind === 'error' && outcome.field && fields.some((f) => isAbout(outcome, f))) {
    return { kind: 'error', message: 'Nothing was saved; correct the field marked above.' };
  }
  return outcome;
}

export function useSave(): {
  pending: string | null;
  outcome: ActionOutcome | null;
  save: (update: SettingsUpdate, success: string) => Promise<Result<SettingsView>>;
  fail: (message: string, field: string) => void;
} {
  const action = useAction();
  const [local, setLocal] = useState<ActionOutcome | null>(null);
  const save = async (update: SettingsUpdate, success: string) => {
    setLocal(null);
    return action.run(
      'Saving…',
      () => saveSettings(update),
      () => success,
    );
  };
  return {
    pending: action.pending,
    outcome: local ?? action.outcome,
    save,
    fail: (message, field) => setLocal({ kind: 'error', message, field }),
  };
}

export function Section(props: {
  title: string;
  description?: string;
  onSubmit: () => void;
  dirty: boolean;
  pending: string | null;
  outcome: ActionOutcome | null;
  children: ReactNode;
}): ReactNode {
  const id = props.title.toLowerCase().replace(/\W+/g, '-');
  return (
    <section className="panel settings-section" aria-labelledby={`s-${id}`}>
      <h2 id={`s-${id}`}>{props.title}</h2>
      {props.description ? <p className="muted">{props.description}</p> : null}
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          props.onSubmit();
        }}
        noValidate
      >
        {props.children}
        <div className="form-actions">
          <button
            type="submit"
            className="button primary"
            disabled={!props.dirty || props.pending !== null}
          >
            Save {props.title.toLowerCase()}
          </button>
          {props.dirty ? <span className="muted small">Unsaved changes</span> : null}
          <Outcome outcome={props.outcome} pending={props.pending} />
        </div>
      </form>
    </section>
  );
}
