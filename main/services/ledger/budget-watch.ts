/**
 * Budgets in action. Before a start (by hand or by a schedule), `canStart` says whether the next
 * session would probably break a budget. While a run goes, every ledger update re-checks it:
 * on a breach nothing new starts (drain), the run is stopped once drained, and the stop is a
 * notification, an inbox item and the run's end reason. Each session is capped hard by the SDK's
 * `maxBudgetUsd` through the session-budget file, refreshed after every update.
 */
import { messageOf, type AgentState } from '../../../contract/index.ts';
import { writeSessionBudget } from '../../../core/session-budget.ts';
import type { DesktopNotification } from '../notifier.ts';
import type { AgentControl } from '../supervisor-types.ts';
import { type BudgetBreach, type BudgetCheck, checkBudgets, sessionCapUsd } from './budgets.ts';
import type { LedgerProject, LedgerService } from './ledger-service.ts';

export interface BudgetWatchDeps {
  ledger: LedgerService;
  agents: Pick<AgentControl, 'state' | 'drain' | 'stop' | 'onState'>;
  project(id: string): LedgerProject | undefined;
  now(): number;
  notify(n: DesktopNotification): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

export class BudgetWatch {
  private readonly d: BudgetWatchDeps;
  /** Runs being stopped for a budget: project id → run id and the sentence why. */
  private readonly stopping = new Map<string, { runId: string; message: string }>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(deps: BudgetWatchDeps) {
    this.d = deps;
  }

  start(): void {
    this.unsubscribe.push(
      this.d.ledger.onIngest((projectId) => this.check(projectId)),
      this.d.agents.onState((state, previous) => {
        const p = this.d.project(state.projectId);
        if (!p) return;
        if (state.status === 'starting' && previous.status !== 'starting')
          this.refreshCap(state.projectId);
        const stop = this.stopping.get(state.projectId);
        if (stop && state.status === 'paused' && state.pauseKind === 'drained')
          void this.d.agents.stop(state.projectId, stop.message);
        if (state.status === 'stopped' || state.status === 'crashed') {
          this.stopping.delete(state.projectId);
          try {
            writeSessionBudget(p.path, null);
          } catch {
            // The folder may be gone; nothing to cap then.
          }
        }
      }),
    );
    for (const p of this.running()) this.check(p);
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private running(): string[] {
    return [
      ...new Set(
        this.d.ledger.db
          .all('SELECT DISTINCT project_id FROM runs WHERE ended_at IS NULL')
          .map((r) => String(r.project_id)),
      ),
    ];
  }

  /** Why a new run of this project may not start now, or null. */
  canStart(projectId: string, model: string | null, now = this.d.now()): BudgetBreach | null {
    const p = this.d.project(projectId);
    if (!p) return null;
    return checkBudgets({
      ledger: this.d.ledger.db,
      projectId,
      projectName: p.name,
      runId: null,
      model,
      now,
    });
  }

  /** For the scheduler: the sentence why a window may not start, with the last run's model. */
  canStartScheduled(projectId: string, now: number): string | null {
    const last = this.d.ledger.db.get(
      'SELECT model FROM runs WHERE project_id = ? AND model IS NOT NULL ORDER BY started_at DESC LIMIT 1',
      projectId,
    );
    return (
      this.canStart(projectId, (last?.model as string | undefined) ?? null, now)?.message ?? null
    );
  }

  /** What the budget rules read about the project's run in progress, at this moment. */
  private runCheck(p: LedgerProject, state: AgentState): BudgetCheck {
    return {
      ledger: this.d.ledger.db,
      projectId: state.projectId,
      projectName: p.name,
      runId: state.runId,
      model: state.settings?.model ?? null,
      now: this.d.now(),
    };
  }

  /** Writes the per-session hard cap for the project's run in progress. */
  refreshCap(projectId: string): void {
    const p = this.d.project(projectId);
    const state = this.d.agents.state(projectId);
    if (!p || !state.runId) return;
    const parallel = (state.settings?.codingAgents ?? 1) + (state.settings?.regressionAgents ?? 0);
    const cap = sessionCapUsd({ ...this.runCheck(p, state), parallel });
    try {
      writeSessionBudget(p.path, cap === null ? null : Math.round(cap * 10_000) / 10_000);
    } catch (error) {
      this.d.log('warn', `${p.name}: the session budget could not be written: ${messageOf(error)}`);
    }
  }

  /** After a ledger update: drain a run the next session of which would break a budget. */
  check(projectId: string): void {
    const state = this.d.agents.state(projectId);
    const p = this.d.project(projectId);
    if (!p || !state.runId) return;
    if (state.status !== 'running' && state.status !== 'draining' && state.status !== 'starting')
      return;
    this.refreshCap(projectId);
    if (this.stopping.get(projectId)?.runId === state.runId) return;
    const breach = checkBudgets(this.runCheck(p, state));
    if (!breach) return;
    const runId = state.runId;
    const message = `Stopped by a budget: ${breach.message}`;
    this.stopping.set(projectId, { runId, message });
    this.d.log('info', `${p.name}: ${message}`);
    this.d.ledger.intendEnd(runId, 'budget', message);
    this.d.ledger.raise({
      kind: 'budget',
      projectId,
      projectName: p.name,
      runId,
      featureId: null,
      title: `${p.name}: a budget stopped the run`,
      body: breach.message,
      at: this.d.now(),
    });
    this.d.notify({
      kind: 'budget-stopped',
      title: `${p.name}: budget reached`,
      body: breach.message,
      projectId,
    });
    if (state.status === 'draining') return;
    void this.d.agents.drain(projectId).then((r) => {
      // Not drainable (already paused or ending): stop it outright.
      if (!r.ok && this.d.agents.state(projectId).runId === runId)
        void this.d.agents.stop(projectId, message);
    });
  }
}
