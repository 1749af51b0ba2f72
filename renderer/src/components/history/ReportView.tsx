import type { ReactNode } from 'react';
import type { NightReport } from '../../../../contract/index.ts';
import { formatCost, formatElapsed, formatTokens, roleLabel } from '../../lib/format.ts';

const endLabels: Record<string, string> = {
  complete: 'Every feature passes',
  'work-left': 'Ended with work left',
  stopped: 'Stopped',
  'window-ended': 'The window ended',
  budget: 'Stopped by a budget',
  auth: 'Credentials refused',
  failed: 'Could not go on',
  crashed: 'Crashed',
  lost: 'Ended unseen',
};

function FeatureGroup(props: { title: string; items: { id: number; name: string }[] }): ReactNode {
  return (
    <div className="report-group">
      <h4>
        {props.title} ({props.items.length})
      </h4>
      {props.items.length ? (
        <ul>
          {props.items.map((f) => (
            <li key={f.id}>
              #{f.id} {f.name}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted small">None.</p>
      )}
    </div>
  );
}

/** One run's night report: features by fate, time, tokens and cost by role, why it ended. */
export function ReportView(props: { report: NightReport; actions?: ReactNode }): ReactNode {
  const { report } = props;
  const run = report.run;
  // A window's report sums the runs its schedule started in it.
  const window = report.runIds[0] !== run.runId ? run.window : null;
  const label = window
    ? `Report of the window ${new Date(window.start).toLocaleString()} – ${new Date(window.end).toLocaleString()}`
    : `Report of run ${run.runId}`;
  return (
    <article className="report" aria-label={label}>
      <h3>{report.headline}</h3>
      {window ? (
        <p className="small">
          Scheduled window {new Date(window.start).toLocaleString()} –{' '}
          {new Date(window.end).toLocaleString()}: {report.runIds.length}{' '}
          {report.runIds.length === 1 ? 'run' : 'runs'}, {run.sessions} sessions.
        </p>
      ) : null}
      <p className="muted small">
        {new Date(run.startedAt).toLocaleString()}
        {run.endedAt ? ` – ${new Date(run.endedAt).toLocaleString()}` : ' – still running'} ·{' '}
        {run.origin === 'schedule'
          ? 'by a schedule'
          : run.origin === 'manual'
            ? 'by hand'
            : 'origin unknown'}
      </p>
      <p>
        <strong>{run.endReason ? (endLabels[run.endReason] ?? run.endReason) : 'Running'}</strong>
        {run.endMessage ? `: ${run.endMessage}` : ''}
      </p>
      <div className="report-groups">
        <FeatureGroup title="Passed" items={report.passed} />
        <FeatureGroup title="Failed" items={report.failed} />
        <FeatureGroup title="Set aside" items={report.setAside} />
        <FeatureGroup title="Needs your input" items={report.needsInput} />
      </div>
      <table className="data-table">
        <caption>Time, tokens and cost by role</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Sessions</th>
            <th scope="col">Time</th>
            <th scope="col">Tokens in / out</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {report.byRole.map((r) => (
            <tr key={r.role}>
              <th scope="row">{roleLabel(r.role)}</th>
              <td>{r.sessions}</td>
              <td>{formatElapsed(r.durationMs)}</td>
              <td>
                {formatTokens(r.inputTokens + r.cacheReadTokens + r.cacheWriteTokens)} /{' '}
                {formatTokens(r.outputTokens)}
              </td>
              <td>{formatCost(r.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.actions}
    </article>
  );
}
