/**
 * A project's schedules: the list (each with its next window in the user's local time), what the
 * scheduler is doing now, skip-next, and a form to add or edit a schedule with validation
 * sentences next to each field. State comes from `schedules.status` and `schedules.changed`.
 */
import { useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import {
  ScheduleFields,
  type Project,
  type RunOverrides,
  type Schedule,
  type ScheduleStatus,
} from '../../../contract/index.ts';
import { getApi } from '../api.ts';
import { fieldMessage, formatClock } from '../lib/format.ts';
import { useAction, useNow } from '../lib/hooks.ts';
import { useApp } from '../stores/app.ts';
import { useProjects } from '../stores/projects.ts';
import { Field, ModelPicker, NumberSelect, Outcome, Switch } from './fields.tsx';
import './ScheduleEditor.css';

const DAYS = [
  { n: 1, short: 'Mon', long: 'Monday' },
  { n: 2, short: 'Tue', long: 'Tuesday' },
  { n: 3, short: 'Wed', long: 'Wednesday' },
  { n: 4, short: 'Thu', long: 'Thursday' },
  { n: 5, short: 'Fri', long: 'Friday' },
  { n: 6, short: 'Sat', long: 'Saturday' },
  { n: 7, short: 'Sun', long: 'Sunday' },
] as const;

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

export function describeDays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'Every day';
  if (sorted.join() === '1,2,3,4,5') return 'Mon–Fri';
  if (sorted.join() === '6,7') return 'Weekends';
  return sorted.map((d) => DAYS[d - 1]?.short ?? '?').join(', ');
}

export function describeDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h && m) return `${h} h ${m} min`;
  return h ? `${h} h` : `${m} min`;
}

/** What is being edited: the form's own shape (strings where the user types). */
interface Draft {
  days: number[];
  startTime: string;
  timeZone: string;
  durationMinutes: string;
  enabled: boolean;
  label: string;
  model: string;
  yolo: 'default' | 'on' | 'off';
  codingAgents: number | null;
  regressionAgents: number | null;
}

function emptyDraft(): Draft {
  return {
    days: [1, 2, 3, 4, 5],
    startTime: '22:00',
    timeZone: localZone(),
    durationMinutes: '480',
    enabled: true,
    label: '',
    model: '',
    yolo: 'default',
    codingAgents: null,
    regressionAgents: null,
  };
}

function draftOf(s: Schedule): Draft {
  return {
    days: [...s.days],
    startTime: s.startTime,
    timeZone: s.timeZone,
    durationMinutes: String(s.durationMinutes),
    enabled: s.enabled,
    label: s.label ?? '',
    model: s.run.model ?? '',
    yolo: s.run.yolo === undefined ? 'default' : s.run.yolo ? 'on' : 'off',
    codingAgents: s.run.codingAgents ?? null,
    regressionAgents: s.run.regressionAgents ?? null,
  };
}

function fieldsOf(d: Draft): unknown {
  const run: RunOverrides = {};
  if (d.model.trim()) run.model = d.model.trim();
  if (d.yolo !== 'default') run.yolo = d.yolo === 'on';
  if (d.codingAgents !== null) run.codingAgents = d.codingAgents;
  if (d.regressionAgents !== null) run.regressionAgents = d.regressionAgents;
  const duration = d.durationMinutes.trim() === '' ? Number.NaN : Number(d.durationMinutes);
  return {
    days: [...d.days].sort((a, b) => a - b),
    startTime: d.startTime,
    timeZone: d.timeZone.trim(),
    durationMinutes: duration,
    enabled: d.enabled,
    run,
    ...(d.label.trim() ? { label: d.label.trim() } : {}),
  };
}

type Errors = Partial<Record<string, string>>;

/** Checks the draft with the contract's own schema; one sentence per field. */
function validate(d: Draft): { value: ScheduleFields | null; errors: Errors } {
  const parsed = ScheduleFields.safeParse(fieldsOf(d));
  if (parsed.success) return { value: parsed.data, errors: {} };
  const errors: Errors = {};
  for (const issue of parsed.error.issues) {
    const key =
      issue.path[0] === 'run' ? String(issue.path[1] ?? 'run') : String(issue.path[0] ?? 'form');
    if (errors[key]) continue;
    let message = issue.message;
    if (key === 'durationMinutes' && issue.code === 'invalid_type') {
      message = 'Duration must be between 1 and 1440 minutes';
    }
    errors[key] = message.endsWith('.') ? message : `${message}.`;
  }
  return { value: null, errors };
}

function ScheduleForm(props: {
  project: Project;
  editing: Schedule | null;
  onDone: () => void;
}): ReactNode {
  const models = useApp((s) => s.models);
  const [draft, setDraft] = useState<Draft>(() =>
    props.editing ? draftOf(props.editing) : emptyDraft(),
  );
  const [errors, setErrors] = useState<Errors>({});
  const action = useAction();
  const zonesId = useId();
  const zones = useMemo(() => allZones(), []);
  const set = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setErrors((e) => {
      const next = { ...e };
      for (const k of Object.keys(patch)) delete next[k];
      return next;
    });
  };

  const fillNow = () => {
    const now = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const iso = now.getDay() === 0 ? 7 : now.getDay();
    set({
      days: [iso],
      startTime: `${pad(now.getHours())}:${pad(now.getMinutes())}`,
      timeZone: localZone(),
    });
  };

  const submit = async () => {
    const checked = validate(draft);
    setErrors(checked.errors);
    if (!checked.value) return;
    const schedule = checked.value;
    const api = getApi();
    const result = props.editing
      ? await action.run(
          'Saving the schedule…',
          () =>
            api.call['schedules.update']({
              id: props.project.id,
              scheduleId: props.editing?.id ?? '',
              schedule,
            }),
          () => 'Schedule saved.',
        )
      : await action.run(
          'Adding the schedule…',
          () => api.call['schedules.add']({ id: props.project.id, schedule }),
          () => 'Schedule added.',
        );
    if (result.ok) {
      props.onDone();
    } else if (result.error.field) {
      const key = result.error.field.replace(/^schedule\.(run\.)?/, '').split('.')[0] ?? 'form';
      setErrors({ [key]: fieldMessage(result.error.message, result.error.field) });
    }
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
        <Field
          label="Start time"
          error={errors.startTime}
          hint="Local wall-clock time in the time zone below."
        >
          {({ id, describedBy, invalid }) => (
            <div className="input-row">
              <input
                id={id}
                type="time"
                name="startTime"
                value={draft.startTime}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                onChange={(e) => set({ startTime: e.target.value })}
              />
              <button type="button" className="button small" onClick={fillNow}>
                Now
              </button>
            </div>
          )}
        </Field>
        <Field label="Duration (minutes)" error={errors.durationMinutes} hint={durationHint}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="number"
              name="durationMinutes"
              min={1}
              max={1440}
              step={1}
              value={draft.durationMinutes}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(e) => set({ durationMinutes: e.target.value })}
            />
          )}
        </Field>
        <Field
          label="Time zone"
          error={errors.timeZone}
          hint="An IANA zone such as Europe/Berlin. Daylight-saving changes are followed."
        >
          {({ id, describedBy, invalid }) => (
            <>
              <input
                id={id}
                type="text"
                name="timeZone"
                list={`${zonesId}-zones`}
                value={draft.timeZone}
                spellCheck={false}
                autoComplete="off"
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                onChange={(e) => set({ timeZone: e.target.value })}
              />
              <datalist id={`${zonesId}-zones`}>
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Label (optional)" error={errors.label}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="text"
              name="label"
              maxLength={80}
              value={draft.label}
              placeholder="e.g. Weeknights"
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(e) => set({ label: e.target.value })}
            />
          )}
        </Field>
      </div>
      <fieldset className="run-settings">
        <legend>Run settings (empty values use the project’s, then the global ones)</legend>
        <div className="run-settings-grid">
          <ModelPicker
            label="Model"
            value={draft.model}
            models={models}
            defaultLabel="Project or global default"
            onChange={(model) => set({ model })}
            error={errors.model ?? null}
          />
          <Field label="YOLO mode" error={errors.yolo}>
            {({ id, describedBy }) => (
              <select
                id={id}
                value={draft.yolo}
                aria-describedby={describedBy}
                onChange={(e) => set({ yolo: e.target.value as Draft['yolo'] })}
              >
                <option value="default">Project or global default</option>
                <option value="on">On</option>
                <option value="off">Off</option>
              </select>
            )}
          </Field>
          <NumberSelect
            label="Coding agents"
            value={draft.codingAgents}
            min={1}
            max={5}
            defaultLabel="Project or global default"
            onChange={(codingAgents) => set({ codingAgents })}
            error={errors.codingAgents ?? null}
          />
          <NumberSelect
            label="Regression agents"
            value={draft.regressionAgents}
            min={0}
            max={3}
            defaultLabel="Project or global default"
            onChange={(regressionAgents) => set({ regressionAgents })}
            error={errors.regressionAgents ?? null}
          />
        </div>
      </fieldset>
      <Switch label="Enabled" checked={draft.enabled} onChange={(enabled) => set({ enabled })} />
      {errors.form ? (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={action.pending !== null}>
          {props.editing ? 'Save schedule' : 'Add schedule'}
        </button>
        <button type="button" className="button" onClick={props.onDone}>
          Cancel
        </button>
        <Outcome
          outcome={action.outcome?.kind === 'error' && action.outcome.field ? null : action.outcome}
          pending={action.pending}
        />
      </div>
    </form>
  );
}

function StatusSummary(props: { project: Project; status: ScheduleStatus | null }): ReactNode {
  const { status } = props;
  const agent = useProjects((s) => s.agents[props.project.id]);
  useNow(30_000);
  const lines: string[] = [];
  if (status?.activeWindow) {
    const end = formatClock(status.activeWindow.end);
    if (status.blockedReason)
      lines.push(`A window is open until ${end}, but it was not started: ${status.blockedReason}`);
    else if (status.activeSkipped)
      lines.push(`A window is open until ${end}, but it is being skipped as asked.`);
    else if (status.gaveUp)
      lines.push(
        `A window is open until ${end}. The agent crashed too often; Nightshift stopped retrying until the next window.`,
      );
    else if (status.manualStopUntil !== null)
      lines.push(
        `A window is open, but the agent was stopped by hand; it stays stopped until ${formatClock(status.manualStopUntil)}.`,
      );
    else if (status.nextRetryAt !== null)
      lines.push(
        `A window is open until ${end}. The agent crashed; retry ${status.crashRetries} of ${status.maxRetries ?? status.crashRetries} at ${formatClock(status.nextRetryAt)}.`,
      );
    else lines.push(`A window is open until ${end}.`);
  } else if (status?.stopAt !== null && status?.stopAt !== undefined) {
    lines.push(
      `The window ended; the agent is finishing its current work and will be stopped by ${formatClock(status.stopAt)}.`,
    );
  }
  if (status?.nextWindow) {
    const w = status.nextWindow;
    lines.push(
      `${status.skipNext ? 'Skipping the next window' : 'Next window'}: ${formatClock(w.start)} to ${formatClock(w.end)}.`,
    );
  } else if (!status?.activeWindow && props.project.schedules.some((s) => s.enabled)) {
    lines.push('No window in the coming week.');
  }
  if (agent && agent.origin && !['stopped', 'crashed'].includes(agent.status)) {
    const adopted = agent.adopted ? ' (adopted after a restart)' : '';
    lines.push(
      agent.origin === 'schedule'
        ? `The current run was started by a schedule${adopted}; the schedule will drain and stop it when its window ends.`
        : agent.origin === 'manual'
          ? `The current run was started by hand${adopted}; schedules will not stop it.`
          : 'The current run was left running by an earlier session.',
    );
  }
  if (lines.length === 0) return null;
  return (
    <div className="schedule-status" data-testid="schedule-status" role="status">
      {lines.map((l) => (
        <p key={l}>{l}</p>
      ))}
    </div>
  );
}

export function ScheduleEditor(props: { project: Project }): ReactNode {
  const { project } = props;
  // Every project's status: the global skip applies whenever any project has a next window.
  const [statuses, setStatuses] = useState<ScheduleStatus[]>([]);
  const status = statuses.find((s) => s.projectId === project.id) ?? null;
  const anyNext = statuses.some((s) => s.nextWindow !== null && !s.skipNext);
  const anySkip = statuses.some((s) => s.skipNext);
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  const action = useAction();
  const now = useNow(30_000);

  useEffect(() => {
    const api = getApi();
    let live = true;
    void api.call['schedules.status']().then((r) => {
      if (live && r.ok) setStatuses(r.value);
    });
    const off = api.on('schedules.changed', (all) => setStatuses(all));
    return () => {
      live = false;
      off();
    };
  }, [project.id]);

  const upcoming = new Map((status?.upcoming ?? []).map((u) => [u.scheduleId, u]));
  const api = () => getApi();

  const toggle = (s: Schedule) =>
    action.run(
      s.enabled ? 'Disabling…' : 'Enabling…',
      () => {
        const { id: _id, createdAt: _c, ...fields } = s;
        return api().call['schedules.update']({
          id: project.id,
          scheduleId: s.id,
          schedule: { ...fields, enabled: !s.enabled },
        });
      },
      (v) => (v.enabled ? 'Schedule enabled.' : 'Schedule disabled; a run it started was stopped.'),
    );
  const remove = (s: Schedule) =>
    action.run(
      'Removing…',
      () => api().call['schedules.remove']({ id: project.id, scheduleId: s.id }),
      () => 'Schedule removed; nothing of it will fire again.',
    );
  const skip = (value: boolean, all: boolean) =>
    action.run(
      value ? 'Skipping…' : 'Un-skipping…',
      () =>
        api().call['schedules.skipNext'](all ? { skip: value } : { id: project.id, skip: value }),
      () =>
        value
          ? all
            ? 'The next window of every project will be skipped.'
            : 'The next window will be skipped.'
          : all
            ? 'The next window of every project will run.'
            : 'The next window will run.',
    );

  return (
    <section className="panel schedules" aria-label="Schedules" data-testid="schedule-editor">
      <div className="section-head">
        <h3>Schedules</h3>
        {editing === null ? (
          <button type="button" className="button primary small" onClick={() => setEditing('new')}>
            Add schedule
          </button>
        ) : null}
      </div>
      <StatusSummary project={project} status={status} />
      {status?.nextWindow || status?.skipNext || anyNext || anySkip ? (
        <div className="buttons">
          {status?.nextWindow || status?.skipNext ? (
            <button
              type="button"
              className="button small"
              onClick={() => void skip(!status.skipNext, false)}
            >
              {status.skipNext ? 'Don’t skip the next window' : 'Skip next window'}
            </button>
          ) : null}
          {anyNext ? (
            <button type="button" className="button small" onClick={() => void skip(true, true)}>
              Skip next window for all projects
            </button>
          ) : null}
          {anySkip ? (
            <button type="button" className="button small" onClick={() => void skip(false, true)}>
              Don’t skip for any project
            </button>
          ) : null}
        </div>
      ) : null}
      {project.schedules.length === 0 && editing === null ? (
        <p className="muted">
          No schedules yet. Add one to start the agent in a weekly window (say, weeknights from
          22:00 for 8 hours) and stop it when the window ends.
        </p>
      ) : null}
      {project.schedules.length > 0 ? (
        <ul className="schedule-list" aria-label="Schedules of this project">
          {project.schedules.map((s) => {
            const next = upcoming.get(s.id);
            const running = next && status?.activeWindow && next.start <= now;
            return (
              <li key={s.id} className="schedule-row" data-testid="schedule-row">
                <div className="schedule-row-main">
                  <strong>
                    {s.label ? `${s.label}: ` : ''}
                    {describeDays(s.days)} {s.startTime} for {describeDuration(s.durationMinutes)}
                  </strong>
                  <span className="muted"> ({s.timeZone})</span>
                  <p className="small">
                    {!s.enabled
                      ? 'Disabled.'
                      : next
                        ? running
                          ? `Open now, until ${formatClock(next.end)}.`
                          : `Next: ${formatClock(next.start)} to ${formatClock(next.end)} (your time).`
                        : 'No occurrence in the coming week.'}
                  </p>
                </div>
                <div className="buttons">
                  <button type="button" className="button small" onClick={() => void toggle(s)}>
                    {s.enabled ? 'Disable' : 'Enable'}
                  </button>
                  <button type="button" className="button small" onClick={() => setEditing(s)}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="button small danger"
                    aria-label={`Remove schedule ${describeDays(s.days)} ${s.startTime}`}
                    onClick={() => void remove(s)}
                  >
                    Remove
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      <Outcome outcome={action.outcome} pending={action.pending} />
      {editing !== null ? (
        <ScheduleForm
          key={editing === 'new' ? 'new' : editing.id}
          project={project}
          editing={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      ) : null}
    </section>
  );
}
