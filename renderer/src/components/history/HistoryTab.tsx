import { useEffect, useState, type ReactNode } from 'react';
import './ledger.css';
import { exportReport, loadCharts, loadReport, loadRuns } from '../../actions/ledger.ts';
import { formatCost } from '../../lib/format.ts';
import { useLedger } from '../../stores/ledger.ts';
import { BudgetEditor } from './BudgetEditor.tsx';
import { BurnUp, CostPerDay } from './Charts.tsx';
import { ReportView } from './ReportView.tsx';

/** A project's runs from the ledger, each with its report; and the project's budget. */
export function HistoryTab(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const runs = useLedger((s) => s.runs[projectId]);
  const reports = useLedger((s) => s.reports);
  const charts = useLedger((s) => s.charts[projectId]);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void loadRuns(projectId).then(setError);
  }, [projectId]);
  // The plots follow the runs: a run that starts, ends or spends more moves their points.
  const runsKey = (runs ?? [])
    .map((r) => `${r.runId}:${r.endedAt ?? ''}:${r.passed}:${r.costUsd}`)
    .join(',');
  useEffect(() => {
    void loadCharts(projectId);
  }, [projectId, runsKey]);
  const show = (runId: string) => {
    setOpen(runId);
    void loadReport(projectId, runId).then(setError);
  };
  const report = open ? reports[open] : undefined;
  return (
    <div className="history">
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {!runs ? <p className="muted">Loading runs…</p> : null}
      {runs && runs.length === 0 ? <p className="muted">No runs yet.</p> : null}
      {runs && runs.length > 0 ? (
        <table className="data-table">
          <caption>Runs</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">By</th>
              <th scope="col">Ended</th>
              <th scope="col">Sessions</th>
              <th scope="col">Passed</th>
              <th scope="col">Cost</th>
              <th scope="col">
                <span className="visually-hidden">Report</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.runId} aria-selected={open === r.runId}>
                <td>{new Date(r.startedAt).toLocaleString()}</td>
                <td>
                  {r.origin === 'schedule' ? 'Schedule' : r.origin === 'manual' ? 'Hand' : '—'}
                </td>
                <td>{r.endReason ?? 'running'}</td>
                <td>{r.sessions}</td>
                <td>{r.passed}</td>
                <td>{formatCost(r.costUsd)}</td>
                <td>
                  <button type="button" className="button small" onClick={() => show(r.runId)}>
                    Report
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {report ? (
        <ReportView
          report={report}
          actions={
            <button
              type="button"
              className="button"
              onClick={() => void exportReport(projectId, report.run.runId).then(setError)}
            >
              Export as Markdown
            </button>
          }
        />
      ) : null}
      {charts && charts.burnUp.length > 0 ? (
        <div className="charts">
          <BurnUp charts={charts} />
          <CostPerDay charts={charts} />
        </div>
      ) : null}
      <BudgetEditor scope={projectId} title="Project budget" />
    </div>
  );
}
