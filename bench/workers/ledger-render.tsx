/** Bundled by bench/ledger.ts (rolldown): renders the History view and a report to HTML. */
import { renderToString } from 'react-dom/server';
import type { NightReport, RunRecord } from '../../contract/index.ts';
import { HistoryTab } from '../../renderer/src/components/history/HistoryTab.tsx';
import { ReportView } from '../../renderer/src/components/history/ReportView.tsx';
import { useLedger } from '../../renderer/src/stores/ledger.ts';

export function renderHistory(projectId: string, runs: RunRecord[], report: NightReport): string {
  useLedger.setState({ runs: { [projectId]: runs }, reports: { [report.run.runId]: report } });
  return renderToString(
    <>
      <HistoryTab projectId={projectId} />
      <ReportView report={report} />
    </>,
  );
}
