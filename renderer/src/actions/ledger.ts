/**
 * The ledger's write path for components: each function calls the API and updates the ledger
 * store; components never call the API or set the store themselves. `startLedgerSync` keeps
 * the inbox and open histories current from main's events.
 */
import type { BudgetLimits, InboxItem, NightshiftApi, Result } from '../../../contract/index.ts';
import { getApi } from '../api.ts';
import { useLedger } from '../stores/ledger.ts';

const fail = (r: Result<unknown>): string | null => (r.ok ? null : r.error.message);

export async function loadInbox(): Promise<void> {
  const r = await getApi().call['inbox.list']();
  if (r.ok) useLedger.setState({ inbox: r.value });
}

export async function dismissInboxItem(item: InboxItem): Promise<string | null> {
  const r = await getApi().call['inbox.dismiss']({ itemId: item.id });
  if (r.ok) useLedger.setState({ inbox: r.value });
  return fail(r);
}

export async function loadRuns(projectId: string): Promise<string | null> {
  const r = await getApi().call['ledger.runs']({ id: projectId });
  if (r.ok) useLedger.setState((s) => ({ runs: { ...s.runs, [projectId]: r.value } }));
  return fail(r);
}

export async function loadReport(projectId: string, runId: string): Promise<string | null> {
  const r = await getApi().call['ledger.report']({ id: projectId, runId });
  if (r.ok) useLedger.setState((s) => ({ reports: { ...s.reports, [runId]: r.value } }));
  return fail(r);
}

export async function loadCharts(projectId: string): Promise<void> {
  const [charts, spend] = await Promise.all([
    getApi().call['ledger.charts']({ id: projectId }),
    getApi().call['ledger.spend'](),
  ]);
  useLedger.setState((s) => ({
    charts: charts.ok ? { ...s.charts, [projectId]: charts.value } : s.charts,
    spend: spend.ok ? spend.value : s.spend,
  }));
}

export async function loadSpend(): Promise<void> {
  const r = await getApi().call['ledger.spend']();
  if (r.ok) useLedger.setState({ spend: r.value });
}

/** The report as Markdown, saved through the browser's download. */
export async function exportReport(projectId: string, runId: string): Promise<string | null> {
  const r = await getApi().call['ledger.reportMarkdown']({ id: projectId, runId });
  if (!r.ok) return r.error.message;
  const url = URL.createObjectURL(new Blob([r.value.markdown], { type: 'text/markdown' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `nightshift-report-${runId}.md`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return null;
}

export async function loadBudgets(): Promise<void> {
  const r = await getApi().call['budgets.get']();
  if (r.ok) useLedger.setState({ budgets: r.value });
}

export async function saveBudget(
  scope: string,
  limits: BudgetLimits,
): Promise<{ ok: true } | { ok: false; message: string; field?: string }> {
  const r = await getApi().call['budgets.set']({ scope, limits });
  if (!r.ok)
    return {
      ok: false,
      message: r.error.message,
      ...(r.error.field ? { field: r.error.field } : {}),
    };
  useLedger.setState({ budgets: r.value });
  // The month's spend plot draws the global monthly budget.
  if (scope === 'global') await loadSpend();
  return { ok: true };
}

export async function loadUnseenReports(): Promise<void> {
  const r = await getApi().call['ledger.unseenReports']();
  if (r.ok && r.value.length) useLedger.setState({ unseen: r.value });
}

export function dismissUnseenReports(): void {
  useLedger.setState({ unseen: [] });
}

/** Hydrates the inbox and unseen reports and follows main's events; returns the unsubscribe. */
export function startLedgerSync(api: NightshiftApi): () => void {
  const offs = [
    api.on('inbox.changed', (items) => useLedger.setState({ inbox: items })),
    api.on('agent.stalls', ({ projectId, agentIds }) =>
      useLedger.setState((s) => ({ stalls: { ...s.stalls, [projectId]: agentIds } })),
    ),
    api.on('ledger.changed', ({ projectId }) => {
      if (useLedger.getState().runs[projectId]) void loadRuns(projectId);
    }),
  ];
  void loadInbox();
  void loadUnseenReports();
  return () => {
    for (const off of offs) off();
  };
}
