/**
 * The ledger: what every run and session did and cost, durably, across projects; the budgets
 * that stop work; the attention inbox; the night report. Main owns all of it (a SQLite file in
 * the data directory, ingested from run logs); the renderer reads it through these commands.
 */
import { z } from 'zod';
import { AgentAssignment, AgentRole, TokenTotals } from './agent-events.ts';
import { ProjectId, ProjectRef } from './project-ref.ts';
import { RunSettings } from './run-settings.ts';
import { WindowInstance } from './schedules.ts';

export const SessionOutcome = z.enum([
  'passed',
  'failed',
  'infrastructure',
  'rate-limit',
  'auth',
  'stalled',
  'aborted',
  'budget',
]);
export type SessionOutcome = z.infer<typeof SessionOutcome>;

export const LedgerOrigin = z.enum(['manual', 'schedule', 'unknown']);
export type LedgerOrigin = z.infer<typeof LedgerOrigin>;

/** Why a run ended, in one word; the sentence is `endMessage`. */
export const RunEndReason = z.enum([
  /** Every feature passes. */
  'complete',
  /** It ended by itself with features left that need a human or are blocked. */
  'work-left',
  'stopped',
  'window-ended',
  'budget',
  'auth',
  'failed',
  'crashed',
  /** It ended while Nightshift was not watching and its log says nothing of the end. */
  'lost',
]);
export type RunEndReason = z.infer<typeof RunEndReason>;

export const SessionRecord = TokenTotals.extend({
  projectId: z.string(),
  runId: z.string(),
  ...AgentAssignment.shape,
  model: z.string().nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  outcome: SessionOutcome.nullable(),
  message: z.string().nullable(),
  turns: z.number().nullable(),
  /** The SDK's figure (null when the session ended without a result). */
  costUsd: z.number().nullable(),
  commits: z.array(z.string()),
  checkpointRef: z.string().nullable(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

/** The schedule window a scheduled run started in. */
export const RunWindow = WindowInstance;
export type RunWindow = WindowInstance;

export const RunRecord = TokenTotals.extend({
  projectId: z.string(),
  projectName: z.string(),
  runId: z.string(),
  origin: LedgerOrigin,
  window: RunWindow.nullable(),
  settings: RunSettings.nullable(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  endReason: RunEndReason.nullable(),
  endMessage: z.string().nullable(),
  sessions: z.number(),
  passed: z.number(),
  costUsd: z.number(),
});
export type RunRecord = z.infer<typeof RunRecord>;

const Limit = z.number().positive('A budget must be more than zero').nullable();
/** Null: no limit. Token limits count every token of sessions whose model has no price. */
export const BudgetLimits = z
  .object({
    runUsd: Limit,
    dayUsd: Limit,
    monthUsd: Limit,
    runTokens: Limit,
    dayTokens: Limit,
    monthTokens: Limit,
  })
  .strict();
export type BudgetLimits = z.infer<typeof BudgetLimits>;
export const noBudgetLimits: BudgetLimits = {
  runUsd: null,
  dayUsd: null,
  monthUsd: null,
  runTokens: null,
  dayTokens: null,
  monthTokens: null,
};

export const BudgetScope = z.union([z.literal('global'), ProjectId]);

/** Spend in one budget period, against its limit. */
export const BudgetUse = z.object({
  period: z.enum(['run', 'day', 'month']),
  unit: z.enum(['usd', 'tokens']),
  scope: z.string(),
  spent: z.number(),
  limit: z.number(),
});
export type BudgetUse = z.infer<typeof BudgetUse>;

export const BudgetView = z.object({
  global: BudgetLimits,
  projects: z.record(z.string(), BudgetLimits),
  /** Spend this local month across projects, dollars and unpriced tokens. */
  monthSpentUsd: z.number(),
  monthSpentTokens: z.number(),
});
export type BudgetView = z.infer<typeof BudgetView>;

export const BudgetSet = z.object({ scope: BudgetScope, limits: BudgetLimits }).strict();

export const LedgerPrefs = z
  .object({
    /** Minutes without a tool call or progress before an agent shows amber. */
    stallWarnMinutes: z.number().int().min(1).max(720),
    /** Minutes without a tool call or progress before the session is ended as stalled. */
    stallKillMinutes: z.number().int().min(2).max(1440),
  })
  .strict();
export type LedgerPrefs = z.infer<typeof LedgerPrefs>;
export const defaultLedgerPrefs: LedgerPrefs = { stallWarnMinutes: 20, stallKillMinutes: 40 };

export const InboxKind = z.enum([
  'human-input',
  'crashed',
  'budget',
  'retries-exhausted',
  'work-left',
  /** An expansion (the agent in `expand` mode) added its features: start the agent to build them. */
  'expansion',
  'stalled',
  'auth',
  'provider',
]);
export type InboxKind = z.infer<typeof InboxKind>;

export const InboxItem = z.object({
  id: z.string(),
  kind: InboxKind,
  projectId: z.string(),
  projectName: z.string(),
  runId: z.string().nullable(),
  featureId: z.number().nullable(),
  title: z.string(),
  body: z.string(),
  createdAt: z.number(),
});
export type InboxItem = z.infer<typeof InboxItem>;

export const FeatureLine = z.object({ id: z.number(), name: z.string() });
export const RoleTotals = TokenTotals.extend({
  role: AgentRole,
  sessions: z.number(),
  durationMs: z.number(),
  costUsd: z.number(),
});
export type RoleTotals = z.infer<typeof RoleTotals>;

export const NightReport = z.object({
  /** The run, or for a scheduled window the sum of its runs (`run.window` says which). */
  run: RunRecord,
  /** The runs reported: one, or every run a window's schedule started in it. */
  runIds: z.array(z.string()),
  passed: z.array(FeatureLine),
  failed: z.array(FeatureLine),
  setAside: z.array(FeatureLine),
  needsInput: z.array(FeatureLine),
  byRole: z.array(RoleTotals),
  /** "todo-app: 12 passed, 2 need you, $4.31". */
  headline: z.string(),
});
export type NightReport = z.infer<typeof NightReport>;

export const HistoryQuery = ProjectRef.extend({
  limit: z.number().int().min(1).max(10_000).optional(),
});
export const RunRef = ProjectRef.extend({ runId: z.string().min(1).max(200) });

/** Plots: per-day points (local date "YYYY-MM-DD"). */
export const DayPoint = z.object({ day: z.string(), costUsd: z.number(), passing: z.number() });
export const ProjectCharts = z.object({
  /** Features passing at the end of each run, in run order. */
  burnUp: z.array(z.object({ at: z.number(), runId: z.string(), passing: z.number() })),
  costPerDay: z.array(DayPoint),
});
export type ProjectCharts = z.infer<typeof ProjectCharts>;
export const SpendChart = z.object({
  month: z.string(),
  budgetUsd: z.number().nullable(),
  /** Cumulative spend by day of this month. */
  days: z.array(z.object({ day: z.string(), cumulativeUsd: z.number() })),
});
export type SpendChart = z.infer<typeof SpendChart>;

const none = z.object({}).strict().optional();
export const InboxRef = z.object({ itemId: z.string().min(1).max(300) }).strict();

export const ledgerCommands = {
  'ledger.runs': { input: HistoryQuery, output: z.array(RunRecord) },
  'ledger.sessions': { input: RunRef, output: z.array(SessionRecord) },
  'ledger.report': { input: RunRef, output: NightReport },
  'ledger.reportMarkdown': { input: RunRef, output: z.object({ markdown: z.string() }) },
  'ledger.charts': { input: HistoryQuery, output: ProjectCharts },
  'ledger.spend': { input: none, output: SpendChart },
  /**
   * Reports of scheduled windows (every run in one, as one report) that ended since the app
   * last showed one, and of scheduled runs without a known window (consumed by reading).
   */
  'ledger.unseenReports': { input: none, output: z.array(NightReport) },
  'budgets.get': { input: none, output: BudgetView },
  'budgets.set': { input: BudgetSet, output: BudgetView },
  'ledger.prefs': { input: none, output: LedgerPrefs },
  'ledger.setPrefs': { input: LedgerPrefs, output: LedgerPrefs },
  'inbox.list': { input: none, output: z.array(InboxItem) },
  'inbox.dismiss': { input: InboxRef, output: z.array(InboxItem) },
} as const;

export const ledgerEvents = {
  /** A run or session of this project changed in the ledger. */
  'ledger.changed': z.object({ projectId: z.string() }),
  'inbox.changed': z.array(InboxItem),
  /** Agents with no tool call or progress for the warn threshold (amber on their card). */
  'agent.stalls': z.object({ projectId: z.string(), agentIds: z.array(z.string()) }),
} as const;
