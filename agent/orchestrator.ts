/**
 * The orchestrator: turns the spec into features (initializer), then keeps up to N coding
 * agents and, independently, R regression agents busy until the backlog is done.
 *
 * Invariants:
 * - a feature is claimed here, atomically, before its session starts; a session may only change
 *   its own feature (its tools are bound to the claim);
 * - a claim is released when its session ends, when its owner process is gone, or when its
 *   heartbeat is older than the lease, never while its owner lives;
 * - what a session's end means for its feature is decided by `session-outcome.ts`: only the
 *   feature's own failures count attempts; at the cap the feature is set aside for a human;
 * - a rate or usage limit holds every new session until the reset; a refusal of the credentials
 *   starts no further session and ends the run with one message;
 * - the loop reads the backlog once per iteration; the run ends when nothing can run (phase
 *   `complete` only when every feature passes, `finished` when work is left, with the reasons).
 */
import { messageOf } from '../contract/result.ts';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  providerTroubleWords,
  type AgentEventInput,
  type AgentRole,
  type Progress,
  type ProviderTrouble,
  type RunPhase,
  type Usage,
} from '../contract/agent-events.ts';
import { analyzeGraph, compareBySchedule, type GraphAnalysis } from '../core/dependency-graph.ts';
import {
  DatabaseTrouble,
  dbTroubleOf,
  retryDb,
  SHORT_BUSY_TIMEOUT_MS,
  troubleSentence,
} from '../core/db-retry.ts';
import { createCheckpoint, type CheckpointResult } from '../core/checkpoints.ts';
import { commitsSince, markHead, type HeadMark } from '../core/session-commits.ts';
import { asGraphNode, FeaturesDb, type Feature } from '../core/features-db.ts';
import {
  featuresDbPath,
  findSpec,
  legacyFeatureListPath,
  specPath,
} from '../core/project-paths.ts';
import { drainFlagPath, initializingFlagPath } from '../core/run-log.ts';
import { agentEnv, type AgentTuning, type LaunchMode } from '../core/launch-protocol.ts';
import {
  finishExpansion,
  pendingExpansions,
  type ExpansionRequest,
} from '../core/expansion-queue.ts';
import { copyFileSync } from 'node:fs';
import type { ToolContext } from './feature-tools.ts';
import type { AgentOutput } from './output.ts';
import { ownerId, ownerIsDead } from './process-group.ts';
import { codingPrompt, expanderPrompt, initializerPrompt, regressionPrompt } from './prompts.ts';
import { backlogProblems, specFeatureCount } from './backlog-check.ts';
import { ProviderHold, rateLimitHold } from './provider-hold.ts';
import { regressionQueue } from './regression-queue.ts';
import {
  codingOutcome,
  codingRelease,
  expanderOutcome,
  faultOf,
  initializerOutcome,
  outcomeOfEnd,
  regressionOutcome,
  type Fault,
  type Finished,
} from './session-outcome.ts';
import { sessionSpecFor } from './session-setup.ts';
import {
  addUsage,
  emptyUsage,
  runSession,
  type SessionResult,
  type SessionSpec,
} from './session.ts';
import type { SessionContainment } from './session-guard.ts';
import { stalledMessage, watchStall } from './stall-watchdog.ts';

/** The run's launch settings and the agent's tuning (core/launch-protocol.ts), plus what the process adds. */
export interface OrchestratorConfig extends Omit<AgentTuning, 'stallKillMs'> {
  projectDir: string;
  /** `expand` carries out the queued expansions and ends; `run` (default) works the backlog. */
  mode?: LaunchMode;
  model: string;
  yolo: boolean;
  concurrency: number;
  regressionAgents: number;
  runId: string;
  /** Environment for Claude Code (provider settings included). */
  sessionEnv: Record<string, string | undefined>;
  /** Sandbox and settings trust of every session (absent: no sandbox, no project settings). */
  containment?: SessionContainment;
  /** A session with no tool call or progress this long is ended as stalled (0/absent: never). */
  stallKillMs?: number;
  /** Replaceable for tests of the loop itself; defaults to the real SDK session. */
  runSession?: (spec: SessionSpec) => Promise<SessionResult>;
  /**
   * After this long without a session getting through to the provider, the run drains and
   * stops (default: `NIGHTSHIFT_PROVIDER_OUTAGE_LIMIT_MIN`, else 2 h).
   */
  outageLimitMs?: number;
  /** First hold of an outage; doubles per hold up to 15 min (default 30 s; env for tests). */
  outageBackoffMs?: number;
  /** How long busy or I/O trouble of the features database is retried before the run stops. */
  dbRetryLimitMs?: number;
}

/** A duration in words: "2 h", "45 min", "18 s". */
function formatSpan(ms: number): string {
  if (ms >= 3_600_000) return `${+(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return `${Math.round(ms / 1000)} s`;
}

interface FileIdentity {
  ino: number;
  /** True when the file starts with SQLite's header. */
  header: boolean;
}

/** The file's inode and whether it still starts like a database; null when it is gone. */
function fileIdentity(path: string): FileIdentity | null {
  let fd: number | null = null;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    return {
      ino: fstatSync(fd).ino,
      header: n === 0 || head.toString('latin1') === 'SQLite format 3\u0000',
    };
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function envMs(name: string, scale: number, fallback: number): number {
  const n = Number(process.env[name]);
  return process.env[name] && Number.isFinite(n) && n > 0 ? n * scale : fallback;
}

interface Live {
  agentId: string;
  role: AgentRole;
  featureId: number | null;
  owner: string;
  abort: AbortController;
  ctx: ToolContext;
  resumed: boolean;
  promise: Promise<void>;
  /** The expansion an expander session carries out. */
  expansion?: ExpansionRequest;
  /** How the session ended, once it has. */
  end?: SessionResult['end'];
  /** The checkpoint made before it (coding sessions in a git project). */
  checkpointRef?: string | null;
  /** Where HEAD was when it started, to tell the commits it made. */
  headAtStart?: HeadMark;
  endMessage?: string;
}

/** Exit code when the provider refused the credentials (the supervisor shows the run crashed). */
export const EXIT_AUTH_FAILED = 3;

export class Orchestrator {
  private readonly cfg: OrchestratorConfig;
  private readonly out: AgentOutput;
  private db: FeaturesDb | null = null;
  private readonly lives = new Map<string, Live>();
  private readonly resumed = new Set<number>();
  private phase: RunPhase | null = null;
  private phaseMessage = '';
  private stopping = false;
  /** New sessions held for a rate or usage limit. */
  private readonly rateHold: ProviderHold;
  /** New sessions held while the provider is unreachable, overloaded or failing. */
  private readonly outage: ProviderHold;
  private outageReason: ProviderTrouble = 'unreachable';
  private readonly outageLimitMs: number;
  /** Set when the outage lasted past its limit: start nothing, end once sessions are done. */
  private outageGiveUp: string | null = null;
  /** The sentence of database trouble that did not pass; the run stops with it. */
  private dbTrouble: string | null = null;
  private dbFile: FileIdentity | null = null;
  /** Set once the run said the project has no git repository (so no checkpoints). */
  private noGitSaid = false;
  private readonly dbRetryLimitMs: number;
  private lastProgress = '';
  private lastHeartbeat = 0;
  private lastSweep = 0;
  private runTotal: Usage = emptyUsage();
  private readonly liveUsage = new Map<string, Usage>();
  private readonly lastCostEmit = new Map<string, number>();
  private wakeResolve: (() => void) | null = null;
  private lastStuckNote = '';
  /** Regression sessions on a feature that ended in error or timeout, in a row, this run. */
  private readonly regressionFailures = new Map<number, number>();
  /** Features whose regression sessions hit the cap: not re-tested again in this run. */
  private readonly retestGivenUp = new Set<number>();
  /** Set when the provider refused the credentials: no session starts, the run ends. */
  private authFailure: string | null = null;
  /** The expander session running now (one at a time), if any. */
  private expanding: Live | null = null;
  /** Expansion requests taken up in this run: one that failed is not retried by the same run. */
  private readonly expansionsTaken = new Set<string>();
  /** What each expansion of this run added (its `agent-finished` message). */
  private readonly expansionNotes = new Map<string, string>();
  /** How many features the expansions of this run added. */
  private expansionAdded = 0;

  constructor(cfg: OrchestratorConfig, out: AgentOutput) {
    this.cfg = cfg;
    this.out = out;
    this.rateHold = rateLimitHold(cfg.rateLimitBackoffMs);
    this.outage = new ProviderHold({
      firstMs: cfg.outageBackoffMs ?? envMs('NIGHTSHIFT_PROVIDER_BACKOFF_MS', 1, 30_000),
      maxMs: 15 * 60_000,
    });
    this.dbRetryLimitMs = cfg.dbRetryLimitMs ?? envMs('NIGHTSHIFT_DB_RETRY_LIMIT_MS', 1, 120_000);
    this.outageLimitMs =
      cfg.outageLimitMs ?? envMs(agentEnv.providerOutageLimitMinutes, 60_000, 2 * 60 * 60_000);
  }

  /** Asks the run to stop: sessions are aborted, claims released, run() resolves. */
  stop(reason: string): void {
    if (this.stopping) return;
    this.stopping = true;
    this.setPhase('stopping', reason);
    for (const live of this.lives.values()) live.abort.abort();
    this.wake();
  }

  private emit(event: AgentEventInput): void {
    this.out.event(event);
  }

  private log(line: string, agentId?: string): void {
    this.out.line(agentId ? `[${agentId}] ${line}` : line);
  }

  private setPhase(phase: RunPhase, message: string): void {
    if (this.phase === phase && this.phaseMessage === message) return;
    this.phase = phase;
    this.phaseMessage = message;
    this.emit({ type: 'run-state', phase, message });
  }

  private wake(): void {
    const resolve = this.wakeResolve;
    this.wakeResolve = null;
    resolve?.();
  }

  private async idle(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeResolve = null;
        resolve();
      }, ms);
      this.wakeResolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Finished sessions plus the tokens of running ones so far. */
  private totalWithLive(): Usage {
    let total = this.runTotal;
    for (const usage of this.liveUsage.values()) total = addUsage(total, usage);
    return total;
  }

  private get liveOwners(): Set<string> {
    return new Set([...this.lives.values()].map((l) => l.owner));
  }

  /** Runs to completion, stop or failure. Returns the process exit code. */
  async run(): Promise<number> {
    const { projectDir } = this.cfg;
    this.setPhase(
      'starting',
      `Starting in ${projectDir} (${this.cfg.concurrency} coding, ${this.cfg.yolo ? 'YOLO, no' : this.cfg.regressionAgents} regression agents, model ${this.cfg.model}).`,
    );
    const path = featuresDbPath(projectDir);
    const opened = await this.dbWork(() => {
      const db = FeaturesDb.open(path, { busyTimeoutMs: SHORT_BUSY_TIMEOUT_MS });
      this.dbFile = fileIdentity(path);
      return db;
    });
    if (opened === null)
      return this.fail(this.dbTrouble ?? 'Could not open the features database.');
    this.db = opened;
    const db = opened;
    try {
      if (this.cfg.mode === 'expand') return await this.expandOnly();
      const needsInit = await this.dbWork(() => {
        const imported = db.importLegacyJson(legacyFeatureListPath(projectDir));
        if (imported > 0) this.log(`Imported ${imported} features from feature_list.json.`);
        this.recoverAtStart();
        return db.count() === 0 || existsSync(initializingFlagPath(projectDir));
      });
      if (needsInit === null) return this.failDb();
      if (needsInit) {
        this.dropExpansionsCoveredByInit();
        const code = await this.initialize();
        if (code !== null) return code;
      }
      const code = await this.loop();
      return this.dbTrouble !== null ? this.failDb() : code;
    } catch (error) {
      // Database trouble outside the guarded spots still ends with a sentence, not a stack.
      if (dbTroubleOf(error) === null) throw error;
      this.dbTrouble ??=
        error instanceof DatabaseTrouble
          ? error.message
          : troubleSentence(dbTroubleOf(error)!, path, (error as Error).message);
      return this.failDb();
    } finally {
      await this.settle();
      this.db?.close();
      this.db = null;
    }
  }

  /**
   * Database work, retried asynchronously while the database is busy or has a passing I/O
   * error. When the trouble does not pass, records its sentence, stops the run (aborting live
   * sessions) and returns null.
   */
  private async dbWork<T>(fn: () => T): Promise<T | null> {
    if (this.dbTrouble !== null) return null;
    let waiting = false;
    try {
      return await retryDb(featuresDbPath(this.cfg.projectDir), fn, {
        limitMs: this.dbRetryLimitMs,
        onRetry: (kind, attempt) => {
          if (waiting || attempt < 3) return;
          waiting = true;
          this.log(
            kind === 'busy'
              ? 'The features database is locked by another program; waiting for it.'
              : 'The features database reported an I/O error; trying again.',
          );
        },
      });
    } catch (error) {
      if (dbTroubleOf(error) === null) throw error;
      const path = featuresDbPath(this.cfg.projectDir);
      this.dbTrouble =
        error instanceof DatabaseTrouble
          ? error.message
          : troubleSentence(dbTroubleOf(error)!, path, (error as Error).message);
      this.stop(this.dbTrouble);
      return null;
    } finally {
      if (waiting) this.log('The features database answers again.');
    }
  }

  /** The database file is still the one opened, and still looks like a database. */
  private checkDbFile(): void {
    const path = featuresDbPath(this.cfg.projectDir);
    const now = fileIdentity(path);
    if (now === null || (this.dbFile !== null && now.ino !== this.dbFile.ino))
      throw new DatabaseTrouble('gone', troubleSentence('gone', path, 'missing'));
    if (!now.header)
      throw new DatabaseTrouble(
        'damaged',
        troubleSentence('damaged', path, 'its header is not a database header'),
      );
  }

  private failDb(): number {
    const message = this.dbTrouble ?? 'The features database failed.';
    this.log(message);
    return this.fail(message);
  }

  private failAuth(): number {
    const message = `The provider refused the credentials (${this.authFailure ?? 'authentication failed'}). No sessions will start: fix the API key or sign-in in Settings → Provider, then start again.`;
    this.log(message);
    return this.fail(message, EXIT_AUTH_FAILED);
  }

  private fail(message: string, code = 1): number {
    this.emit({ type: 'error', agentId: null, message });
    this.setPhase('failed', message);
    return code;
  }

  /** Start-up: releases claims left by crashed or stopped agents, and remembers them to resume. */
  private recoverAtStart(): void {
    const db = this.db!;
    const released = db.releaseStale({
      staleBefore: Date.now() - this.cfg.leaseMs,
      isDead: (owner) => ownerIsDead(owner, this.liveOwners),
      keep: () => false,
      includeOwnerless: true,
      maxAttempts: this.cfg.maxAttempts,
    });
    for (const f of released.coding) this.resumed.add(f.id);
    if (released.coding.length > 0)
      this.log(
        `Resuming ${released.coding.length} interrupted feature(s): ${released.coding.map((f) => `#${f.id} ${f.name}`).join(', ')}`,
      );
    if (released.testing.length > 0)
      this.log(`Released ${released.testing.length} stale regression claim(s).`);
  }

  // ── initializer ──────────────────────────────────────────────────────────────────────────

  /** Returns an exit code to stop with, or null to continue into the feature loop. */
  private async initialize(): Promise<number | null> {
    const { projectDir } = this.cfg;
    const db = this.db!;
    if (!existsSync(specPath(projectDir))) {
      const elsewhere = findSpec(projectDir);
      if (elsewhere) copyFileSync(elsewhere, specPath(projectDir));
    }
    if (!existsSync(specPath(projectDir)))
      return this.fail(
        'There is no app spec yet. Write one in the project view (it is saved to app_spec.txt), then press Start.',
        2,
      );
    const wanted = specFeatureCount(readFileSync(specPath(projectDir), 'utf8'));
    const flag = initializingFlagPath(projectDir);
    mkdirSync(dirname(flag), { recursive: true });
    writeFileSync(flag, '');
    const max = this.cfg.maxAttempts;
    let attempt = 0;
    let problems = db.count() > 0 ? backlogProblems(db.all().map(asGraphNode), wanted) : [];
    while (!this.stopping) {
      if (await this.waitWhileHeldOrDrained()) continue;
      if (this.stopping) break;
      attempt++;
      const existing = db.all();
      const continuing =
        existing.length > 0
          ? { features: existing.map((f) => ({ id: f.id, name: f.name })), problems }
          : null;
      if (continuing) {
        const note = `The backlog is not complete yet (${problems.join('; ')}); running the initializer again to continue it (attempt ${attempt} of ${max}).`;
        this.log(note);
        this.setPhase('initializing', note);
      } else this.setPhase('initializing', 'Turning the spec into features (initializer agent).');
      const live = this.startSession(
        'initializer',
        null,
        initializerPrompt({ yolo: this.cfg.yolo, attempt, continuing }),
      );
      await live.promise;
      if (this.authFailure) return this.failAuth();
      const afterOutage = this.endAfterOutage();
      if (afterOutage !== null) return afterOutage;
      if (this.stopping) break;
      // A limit or the provider's trouble is not the initializer's failure: wait and go again.
      if (live.end === 'rate-limited' || live.end === 'unavailable') {
        attempt--;
        continue;
      }
      problems = backlogProblems(db.all().map(asGraphNode), wanted);
      if (live.end !== 'completed' && db.count() > 0)
        problems.unshift(`its session ended early (${live.endMessage ?? live.end})`);
      if (problems.length === 0) break;
      if (attempt >= max) {
        if (db.count() === 0)
          return this.fail(
            `The initializer did not create any features in ${attempt} sessions. Check the spec and the log, then start again.`,
          );
        const note = `The backlog may be incomplete after ${attempt} initializer sessions (${problems.join('; ')}); working on the ${db.count()} features there are.`;
        this.log(note);
        this.emit({ type: 'error', agentId: null, message: note });
        break;
      }
    }
    if (this.stopping) return 0;
    rmSync(flag, { force: true });
    this.log(`Initialization complete: ${db.count()} features.`);
    return null;
  }

  /** While drained or rate-limited, waits (one poll) and returns true; otherwise false. */
  private async waitWhileHeldOrDrained(): Promise<boolean> {
    if (this.stopping) return false;
    if (this.outageGiveUp !== null) {
      await this.idle(this.cfg.pollMs);
      return true;
    }
    if (this.checkHold()) {
      await this.idle(this.cfg.pollMs);
      return true;
    }
    if (existsSync(drainFlagPath(this.cfg.projectDir))) {
      if (this.lives.size === 0)
        this.setPhase('drained', 'Drained: no sessions running; waiting to be resumed.');
      else
        this.setPhase(
          'draining',
          `Draining: finishing ${this.lives.size} running session(s), starting none.`,
        );
      await this.idle(this.cfg.pollMs);
      return true;
    }
    return false;
  }

  /**
   * True while new sessions are held (a rate limit, or the provider's trouble); emits each
   * release when it ends.
   */
  private checkHold(): boolean {
    const now = Date.now();
    const rate = this.rateHold.check(now);
    if (rate === 'released') {
      this.emit({
        type: 'rate-limit',
        state: 'release',
        until: null,
        message: 'The limit has reset; starting sessions again.',
      });
      this.setPhase('working', 'The limit has reset; starting sessions again.');
    }
    const outage = this.outage.check(now);
    if (outage === 'released') {
      const message = `${providerTroubleWords[this.outageReason]}: trying again now.`;
      this.emit({
        type: 'provider-hold',
        state: 'release',
        reason: this.outageReason,
        since: this.outage.since,
        until: null,
        message,
      });
      this.setPhase('working', message);
    }
    return rate === 'held' || outage === 'held';
  }

  private hold(result: SessionResult): void {
    const until = this.rateHold.refuse(Date.now(), result.rateLimitUntil);
    if (until === null) return;
    const when = new Date(until).toISOString();
    const why = result.rateLimitUntil
      ? ` (from ${result.rateLimitSource ?? 'the reset time the provider gave'})`
      : ' (no reset time given; backing off)';
    const message = `Rate or usage limit reached. Holding new sessions until ${when}${why}.`;
    this.emit({ type: 'rate-limit', state: 'hold', until, message });
    this.setPhase('rate-limited', message);
  }

  /**
   * A session could not get through (provider unreachable, overloaded or failing; Claude Code
   * not starting): hold every new session with backoff, and past the outage limit give up.
   */
  private holdForOutage(result: SessionResult): void {
    const now = Date.now();
    const reason = result.unavailable ?? 'unreachable';
    const until = this.outage.refuse(now);
    const since = this.outage.since ?? now;
    if (now - since >= this.outageLimitMs && this.outageGiveUp === null) {
      this.outageGiveUp = `${providerTroubleWords[reason]} since ${new Date(since).toISOString()}, longer than the ${formatSpan(this.outageLimitMs)} limit: stopped. No feature attempt was counted. Last problem: ${result.message}`;
      this.log(this.outageGiveUp);
      this.wake();
      return;
    }
    if (until === null) return;
    this.outageReason = reason;
    const message = `${providerTroubleWords[reason]} since ${new Date(since).toISOString()}; retrying at ${new Date(until).toISOString()}. No feature attempt is counted. (${result.message})`;
    this.log(message);
    this.emit({ type: 'provider-hold', state: 'hold', reason, since, until, message });
    this.setPhase('waiting-for-provider', message);
  }

  /** Ends a run whose provider stayed unreachable past the limit, once its sessions are done. */
  private endAfterOutage(): number | null {
    if (this.outageGiveUp === null || this.lives.size > 0) return null;
    this.emit({ type: 'error', agentId: null, message: this.outageGiveUp });
    this.setPhase('finished', this.outageGiveUp);
    return 0;
  }

  // ── main loop ────────────────────────────────────────────────────────────────────────────

  private snapshot(): { features: Feature[]; graph: GraphAnalysis } {
    const features = this.db!.all();
    return { features, graph: analyzeGraph(features.map(asGraphNode)) };
  }

  private emitProgress(features: Feature[], graph: GraphAnalysis): Progress {
    const progress: Progress = {
      total: features.length,
      passing: features.filter((f) => f.passes).length,
      inProgress: features.filter((f) => f.inProgress && !f.passes).length,
      underTest: features.filter((f) => f.testingInProgress).length,
      blocked: features.filter((f) => !f.needsHumanInput && graph.blockedReasons.has(f.id)).length,
      needsHuman: features.filter((f) => f.needsHumanInput && !f.passes).length,
    };
    const key = JSON.stringify(progress);
    if (key !== this.lastProgress) {
      this.lastProgress = key;
      this.emit({ type: 'progress', progress });
    }
    return progress;
  }

  private maintainLeases(): void {
    const now = Date.now();
    const db = this.db!;
    if (now - this.lastHeartbeat >= this.cfg.heartbeatMs) {
      this.lastHeartbeat = now;
      for (const owner of this.liveOwners) db.heartbeat(owner, now);
    }
    if (now - this.lastSweep >= Math.min(this.cfg.heartbeatMs, 60_000)) {
      this.lastSweep = now;
      const live = this.liveOwners;
      const released = db.releaseStale({
        staleBefore: now - this.cfg.leaseMs,
        isDead: (owner) => ownerIsDead(owner, live),
        keep: (owner) => live.has(owner),
        includeOwnerless: false,
        maxAttempts: this.cfg.maxAttempts,
      });
      for (const f of released.coding) {
        this.resumed.add(f.id);
        this.log(`Released the stale claim on feature #${f.id} (its agent is gone).`);
      }
      for (const f of released.testing)
        this.log(`Released the stale regression claim on feature #${f.id}.`);
    }
  }

  private codingCandidates(features: Feature[], graph: GraphAnalysis): Feature[] {
    const busy = new Set([...this.lives.values()].map((l) => l.featureId));
    const byScore = compareBySchedule(graph.scores);
    return features
      .filter(
        (f) =>
          graph.ready.has(f.id) &&
          !f.inProgress &&
          !f.testingInProgress &&
          !f.needsHumanInput &&
          !busy.has(f.id),
      )
      .sort((a, b) => {
        const ra = this.resumed.has(a.id) ? 0 : 1;
        const rb = this.resumed.has(b.id) ? 0 : 1;
        const sa = a.skippedAt !== null ? 1 : 0;
        const sb = b.skippedAt !== null ? 1 : 0;
        return ra - rb || sa - sb || byScore(a, b);
      });
  }

  private regressionCandidates(features: Feature[]): Feature[] {
    if (this.cfg.yolo || this.cfg.regressionAgents <= 0) return [];
    const exclude = new Set<number>(this.retestGivenUp);
    for (const l of this.lives.values()) if (l.featureId !== null) exclude.add(l.featureId);
    return regressionQueue(features, {
      now: Date.now(),
      minIntervalMs: this.cfg.retestIntervalMs,
      routine: this.count('coding') > 0,
      exclude,
    }).map((q) => q.feature);
  }

  private count(role: AgentRole): number {
    return [...this.lives.values()].filter((l) => l.role === role).length;
  }

  private freeSlot(role: AgentRole): string {
    const used = new Set([...this.lives.values()].map((l) => l.agentId));
    for (let i = 1; ; i++) if (!used.has(`${role}-${i}`)) return `${role}-${i}`;
  }

  private async loop(): Promise<number> {
    this.setPhase('working', 'Working through the backlog.');
    while (!this.stopping) {
      if (this.authFailure) return this.failAuth();
      const afterOutage = this.endAfterOutage();
      if (afterOutage !== null) return afterOutage;
      const snap = await this.dbWork(() => {
        this.checkDbFile();
        const { features, graph } = this.snapshot();
        const progress = this.emitProgress(features, graph);
        this.maintainLeases();
        return { features, graph, progress };
      });
      if (snap === null) break;
      const { features, graph, progress } = snap;

      if (await this.waitWhileHeldOrDrained()) continue;
      if (this.stopping) break;
      if (this.phase !== 'working') this.setPhase('working', 'Working through the backlog.');

      // Before claiming: an expansion the user asked for while this run goes.
      this.takeExpansion();
      const started = await this.dbWork(() => this.startReady(features, graph));
      if (started === null) break;

      if (started === 0 && this.lives.size === 0) {
        const heldElsewhere = features.some(
          (f) => (f.inProgress && !f.passes) || f.testingInProgress,
        );
        if (!heldElsewhere) return this.finish(features, graph, progress);
        const note = 'Waiting for claims held by another agent process to finish or expire.';
        if (note !== this.lastStuckNote) {
          this.lastStuckNote = note;
          this.log(note);
        }
      }
      await this.idle(this.cfg.pollMs);
    }
    return 0;
  }

  // ── expansion ────────────────────────────────────────────────────────────────────────────

  /** Starts an expander session for the oldest queued request not yet taken; null when none. */
  private takeExpansion(): Live | null {
    if (this.expanding !== null || this.stopping || this.authFailure) return null;
    const request = pendingExpansions(this.cfg.projectDir).find(
      (r) => !this.expansionsTaken.has(r.id),
    );
    if (!request) return null;
    this.expansionsTaken.add(request.id);
    const existing = this.db!.all().map((f) => ({
      id: f.id,
      name: f.name,
      category: f.category,
      passes: f.passes,
    }));
    this.log(`Expanding the project with the addendum of ${request.requestedAt}.`);
    const live = this.startSession(
      'expander',
      null,
      expanderPrompt({ addendum: request.addendum, requestedAt: request.requestedAt, existing }),
      undefined,
      request,
    );
    this.expanding = live;
    return live;
  }

  /**
   * Mode `expand`: carries out every queued expansion, one expander session each, then ends.
   * Nothing is claimed and no other session starts; the new features wait for the next run.
   */
  private async expandOnly(): Promise<number> {
    this.setPhase('working', 'Expanding the project with the new spec text.');
    // Progress before and after each expansion: views refresh the backlog when it moves.
    const progress = () =>
      this.dbWork(() => {
        const { features, graph } = this.snapshot();
        this.emitProgress(features, graph);
      });
    await progress();
    while (!this.stopping) {
      if (this.authFailure) return this.failAuth();
      const afterOutage = this.endAfterOutage();
      if (afterOutage !== null) return afterOutage;
      if (await this.waitWhileHeldOrDrained()) continue;
      if (this.stopping) break;
      const live = this.takeExpansion();
      if (!live) break;
      await live.promise;
      await progress();
    }
    if (this.stopping) return 0;
    const message =
      this.expansionNotes.size === 0
        ? 'There was no expansion waiting.'
        : `${[...this.expansionNotes.values()].join(' ')}${this.expansionAdded > 0 ? ' Start the agent to build them.' : ''}`;
    this.setPhase('finished', message);
    return 0;
  }

  /** A new backlog's initializer reads the whole spec, addenda included: nothing to expand. */
  private dropExpansionsCoveredByInit(): void {
    const queued = pendingExpansions(this.cfg.projectDir);
    if (queued.length === 0) return;
    for (const r of queued) finishExpansion(this.cfg.projectDir, r.id);
    this.log(
      `The initializer reads the whole spec, addenda included, so ${queued.length} queued expansion(s) are covered by it.`,
    );
  }

  /** What an expander session added, said in the log; its request leaves the queue when done. */
  private settleExpansion(live: Live, result: SessionResult): Finished {
    const db = this.db!;
    const ids = live.ctx.created ?? [];
    const created = ids.flatMap((id) => {
      const f = db.get(id);
      return f ? [{ id, name: f.name }] : [];
    });
    const finished = expanderOutcome(result, created);
    const request = live.expansion;
    const retry = created.length === 0 && result.end !== 'completed';
    // A limit or the provider's trouble is not the expansion's failure: it is tried again.
    const held = retry && (result.end === 'rate-limited' || result.end === 'unavailable');
    const note = !retry
      ? finished.message
      : held
        ? `${finished.message} The addendum stays queued and is tried again after the hold.`
        : `${finished.message} The addendum stays queued; the next run tries again.`;
    if (request) {
      if (!retry) finishExpansion(this.cfg.projectDir, request.id);
      if (held) this.expansionsTaken.delete(request.id);
      else {
        if (!this.expansionNotes.has(request.id)) this.expansionAdded += created.length;
        this.expansionNotes.set(request.id, note);
      }
    }
    this.log(note, live.agentId);
    if (this.expanding === live) this.expanding = null;
    return finished;
  }

  /** Claims ready features and starts their sessions; returns how many started. */
  private startReady(features: Feature[], graph: GraphAnalysis): number {
    const db = this.db!;
    let started = 0;
    // Coding agents.
    for (const f of this.codingCandidates(features, graph)) {
      if (this.count('coding') >= this.cfg.concurrency) break;
      const agentId = this.freeSlot('coding');
      const owner = ownerId(this.cfg.runId, agentId);
      if (!db.claim(f.id, owner)) continue;
      const fresh = db.get(f.id)!;
      const resumed = this.resumed.delete(f.id);
      this.startSession(
        'coding',
        fresh,
        codingPrompt({
          feature: fresh,
          yolo: this.cfg.yolo,
          resumed,
          attempt: fresh.attempts + 1,
        }),
        {
          agentId,
          owner,
          resumed,
        },
      );
      started++;
    }
    // Regression agents, independently of coding (routine re-tests see the coding just started).
    for (const f of this.regressionCandidates(features)) {
      if (this.count('regression') >= this.cfg.regressionAgents) break;
      const agentId = this.freeSlot('regression');
      const owner = ownerId(this.cfg.runId, agentId);
      if (!db.claimForTesting(f.id, owner)) continue;
      const fresh = db.get(f.id)!;
      this.startSession(
        'regression',
        fresh,
        regressionPrompt({ feature: fresh, yolo: this.cfg.yolo }),
        { agentId, owner, resumed: false },
      );
      started++;
    }
    return started;
  }

  private finish(features: Feature[], graph: GraphAnalysis, progress: Progress): number {
    if (progress.total > 0 && progress.passing === progress.total) {
      this.setPhase('complete', `All ${progress.total} features pass.`);
      return 0;
    }
    const human = features.filter((f) => f.needsHumanInput && !f.passes);
    const blocked = features.filter((f) => !f.needsHumanInput && graph.blockedReasons.has(f.id));
    const parts = [`${progress.passing} of ${progress.total} features pass.`];
    if (human.length > 0)
      parts.push(
        `${human.length} need human input (${human
          .slice(0, 5)
          .map((f) => `#${f.id}`)
          .join(', ')}).`,
      );
    if (blocked.length > 0) {
      parts.push(`${blocked.length} are blocked:`);
      for (const f of blocked.slice(0, 5))
        parts.push(`#${f.id} ${f.name}: ${graph.blockedReasons.get(f.id)}`);
    }
    parts.push('Nothing else can run until that is resolved.');
    // Not `complete`: the UI must not say every feature passes when work is left.
    this.setPhase('finished', parts.join(' '));
    this.log(
      `Stopped with work left: ${progress.passing} of ${progress.total} pass, ${human.length} need a human, ${blocked.length} blocked.`,
    );
    return 0;
  }

  // ── sessions ─────────────────────────────────────────────────────────────────────────────

  private startSession(
    role: AgentRole,
    feature: Feature | null,
    prompt: string,
    ids?: { agentId: string; owner: string; resumed: boolean },
    expansion?: ExpansionRequest,
  ): Live {
    const agentId = ids?.agentId ?? this.freeSlot(role);
    const owner = ids?.owner ?? ownerId(this.cfg.runId, agentId);
    const abort = new AbortController();
    const ctx: ToolContext = {
      db: this.db!,
      role,
      featureId: feature?.id ?? null,
      owner,
      onChange: () => this.wake(),
      aborted: () => abort.signal.aborted,
      onDbWait: () =>
        this.log(
          'The features database is locked by another program; the tool call waits for it.',
          agentId,
        ),
      onHumanInput: (f, request) => {
        this.emit({
          type: 'human-input',
          featureId: f.id,
          featureName: f.name,
          prompt: request.prompt,
        });
      },
      report: { regressionFound: false, skippedReason: null, humanInputRequested: false },
      ...(role === 'expander' ? { created: [] } : {}),
    };
    const live: Live = {
      agentId,
      role,
      featureId: feature?.id ?? null,
      owner,
      abort,
      ctx,
      resumed: ids?.resumed ?? false,
      promise: Promise.resolve(),
      ...(expansion ? { expansion } : {}),
    };
    this.lives.set(agentId, live);
    this.emit({
      type: 'agent-started',
      agentId,
      role,
      featureId: feature?.id ?? null,
      featureName: feature?.name ?? null,
    });

    const spec = sessionSpecFor({
      role,
      prompt,
      ctx,
      cfg: this.cfg,
      signal: abort.signal,
      callbacks: {
        onActivity: (kind, summary) => {
          watchdog.touch();
          this.emit({ type: 'activity', agentId, kind, summary });
        },
        onUsage: (usage) => {
          watchdog.touch();
          // Tokens so far (cost arrives with the result); at most one event per agent every 5 s.
          this.liveUsage.set(agentId, usage);
          const now = Date.now();
          if (now - (this.lastCostEmit.get(agentId) ?? 0) < 5000) return;
          this.lastCostEmit.set(agentId, now);
          this.emit({ type: 'cost', agentId, usage, runTotal: this.totalWithLive() });
        },
        onLog: (line) => this.log(line, agentId),
      },
    });
    const run = this.cfg.runSession ?? runSession;
    const killAfterMs = this.cfg.stallKillMs ?? 0;
    const watchdog = watchStall({ killAfterMs, onStall: () => abort.abort() });
    const before = (
      role === 'coding' && feature ? this.checkpoint(feature, agentId) : Promise.resolve(null)
    ).then(async (ref) => {
      live.checkpointRef = ref;
      live.headAtStart = this.noGitSaid ? null : await markHead(this.cfg.projectDir);
    });
    live.promise = before
      .then(() => run(spec))
      .catch((error: unknown): SessionResult => ({
        end: 'error',
        sessionId: null,
        subtype: null,
        isError: true,
        message: messageOf(error),
        usage: null,
        turns: null,
        rateLimitUntil: null,
        durationMs: 0,
      }))
      .then((result) =>
        this.onSessionEnd(
          live,
          watchdog.stalled()
            ? { ...result, end: 'stalled', message: stalledMessage(killAfterMs) }
            : result,
        ),
      )
      .catch((error: unknown) => {
        this.emit({
          type: 'error',
          agentId,
          message: `Could not finish the session cleanly: ${String(error)}`,
        });
      })
      .finally(() => {
        watchdog.stop();
        if (this.expanding === live) this.expanding = null;
        this.lives.delete(agentId);
        this.liveUsage.delete(agentId);
        this.wake();
      });
    return live;
  }

  /**
   * Records the working tree before a coding session, so its work (and what was there before)
   * can be restored. Never fails the session: a project without git is said once, a git error
   * each time.
   */
  private async checkpoint(feature: Feature, agentId: string): Promise<string | null> {
    if (this.noGitSaid) return null;
    const r = await createCheckpoint(this.cfg.projectDir, {
      runId: this.cfg.runId,
      featureId: feature.id,
      attempt: feature.attempts + 1,
    }).catch((error: unknown): CheckpointResult => ({
      ok: false,
      code: 'git-failed',
      message: String(error),
    }));
    if (r.ok) {
      this.log(`Checkpoint ${r.checkpoint.ref} (${r.checkpoint.commit.slice(0, 10)}).`, agentId);
      return r.checkpoint.ref;
    }
    if (r.code === 'not-a-repository') {
      this.noGitSaid = true;
      this.log(
        `${r.message} Run git init in the project to have a checkpoint before every session.`,
      );
    } else this.log(`No checkpoint before this session: ${r.message}`, agentId);
    return null;
  }

  /** Settles the feature first (DB), then reports; the live entry is removed after. */
  private async onSessionEnd(live: Live, result: SessionResult): Promise<void> {
    const { agentId, role, featureId } = live;
    live.end = result.end;
    live.endMessage = result.message;
    this.liveUsage.delete(agentId);
    this.lastCostEmit.delete(agentId);
    if (result.usage) {
      this.runTotal = addUsage(this.runTotal, result.usage);
      this.emit({ type: 'cost', agentId, usage: result.usage, runTotal: this.totalWithLive() });
    }
    if (result.end === 'rate-limited') this.hold(result);
    else if (result.end === 'completed') this.rateHold.succeeded();
    if (result.end === 'unavailable') this.holdForOutage(result);
    else if (result.end !== 'aborted') this.outage.succeeded();
    if (result.end === 'auth-failed' && this.authFailure === null) {
      this.authFailure = result.message;
      // Every other session would be refused too: stop them without counting attempts.
      for (const other of this.lives.values()) if (other !== live) other.abort.abort();
      this.wake();
    }
    const fault = faultOf(result.end, this.authFailure !== null);
    const finished = (await this.dbWork(() => this.settleFeature(live, result, fault))) ?? {
      outcome: outcomeOfEnd(result.end),
      message: result.message,
    };
    const commits =
      live.headAtStart === undefined
        ? []
        : await commitsSince(this.cfg.projectDir, live.headAtStart).catch(() => []);

    this.emit({
      type: 'agent-finished',
      agentId,
      role,
      featureId,
      sessionId: result.sessionId,
      outcome: finished.outcome,
      message: finished.message,
      usage: result.usage,
      turns: result.turns,
      end: result.end,
      subtype: result.subtype,
      commits,
      checkpointRef: live.checkpointRef ?? null,
    });
  }

  /** What the session's end means for its feature, written to the database. */
  private settleFeature(live: Live, result: SessionResult, fault: Fault): Finished {
    const db = this.db;
    const { agentId, role, featureId, owner, ctx } = live;
    let finished: Finished;
    if (role === 'expander' && db) {
      finished = this.settleExpansion(live, result);
    } else if (role === 'initializer' || !db || featureId === null) {
      finished = initializerOutcome(result, db?.count() ?? 0);
    } else if (role === 'coding') {
      const passes = db.get(featureId)?.passes ?? false;
      const release = codingRelease(result, ctx.report, fault, passes);
      const after = db.releaseClaim(featureId, owner, {
        ...release,
        maxAttempts: this.cfg.maxAttempts,
      });
      const coding = codingOutcome({
        featureId,
        result,
        report: ctx.report,
        fault,
        release,
        after,
        maxAttempts: this.cfg.maxAttempts,
      });
      if (coding.askHuman !== null && after)
        this.emit({
          type: 'human-input',
          featureId,
          featureName: after.name,
          prompt: coding.askHuman,
        });
      if (coding.resume) this.resumed.add(featureId);
      finished = coding;
    } else {
      const f = db.get(featureId);
      if (f && f.testingInProgress && f.testOwner === owner)
        db.releaseTesting(featureId, owner, Date.now(), result.end === 'completed');
      const regression = regressionOutcome({
        featureId,
        result,
        report: ctx.report,
        fault,
        after: db.get(featureId),
        failuresBefore: this.regressionFailures.get(featureId) ?? 0,
        maxAttempts: this.cfg.maxAttempts,
      });
      if (regression.failures === 0) this.regressionFailures.delete(featureId);
      else this.regressionFailures.set(featureId, regression.failures);
      if (regression.givenUp) {
        this.retestGivenUp.add(featureId);
        this.log(regression.message, agentId);
        this.emit({ type: 'error', agentId, message: regression.message });
      }
      finished = regression;
    }
    return finished;
  }

  /** Waits for running sessions to end (they were aborted on stop); releases what is left. */
  private async settle(): Promise<void> {
    if (this.lives.size === 0) return;
    for (const live of this.lives.values()) if (this.stopping) live.abort.abort();
    const all = Promise.all([...this.lives.values()].map((l) => l.promise));
    await Promise.race([all, new Promise((r) => setTimeout(r, 6000))]);
    const db = this.db;
    if (!db) return;
    for (const live of this.lives.values()) {
      if (live.featureId === null) continue;
      const featureId = live.featureId;
      try {
        if (live.role === 'coding')
          db.releaseClaim(featureId, live.owner, {
            countAttempt: false,
            error: null,
            maxAttempts: this.cfg.maxAttempts,
          });
        else db.releaseTesting(featureId, live.owner, Date.now(), false);
      } catch (error) {
        // A broken database keeps the claim; its lease expires and the next run releases it.
        if (dbTroubleOf(error) === null) throw error;
      }
    }
  }
}
