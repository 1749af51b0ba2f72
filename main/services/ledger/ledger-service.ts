/**
 * Keeps the ledger exact: ingests run logs when the app starts (every project's runs folder,
 * from where it stopped reading), while a run goes (after the agent's events, batched) and when
 * it ends; records what only the supervisor knows (origin, settings, the window, why it
 * stopped); raises and resolves inbox items.
 *
 * Invariants: the run log is the source of truth for sessions, so an app killed with -9, an
 * adopted agent that wrote its log alone, or a restart in the middle of a run all converge on
 * the same rows after the next ingest (see ingest.ts). A run that ended while no app watched is
 * closed at startup with the reason its log gives, or "lost".
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AgentState,
  InboxItem,
  InboxKind,
  RunEndReason,
  RunWindow,
} from '../../../contract/index.ts';
import { messageOf } from '../../../contract/index.ts';
import { RETRY_FIRST_DELAY_MS, retryWhilePassing, troublePasses } from '../../../core/db-retry.ts';
import { runLogPath, runsDir } from '../../../core/run-log.ts';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../event-bus.ts';
import type { AgentControl } from '../supervisor-types.ts';
import { type IngestSummary, ingestRunLog } from './ingest.ts';
import {
  closeInbox,
  type InboxRaise,
  isExpansionRun,
  openInbox,
  raiseInbox,
  resolveKinds,
} from './inbox.ts';
import { LedgerDb } from './ledger-db.ts';

export interface LedgerProject {
  id: string;
  name: string;
  path: string;
}

export interface LedgerDeps {
  dataDir: string;
  clock: Clock;
  projects(): LedgerProject[];
  agents: Pick<AgentControl, 'state' | 'onState' | 'onAgentEvent'>;
  bus: EventBus;
  /** The scheduled window the project is in now, if any (for a run's origin). */
  windowOf?(projectId: string): RunWindow | null;
  /** Feature ids of the project that wait for a person now (null: unknown). */
  needsHuman?(projectId: string): number[] | null;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Batch delay for ingesting after live events. */
  ingestDelayMs?: number;
}

/** Run end reasons the supervisor alone can give; the log's own end, or ours, outranks them. */
const WEAK_REASONS: readonly RunEndReason[] = ['stopped', 'crashed', 'lost'];
/** Items a new run of the project resolves. */
const RESOLVED_BY_NEW_RUN: readonly InboxKind[] = [
  'crashed',
  'budget',
  'retries-exhausted',
  'work-left',
  'expansion',
  'auth',
  'provider',
  'stalled',
];

/** The backlog's wait was cut short by `dispose`. */
class Disposed extends Error {}

export type RunEndListener = (projectId: string, runId: string) => void;

export class LedgerService {
  readonly db: LedgerDb;
  private readonly d: LedgerDeps;
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** Run id each project's agent state last carried. */
  private readonly lastRun = new Map<string, string>();
  /** A reason decided before the run ends (budget, window end), applied when it does. */
  private readonly endIntent = new Map<string, { reason: RunEndReason; message: string }>();
  private readonly ingestListeners = new Set<(projectId: string, s: IngestSummary) => void>();
  private readonly endListeners = new Set<RunEndListener>();
  private readonly unsubscribe: (() => void)[] = [];
  private humanTimer: ReturnType<typeof setInterval> | null = null;
  /** Writes waiting, in order, while another program holds ledger.db locked. */
  private readonly backlog: { what: string; fn: () => void }[] = [];
  private draining = false;
  /** Ends the backlog's current wait between tries early (at `dispose`). */
  private cancelBacklogWait: (() => void) | null = null;
  private disposed = false;

  constructor(deps: LedgerDeps) {
    this.d = deps;
    const path = join(deps.dataDir, 'ledger.db');
    try {
      this.db = LedgerDb.open(path);
    } catch (error) {
      // A full or read-only data directory must not keep Nightshift from starting: the ledger
      // then lives in memory for this launch and is rebuilt from the run logs next time.
      deps.log(
        'error',
        `The ledger ${path} could not be opened (${messageOf(error)}); this launch keeps it in memory and rebuilds it from the run logs next time.`,
      );
      this.db = LedgerDb.open(':memory:');
    }
  }

  /** Ingests every run log, closes runs that ended unseen, then follows the supervisor. */
  start(): void {
    for (const p of this.d.projects()) {
      // Agents adopted before we listened: their run's origin and settings come from the lock.
      const state = this.d.agents.state(p.id);
      if (state.runId && state.status !== 'stopped' && state.status !== 'crashed') {
        this.lastRun.set(p.id, state.runId);
        this.recordRunStart(state);
      }
      this.ingestProjectFolder(p);
    }
    this.reconcileUnfinished();
    this.unsubscribe.push(
      this.d.agents.onState((state, previous) => this.onAgentState(state, previous)),
      this.d.agents.onAgentEvent((projectId) => this.scheduleIngest(projectId)),
    );
    this.humanTimer = setInterval(() => this.refreshHumanInput(), 10_000);
    this.humanTimer.unref?.();
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    if (this.humanTimer) clearInterval(this.humanTimer);
    this.disposed = true;
    this.cancelBacklogWait?.();
    if (this.backlog.length)
      this.d.log(
        'warn',
        `${this.backlog.length} ledger writes were still waiting for ledger.db at quit; the run logs bring them back next time.`,
      );
    this.db.close();
  }

  onIngest(listener: (projectId: string, s: IngestSummary) => void): () => void {
    this.ingestListeners.add(listener);
    return () => this.ingestListeners.delete(listener);
  }

  onRunEnd(listener: RunEndListener): () => void {
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private project(id: string): LedgerProject | undefined {
    return this.d.projects().find((p) => p.id === id);
  }

  /** Ingests all run logs of a project (cheap: each file is read from where it stopped). */
  ingestProjectFolder(p: LedgerProject): void {
    const dir = runsDir(p.path);
    if (!existsSync(dir)) return;
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
    } catch (error) {
      this.d.log('warn', `The run logs of ${p.name} could not be listed: ${messageOf(error)}`);
      return;
    }
    for (const name of names.sort()) this.ingestFile(p, join(dir, name));
  }

  /** Ingests one run's log now. */
  ingestRun(projectId: string, runId: string): IngestSummary | null {
    const p = this.project(projectId);
    return p ? this.ingestFile(p, runLogPath(p.path, runId)) : null;
  }

  /**
   * Reads a run log into the ledger now; while ledger.db is locked by another program, queues
   * that (null) and retries it in order (see `write`), so nothing is lost or read twice.
   */
  private ingestFile(p: LedgerProject, path: string): IngestSummary | null {
    let summary: IngestSummary | null = null;
    this.write(`reading ${path}`, () => {
      summary = this.ingestFileNow(p, path);
    });
    return summary;
  }

  private ingestFileNow(p: LedgerProject, path: string): IngestSummary | null {
    let summary: IngestSummary;
    try {
      summary = ingestRunLog(this.db, { projectId: p.id, projectName: p.name, path });
    } catch (error) {
      if (troublePasses(error)) throw error;
      this.d.log(
        'warn',
        `The run log ${path} could not be read into the ledger: ${messageOf(error)}`,
      );
      return null;
    }
    if (summary.events === 0) return summary;
    // The log's bytes are in; what follows from them must not be lost to a lock either.
    this.write(`following up ${path}`, () => this.afterIngest(p, summary));
    return summary;
  }

  private afterIngest(p: LedgerProject, summary: IngestSummary): void {
    const now = this.d.clock.now();
    let inboxChanged = false;
    for (const h of summary.humanInputs)
      inboxChanged =
        raiseInbox(this.db, {
          kind: 'human-input',
          projectId: p.id,
          projectName: p.name,
          runId: summary.runId,
          featureId: h.featureId,
          title: `${p.name}: “${h.featureName}” needs your input`,
          body: h.prompt,
          at: h.ts,
        }) || inboxChanged;
    if (summary.phase === 'finished' || summary.phase === 'failed')
      inboxChanged = this.raise(this.runEndItem(p, summary, now)) || inboxChanged;
    if (inboxChanged) this.emitInbox();
    this.d.bus.emit('ledger.changed', { projectId: p.id });
    for (const l of this.ingestListeners) {
      try {
        l(p.id, summary);
      } catch (error) {
        this.d.log('error', `A ledger listener failed: ${messageOf(error)}`);
      }
    }
  }

  /**
   * The inbox item of a run that ended by itself short of complete: an expansion that added its
   * features (start the agent to build them), work left for a person, or trouble that stopped it.
   */
  private runEndItem(p: LedgerProject, summary: IngestSummary, now: number): InboxRaise {
    const body = summary.phaseMessage ?? '';
    const item = { projectId: p.id, projectName: p.name, runId: summary.runId, featureId: null };
    if (summary.phase === 'failed') {
      const auth = /credential|sign-in|api key|401|403/i.test(body);
      return auth
        ? {
            ...item,
            kind: 'auth',
            title: `${p.name}: the provider refused the credentials`,
            body,
            at: now,
          }
        : { ...item, kind: 'provider', title: `${p.name}: the run could not go on`, body, at: now };
    }
    if (isExpansionRun(this.db, summary.runId))
      return {
        ...item,
        kind: 'expansion',
        title: `${p.name}: the expansion finished; start the agent to build what it added`,
        body,
        at: now,
      };
    return {
      ...item,
      kind: 'work-left',
      title: `${p.name}: the run ended with work left`,
      body,
      at: now,
    };
  }

  /**
   * Runs a write to ledger.db now, or after the writes already waiting. The connection's busy
   * timeout is short (SQLite waits synchronously, blocking main's event loop), so while another
   * program holds the file locked a write fails fast; it then waits here, in order, and is
   * retried with db-retry's backoff, asynchronously, for as long as the lock lasts. Writes that
   * fail for other reasons are logged and dropped (the run logs stay the source of truth).
   */
  private write(what: string, fn: () => void): void {
    if (this.backlog.length === 0) {
      try {
        fn();
        return;
      } catch (error) {
        if (!troublePasses(error)) {
          this.d.log('error', `The ledger could not record ${what}: ${messageOf(error)}`);
          return;
        }
        this.d.log(
          'warn',
          `ledger.db is locked by another program (${messageOf(error)}); Nightshift keeps its writes and retries.`,
        );
      }
    }
    this.backlog.push({ what, fn });
    if (!this.draining) void this.drainBacklog();
  }

  /** Writes the backlog in order; each write is retried while ledger.db stays locked. */
  private async drainBacklog(): Promise<void> {
    this.draining = true;
    const sleep = (ms: number) => this.waitForBacklog(ms);
    try {
      // The write just failed: the first try again comes after the first backoff step.
      await sleep(RETRY_FIRST_DELAY_MS);
      while (this.backlog.length > 0) {
        const head = this.backlog[0]!;
        try {
          await retryWhilePassing(head.fn, { limitMs: Number.POSITIVE_INFINITY, sleep });
        } catch (error) {
          if (error instanceof Disposed) return;
          this.d.log('error', `The ledger could not record ${head.what}: ${messageOf(error)}`);
        }
        // Writes `fn` queued behind itself stay after it: only the head goes.
        this.backlog.shift();
      }
      this.d.log('info', 'ledger.db is writable again; the waiting writes are in.');
    } catch (error) {
      if (!(error instanceof Disposed)) throw error;
    } finally {
      this.draining = false;
    }
  }

  /**
   * A wait of the backlog on a timer that does not keep the process alive. Once the ledger is
   * disposed (the wait is cut short) it throws, so no waiting write runs on the closed file.
   */
  private async waitForBacklog(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref?.();
      this.cancelBacklogWait = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.cancelBacklogWait = null;
    if (this.disposed)
      throw new Disposed('The ledger was closed while writes waited for ledger.db.');
  }

  /** Writes still waiting for ledger.db (while another program holds it locked). */
  get waitingWrites(): number {
    return this.backlog.length;
  }

  private scheduleIngest(projectId: string): void {
    if (this.pending.has(projectId)) return;
    const t = setTimeout(() => {
      this.pending.delete(projectId);
      const runId = this.d.agents.state(projectId).runId ?? this.lastRun.get(projectId);
      if (runId) this.ingestRun(projectId, runId);
    }, this.d.ingestDelayMs ?? 200);
    this.pending.set(projectId, t);
  }

  /** Runs everything batched now (tests, and before answering a query about a live run). */
  flush(): void {
    for (const [projectId, t] of [...this.pending]) {
      clearTimeout(t);
      this.pending.delete(projectId);
      const runId = this.d.agents.state(projectId).runId ?? this.lastRun.get(projectId);
      if (runId) this.ingestRun(projectId, runId);
    }
  }

  /** What the supervisor knows and the log does not: who started it, with what, in which window. */
  recordRunStart(state: AgentState): void {
    this.write(`the start of run ${state.runId}`, () => this.recordRunStartNow(state));
  }

  private recordRunStartNow(state: AgentState): void {
    const p = this.project(state.projectId);
    if (!p || !state.runId) return;
    const started = state.startedAt ? Date.parse(state.startedAt) : this.d.clock.now();
    const origin =
      state.origin === 'manual' || state.origin === 'schedule' ? state.origin : 'unknown';
    const window = origin === 'schedule' ? (this.d.windowOf?.(p.id) ?? null) : null;
    this.db.run(
      `INSERT INTO runs (run_id, project_id, project_name, origin, window_json, settings_json, model,
         started_at, log_path)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(run_id) DO UPDATE SET origin = excluded.origin,
         window_json = COALESCE(runs.window_json, excluded.window_json),
         settings_json = excluded.settings_json, model = excluded.model,
         started_at = MIN(runs.started_at, excluded.started_at)`,
      state.runId,
      p.id,
      p.name,
      origin,
      window ? JSON.stringify(window) : null,
      state.settings ? JSON.stringify(state.settings) : null,
      state.settings?.model ?? null,
      Number.isFinite(started) ? started : this.d.clock.now(),
      runLogPath(p.path, state.runId),
    );
    // Sessions read before the run's model was known take it now.
    if (state.settings?.model)
      this.db.run(
        'UPDATE sessions SET model = ? WHERE run_id = ? AND model IS NULL',
        state.settings.model,
        state.runId,
      );
  }

  /** Says why a run is about to end (budget, window end); applied when it ends. */
  intendEnd(runId: string, reason: RunEndReason, message: string): void {
    this.endIntent.set(runId, { reason, message });
  }

  /**
   * Closes a run: its end time and reason (a stronger reason already recorded stays), and any
   * session still open (killed with the agent) ends with it as aborted.
   */
  endRun(runId: string, reason: RunEndReason, message: string, at: number): void {
    this.write(`the end of run ${runId}`, () => this.endRunNow(runId, reason, message, at));
  }

  private endRunNow(runId: string, reason: RunEndReason, message: string, at: number): void {
    const intent = this.endIntent.get(runId);
    const r = intent?.reason ?? reason;
    const m = intent?.message ?? message;
    const strong = intent !== undefined;
    this.db.tx(() => {
      const row = this.db.get('SELECT end_reason, last_ts FROM runs WHERE run_id = ?', runId);
      if (!row) return;
      const current = row.end_reason as RunEndReason | null;
      const replace = strong || current === null || WEAK_REASONS.includes(current);
      this.db.run(
        `UPDATE runs SET ended_at = COALESCE(ended_at, ?), end_reason = ?, end_message = ?
         WHERE run_id = ?`,
        at,
        replace ? r : current,
        replace
          ? m
          : (this.db.get('SELECT end_message FROM runs WHERE run_id = ?', runId)?.end_message ?? m),
        runId,
      );
      this.db.run(
        `UPDATE sessions SET ended_at = ?, outcome = 'aborted',
           message = COALESCE(message, 'The run ended before this session reported its end.')
         WHERE run_id = ? AND ended_at IS NULL`,
        at,
        runId,
      );
    });
    // Only once it is written: a locked ledger.db retries this with the intent still known.
    this.endIntent.delete(runId);
  }

  private onAgentState(state: AgentState, previous: AgentState): void {
    const { projectId } = state;
    const p = this.project(projectId);
    if (state.runId && state.runId !== this.lastRun.get(projectId)) {
      this.lastRun.set(projectId, state.runId);
      this.recordRunStart(state);
      if (p) this.ingestFile(p, runLogPath(p.path, state.runId));
      this.write(`what the new run of ${projectId} resolves`, () => {
        if (resolveKinds(this.db, projectId, RESOLVED_BY_NEW_RUN, this.d.clock.now()) > 0)
          this.emitInbox();
      });
    }
    const ended =
      (state.status === 'stopped' || state.status === 'crashed') &&
      previous.status !== state.status;
    const runId = this.lastRun.get(projectId);
    if (!ended || !runId || !p) return;
    const t = this.pending.get(projectId);
    if (t) {
      clearTimeout(t);
      this.pending.delete(projectId);
    }
    this.ingestFile(p, runLogPath(p.path, runId));
    const now = this.d.clock.now();
    if (state.status === 'crashed') {
      this.endRun(runId, 'crashed', state.message ?? 'The agent crashed.', now);
      this.raise({
        kind: 'crashed',
        projectId,
        projectName: p.name,
        runId,
        featureId: null,
        title: `${p.name}: the agent crashed`,
        body: state.message ?? 'The agent ended without finishing its run.',
        at: now,
      });
      this.emitInbox();
    } else {
      this.endRun(runId, 'stopped', state.message ?? 'The agent stopped.', now);
    }
    this.d.bus.emit('ledger.changed', { projectId });
    for (const l of this.endListeners) {
      try {
        l(projectId, runId);
      } catch (error) {
        this.d.log('error', `A run-end listener failed: ${messageOf(error)}`);
      }
    }
  }

  /** At startup: a run still open in the ledger whose agent is not running any more ended unseen. */
  private reconcileUnfinished(): void {
    const open = this.db.all(
      'SELECT run_id, project_id, last_phase, last_ts, started_at FROM runs WHERE ended_at IS NULL',
    );
    for (const row of open) {
      const projectId = String(row.project_id);
      const runId = String(row.run_id);
      const live = this.d.agents.state(projectId);
      if (live.runId === runId && live.status !== 'stopped' && live.status !== 'crashed') continue;
      const at = Number(row.last_ts ?? row.started_at);
      const phase = row.last_phase as string | null;
      if (phase === 'stopping' || phase === 'drained')
        this.endRun(runId, 'stopped', 'The run was stopped while Nightshift was not running.', at);
      else
        this.endRun(
          runId,
          'lost',
          'The agent ended while Nightshift was not running, without saying why.',
          at,
        );
    }
  }

  // ── inbox ────────────────────────────────────────────────────────────────────────────────

  raise(r: InboxRaise): boolean {
    const added = raiseInbox(this.db, r);
    if (added) this.emitInbox();
    return added;
  }

  resolve(projectId: string, kinds: readonly InboxKind[]): void {
    if (resolveKinds(this.db, projectId, kinds, this.d.clock.now()) > 0) this.emitInbox();
  }

  dismiss(itemId: string): InboxItem[] {
    if (closeInbox(this.db, itemId, 'dismissed', this.d.clock.now())) this.emitInbox();
    return this.inbox();
  }

  /** Open items, after closing human-input items whose feature no longer waits. */
  inbox(): InboxItem[] {
    this.refreshHumanInput(false);
    const known = new Set(this.d.projects().map((p) => p.id));
    return openInbox(this.db).filter((i) => known.has(i.projectId));
  }

  private refreshHumanInput(emit = true): void {
    if (!this.d.needsHuman) return;
    let changed = false;
    const byProject = new Map<string, number[] | null>();
    for (const item of openInbox(this.db)) {
      if (item.kind !== 'human-input' || item.featureId === null) continue;
      if (!byProject.has(item.projectId))
        byProject.set(item.projectId, this.d.needsHuman(item.projectId));
      const waiting = byProject.get(item.projectId);
      if (waiting && !waiting.includes(item.featureId))
        changed = closeInbox(this.db, item.id, 'resolved', this.d.clock.now()) || changed;
    }
    if (changed && emit) this.emitInbox();
  }

  emitInbox(): void {
    const known = new Set(this.d.projects().map((p) => p.id));
    this.d.bus.emit(
      'inbox.changed',
      openInbox(this.db).filter((i) => known.has(i.projectId)),
    );
  }
}
