/**
 * The ledger area for the composition root: the ledger service, budgets, the inbox and the
 * night report wired together, and the handlers of `ledger.*`, `budgets.*` and `inbox.*` to
 * spread into the app's handler map.
 */
import type { z } from 'zod';
import {
  type CommandOutput,
  type FeatureList,
  type LedgerPrefs,
  LedgerPrefs as LedgerPrefsSchema,
  type NightReport,
  type Result,
  type RunWindow,
  defaultLedgerPrefs,
  err,
  type ledgerCommands,
  ok,
} from '../../../contract/index.ts';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../event-bus.ts';
import type { DesktopNotification } from '../notifier.ts';
import type { AgentControl } from '../supervisor-types.ts';
import { BudgetWatch } from './budget-watch.ts';
import { allProjectLimits, getLimits, monthStart, setLimits, spend } from './budgets.ts';
import { parseJsonColumn } from './ledger-db.ts';
import { LedgerService, type LedgerProject } from './ledger-service.ts';
import { getRun, listRuns, listSessions, localDay, nightReport, projectCharts } from './queries.ts';
import { reportMarkdown } from './report-markdown.ts';
import { StallMonitor } from './stall-monitor.ts';
import { WindowReports } from './window-reports.ts';
import type { SchedulerEvent } from '../scheduler.ts';
import { agentEnv as agentEnvNames } from '../../../core/launch-protocol.ts';
import { notRegistered } from '../not-registered.ts';

type LedgerCommand = keyof typeof ledgerCommands;
export type LedgerHandlers = {
  [K in LedgerCommand]: (
    input: z.infer<(typeof ledgerCommands)[K]['input']>,
  ) => Result<CommandOutput<K>> | Promise<Result<CommandOutput<K>>>;
};

export interface LedgerAreaDeps {
  dataDir: string;
  clock: Clock;
  bus: EventBus;
  projects(): LedgerProject[];
  agents: AgentControl;
  /** Where human-input requests are answered (an inbox item goes when its feature no longer waits). */
  features: { list(input: { id: string }): Result<FeatureList> };
  /** The scheduler's view of a project (the window a scheduled run belongs to). */
  schedules: { projectStatus(projectId: string): { activeWindow: RunWindow | null } | null };
  notify(n: DesktopNotification): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface LedgerArea {
  ledger: LedgerService;
  budgets: BudgetWatch;
  handlers: LedgerHandlers;
  prefs(): LedgerPrefs;
  stalls: StallMonitor;
  /** What the scheduler did: a window's end sends its report; a window given up is an inbox item. */
  onSchedulerEvent(e: SchedulerEvent): void;
  /** Environment for every agent: the stall threshold after which a session is ended. */
  agentEnv(): Record<string, string>;
  start(): void;
  dispose(): void;
}

export function createLedgerArea(d: LedgerAreaDeps): LedgerArea {
  const ledger = new LedgerService({
    dataDir: d.dataDir,
    clock: d.clock,
    projects: d.projects,
    agents: d.agents,
    bus: d.bus,
    windowOf: (id) => d.schedules.projectStatus(id)?.activeWindow ?? null,
    needsHuman: (id) => {
      const r = d.features.list({ id });
      return r.ok
        ? r.value.features.filter((f) => f.state === 'needs-human').map((f) => f.id)
        : null;
    },
    log: d.log,
  });
  const project = (id: string) => d.projects().find((p) => p.id === id);
  const budgets = new BudgetWatch({
    ledger,
    agents: d.agents,
    project,
    now: () => d.clock.now(),
    notify: d.notify,
    log: d.log,
  });
  const db = ledger.db;

  const prefs = (): LedgerPrefs => {
    const row = db.get("SELECT value FROM prefs WHERE key = 'prefs'");
    return parseJsonColumn(row?.value, LedgerPrefsSchema, () => ({ ...defaultLedgerPrefs }));
  };

  const budgetView = () => {
    const now = d.clock.now();
    const month = spend(db, { projectId: null, from: monthStart(now) });
    return {
      global: getLimits(db, 'global'),
      projects: allProjectLimits(db),
      monthSpentUsd: month.usd,
      monthSpentTokens: month.tokens,
    };
  };

  const reportOf = (projectId: string, runId: string): Result<NightReport> => {
    if (!project(projectId)) return notRegistered();
    ledger.flush();
    const run = getRun(db, runId);
    if (!run || run.projectId !== projectId)
      return err('not-found', 'The ledger has no such run for this project.');
    return ok(nightReport(db, run));
  };

  const windows = new WindowReports({
    db,
    now: () => d.clock.now(),
    isKnownProject: (id) => project(id) !== undefined,
    notify: d.notify,
  });
  // A finished run gets its report as a notification; a scheduled one as part of its window's,
  // once the window is over too.
  ledger.onRunEnd((projectId, runId) => {
    const run = getRun(db, runId);
    if (!run) return;
    if (run.origin === 'schedule' && run.window) {
      windows.settle(projectId, run.window.start);
      return;
    }
    if (run.sessions === 0) return;
    const report = nightReport(db, run);
    d.notify({ kind: 'night-report', title: 'Run report', body: report.headline, projectId });
  });

  const onSchedulerEvent = (e: SchedulerEvent): void => {
    if (e.kind === 'window-ended' && e.window) windows.settle(e.projectId, e.window.start);
    if (e.kind === 'retries-exhausted')
      ledger.raise({
        kind: 'retries-exhausted',
        projectId: e.projectId,
        projectName: e.projectName,
        runId: null,
        featureId: null,
        // One item per window: the next window's give-up is news even if this one was dismissed.
        key: `window-${e.window?.start ?? e.at}`,
        title: `${e.projectName}: the scheduled window was given up`,
        body: e.message,
        at: e.at,
      });
  };

  const handlers: LedgerHandlers = {
    'ledger.runs': (input) => {
      if (!project(input.id)) return notRegistered();
      ledger.flush();
      return ok(listRuns(db, input.id, input.limit ?? 200));
    },
    'ledger.sessions': (input) => {
      if (!project(input.id)) return notRegistered();
      return ok(listSessions(db, input.runId).filter((s) => s.projectId === input.id));
    },
    'ledger.report': (input) => reportOf(input.id, input.runId),
    'ledger.reportMarkdown': (input) => {
      const r = reportOf(input.id, input.runId);
      return r.ok ? ok({ markdown: reportMarkdown(r.value) }) : r;
    },
    'ledger.charts': (input) =>
      project(input.id) ? ok(projectCharts(db, input.id)) : notRegistered(),
    'ledger.spend': () => {
      const now = d.clock.now();
      const from = monthStart(now);
      const rows = db.all(
        'SELECT started_at, cost_usd FROM sessions WHERE started_at >= ? ORDER BY started_at',
        from,
      );
      const byDay = new Map<string, number>();
      for (const r of rows)
        byDay.set(
          localDay(Number(r.started_at)),
          (byDay.get(localDay(Number(r.started_at))) ?? 0) + Number(r.cost_usd ?? 0),
        );
      let total = 0;
      const days = [...byDay].map(([day, usd]) => ({ day, cumulativeUsd: (total += usd) }));
      return ok({
        month: localDay(now).slice(0, 7),
        budgetUsd: getLimits(db, 'global').monthUsd,
        days,
      });
    },
    'ledger.unseenReports': () => {
      ledger.flush();
      return ok(windows.unseen());
    },
    'budgets.get': () => ok(budgetView()),
    'budgets.set': (input) => {
      if (input.scope !== 'global' && !project(input.scope)) return notRegistered('scope');
      setLimits(db, input.scope, input.limits);
      for (const p of d.projects()) budgets.check(p.id);
      return ok(budgetView());
    },
    'ledger.prefs': () => ok(prefs()),
    'ledger.setPrefs': (input) => {
      if (input.stallKillMinutes <= input.stallWarnMinutes)
        return err(
          'invalid-input',
          'The time before a stalled session is ended must be longer than the time before it is flagged.',
          'stallKillMinutes',
        );
      db.run(
        "INSERT INTO prefs (key, value) VALUES ('prefs', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        JSON.stringify(input),
      );
      return ok(prefs());
    },
    'inbox.list': () => ok(ledger.inbox()),
    'inbox.dismiss': (input) => ok(ledger.dismiss(input.itemId)),
  };

  const stalls = new StallMonitor({
    bus: d.bus,
    ledger,
    now: () => d.clock.now(),
    warnAfterMs: () => prefs().stallWarnMinutes * 60_000,
    projectName: (id) => project(id)?.name ?? id,
    runId: (id) => d.agents.state(id).runId,
  });
  let stallTimer: ReturnType<typeof setInterval> | null = null;
  const offs: (() => void)[] = [];

  return {
    ledger,
    budgets,
    handlers,
    prefs,
    stalls,
    onSchedulerEvent,
    agentEnv: () => ({ [agentEnvNames.stallKillMinutes]: String(prefs().stallKillMinutes) }),
    start() {
      ledger.start();
      budgets.start();
      offs.push(
        d.agents.onAgentEvent((projectId, event) => stalls.onEvent(projectId, event)),
        d.agents.onState((state) => {
          if (state.status === 'stopped' || state.status === 'crashed')
            stalls.clear(state.projectId);
        }),
      );
      stallTimer = setInterval(() => stalls.check(), 30_000);
      stallTimer.unref?.();
    },
    dispose() {
      for (const off of offs.splice(0)) off();
      if (stallTimer) clearInterval(stallTimer);
      budgets.dispose();
      ledger.dispose();
    },
  };
}
