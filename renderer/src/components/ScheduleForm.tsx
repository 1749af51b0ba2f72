/**
 * The form to add or edit one schedule. Its logic (draft, validation, where an error belongs)
 * is lib/schedule-draft.ts; this file only lays it out and sends it.
 */
import { useId, useMemo, useState, type ReactNode } from 'react';
import type { Project, Schedule } from '../../../contract/index.ts';
import { addSchedule, updateSchedule } from '../actions/schedules.ts';
import { useAction } from '../lib/hooks.ts';
import {
  DAYS,
  describeDuration,
  draftStartingAt,
  emptyScheduleDraft,
  patchDraft,
  scheduleDraft,
  serverErrors,
  validateScheduleDraft,
  type DraftErrors,
  type ScheduleDraft,
} from '../lib/schedule-draft.ts';
import { useApp } from '../stores/app.ts';
import {
  FormFooter,
  NumberField,
  Outcome,
  RunOverridesFields,
  Switch,
  TextField,
} from './fields.tsx';

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

function allZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

export function ScheduleForm(props: {
  project: Project;
  editing: Schedule | null;
  onDone: () => void;
}): ReactNode {
  const models = useApp((s) => s.models);
  const [form, setForm] = useState<{ draft: ScheduleDraft; errors: DraftErrors }>(() => ({
    draft: props.editing ? scheduleDraft(props.editing) : emptyScheduleDraft(localZone()),
    errors: {},
  }));
  const { draft, errors } = form;
  const action = useAction();
  const zonesId = useId();
  const zones = useMemo(() => allZones(), []);
  const set = (patch: Partial<ScheduleDraft>) =>
    setForm((f) => patchDraft(f.draft, f.errors, patch));

  const submit = async () => {
    const checked = validateScheduleDraft(draft);
    setForm({ draft, errors: checked.errors });
    const schedule = checked.value;
    if (!schedule) return;
    const { editing, project } = props;
    const result = editing
      ? await action.run(
          'Saving the schedule…',
          () => updateSchedule(project.id, editing.id, schedule),
          () => 'Schedule saved.',
        )
      : await action.run(
          'Adding the schedule…',
          () => addSchedule(project.id, schedule),
          () => 'Schedule added.',
        );
    if (result.ok) props.onDone();
    else setForm((f) => ({ ...f, errors: serverErrors(result.error) }));
  };

  const durationNumber = Number(draft.durationMinutes);
  const durationHint =
    Number.isInteger(durationNumber) && durationNumber > 0
      ? `${describeDuration(durationNumber)}. Up to 1440 minutes; a window may cross midnight.`
      : 'Up to 1440 minutes; a window may cross midnight.';

  return (
    <form
      className="schedule-form panel"
      aria-label={props.editing ? 'Edit schedule' : 'New schedule'}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
      noValidate
    >
      <h4>{props.editing ? 'Edit schedule' : 'New schedule'}</h4>
      <fieldset
        className="field schedule-days"
        aria-describedby={errors.days ? `${zonesId}-days-error` : undefined}
      >
        <legend>Days</legend>
        <div className="checks-row">
          {DAYS.map((d) => (
            <label key={d.n} className="check">
              <input
                type="checkbox"
                aria-label={d.long}
                checked={draft.days.includes(d.n)}
                onChange={(e) =>
                  set({
                    days: e.target.checked
                      ? [...draft.days, d.n]
                      : draft.days.filter((x) => x !== d.n),
                  })
                }
              />
              <span>{d.short}</span>
            </label>
          ))}
        </div>
        {errors.days ? (
          <p id={`${zonesId}-days-error`} className="field-error" role="alert">
            {errors.days}
          </p>
        ) : null}
      </fieldset>
      <div className="settings-grid">
        <TextField
          label="Start time"
          type="time"
          name="startTime"
          value={draft.startTime}
          onChange={(startTime) => set({ startTime })}
          error={errors.startTime}
          hint="Local wall-clock time in the time zone below."
          after={
            <button
              type="button"
              className="button small"
              onClick={() => set(draftStartingAt(new Date(), localZone()))}
            >
              Now
            </button>
          }
        />
        <NumberField
          label="Duration (minutes)"
          name="durationMinutes"
          min={1}
          max={1440}
          value={draft.durationMinutes}
          onChange={(durationMinutes) => set({ durationMinutes })}
          error={errors.durationMinutes}
          hint={durationHint}
        />
        <TextField
          label="Time zone"
          name="timeZone"
          list={`${zonesId}-zones`}
          value={draft.timeZone}
          onChange={(timeZone) => set({ timeZone })}
          error={errors.timeZone}
          hint="An IANA zone such as Europe/Berlin. Daylight-saving changes are followed."
        />
        <datalist id={`${zonesId}-zones`}>
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <TextField
          label="Label (optional)"
          name="label"
          maxLength={80}
          value={draft.label}
          placeholder="e.g. Weeknights"
          onChange={(label) => set({ label })}
          error={errors.label}
        />
      </div>
      <fieldset className="run-settings">
        <legend>Run settings (empty values use the project’s, then the global ones)</legend>
        <RunOverridesFields
          value={draft}
          onChange={set}
          models={models}
          defaultLabel={() => 'Project or global default'}
          errorAt={(field) => errors[field]}
        />
      </fieldset>
      <Switch label="Enabled" checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
      <FormFooter
        layout="panel"
        error={errors.form}
        onCancel={props.onDone}
        busy={action.pending !== null}
        label={props.editing ? 'Save schedule' : 'Add schedule'}
      >
        <Outcome
          outcome={action.outcome?.kind === 'error' && action.outcome.field ? null : action.outcome}
          pending={action.pending}
        />
      </FormFooter>
    </form>
  );
}
