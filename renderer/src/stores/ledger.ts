/**
 * Cache of the ledger main owns: the attention inbox, each project's runs, reports read, the
 * budgets and the reports of runs that ended while the app was closed. Written only by
 * `actions/ledger.ts`.
 */
import { create } from 'zustand';
import type {
  BudgetView,
  InboxItem,
  NightReport,
  ProjectCharts,
  RunRecord,
  SpendChart,
} from '../../../contract/index.ts';

export interface LedgerState {
  inbox: InboxItem[];
  runs: Record<string, RunRecord[]>;
  reports: Record<string, NightReport>;
  charts: Record<string, ProjectCharts>;
  spend: SpendChart | null;
  budgets: BudgetView | null;
  /** Reports to show once (runs of a window that ended while no one looked). */
  unseen: NightReport[];
  /** Agents with no progress for the warning time, per project (amber cards). */
  stalls: Record<string, string[]>;
  error: string | null;
}

export const useLedger = create<LedgerState>()(() => ({
  inbox: [],
  runs: {},
  reports: {},
  charts: {},
  spend: null,
  budgets: null,
  unseen: [],
  stalls: {},
  error: null,
}));
