/**
 * A project's schedules: the list (each with its next window in the user's local time), what the
 * scheduler is doing now, skip-next, and a form to add or edit a schedule with validation
 * sentences next to each field (components/ScheduleForm.tsx). Statuses come from the schedules
 * store, which stores/sync.ts feeds (also after a reconnect).
 */
import { useState, type ReactNode } from 'react';
import {
  isActiveStatus,
  type Project,
  type Schedule,
  type ScheduleStatus,
} from '../../../contract/index.ts';
import { removeSchedule, setScheduleEnabled, skipNextWindow } from '../actions/schedules.ts';
import { formatClock } from '../lib/format.ts';
import { useAction, useNow } from '../lib/hooks.ts';
import { describeDays, describeDuration } from '../lib/schedule-draft.ts';
import { useProjects } from '../stores/projects.ts';
import { useSchedules } from '../stores/schedules.ts';
import { Outcome } from './fields.tsx';
import { ScheduleForm } from './ScheduleForm.tsx';
import './ScheduleEditor.css';

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
  if (agent && agent.origin && isActiveStatus(agent.status)) {
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
  const statuses = useSchedules((s) => s.statuses);
  const status = statuses.find((s) => s.projectId === project.id) ?? null;
  const anyNext = statuses.some((s) => s.nextWindow !== null && !s.skipNext);
  const anySkip = statuses.some((s) => s.skipNext);
  const [editing, setEditing] = useState<Schedule | 'new' | null>(null);
  const action = useAction();
  const now = useNow(30_000);
  const upcoming = new Map((status?.upcoming ?? []).map((u) => [u.scheduleId, u]));

  const toggle = (s: Schedule) =>
    action.run(
      s.enabled ? 'Disabling…' : 'Enabling…',
      () => setScheduleEnabled(project.id, s, !s.enabled),
      (v) => (v.enabled ? 'Schedule enabled.' : 'Schedule disabled; a run it started was stopped.'),
    );
  const remove = (s: Schedule) =>
    action.run(
      'Removing…',
      () => removeSchedule(project.id, s.id),
      () => 'Schedule removed; nothing of it will fire again.',
    );
  const skip = (value: boolean, all: boolean) =>
    action.run(
      value ? 'Skipping…' : 'Un-skipping…',
      () => skipNextWindow(all ? null : project.id, value),
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
