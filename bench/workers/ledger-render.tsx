/** Bundled by bench/ledger.ts (rolldown): renders the History view and a report to HTML. */
import { renderToString } from 'react-dom/server';
import type { NightReport, ProjectCharts, RunRecord } from '../../contract/index.ts';
import { HistoryTab } from '../../renderer/src/components/history/HistoryTab.tsx';
import { ReportView } from '../../renderer/src/components/history/ReportView.tsx';
import { useLedger } from '../../renderer/src/stores/ledger.ts';

export function renderHistory(
  projectId: string,
  runs: RunRecord[],
  report: NightReport,
  charts: ProjectCharts,
): string {
  // Server rendering reads a zustand store's initial state (getServerSnapshot), so the figures
  // go there; in the app the same components read them after actions/ledger.ts loaded them.
  Object.assign(useLedger.getInitialState(), {
    runs: { [projectId]: runs },
    reports: { [report.run.runId]: report },
    charts: { [projectId]: charts },
  });
  return renderToString(
    <>
      <HistoryTab projectId={projectId} />
      <ReportView report={report} />
    </>,
  );
}
