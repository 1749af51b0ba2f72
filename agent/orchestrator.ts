/**
 * The orchestrator: turns the spec into features (initializer), then keeps up to N coding
 * agents and, independently, R regression agents busy until the backlog is done.
 *
 * Differences from the reference that fix its listed bugs (spec §7):
 * - Claims are made here, atomically, before a session starts; sessions confirm them through
 *   their tools and may only change their own feature (7.3, 7.7, 7.8).
 * - Leases with heartbeats; a claim is released when its process is gone or its heartbeat is
 *   older than the lease, never while its owner lives (7.4, 7.6).
 * - Every session that ends without passing its feature counts an attempt; at the cap the
 *   feature is set aside for a human (7.5).
 * - Rate/usage limits hold every new session until the reset, read from structured SDK data (5, 7.13).
 * - A per-session wall-clock limit (7.18); one DB snapshot per loop, linear scheduling (7.11).
 * - Blocked work is reported with reasons and the run ends instead of idling forever (7.10); a
 *   run that ends with work left says so (phase `finished`), `complete` means every feature passes.
 * - Regression agents keep re-verifying passing features while coding goes on, without spinning
 *   or re-testing what was just tested (see `regressionQueue`); a feature whose regression
 *   sessions keep failing is not re-tested again in this run after `maxAttempts` (7.2, 7.5).
 * - A provider that refuses the credentials ends the run with one clear message instead of
 *   counting an attempt against every feature.
 */
import { existsSync } from 'node:fs';
import type {
  AgentEventInput,
  AgentRole,
  Progress,
  RunPhase,
  Usage,
} from '../contract/agent-events.ts';
import { analyzeGraph, compareBySchedule, type GraphAnalysis } from '../core/dependency-graph.ts';
import { asGraphNode, FeaturesDb, parsePyUtcTimestamp, type Feature } from '../core/features-db.ts';
import {
  featuresDbPath,
  findSpec,
  legacyFeatureListPath,
  specPath,
} from '../core/project-paths.ts';
import { drainFlagPath } from '../core/run-log.ts';
import { copyFileSync } from 'node:fs';
import {
  createFeatureServer,
  mcpToolName,
  toolNamesFor,
  type ToolContext,
} from './feature-tools.ts';
import type { AgentOutput } from './output.ts';
import { ownerId, ownerIsDead } from './process-group.ts';
import { codingPrompt, initializerPrompt, regressionPrompt, systemAppend } from './prompts.ts';
import {
  addUsage,
  emptyUsage,
  runSession,
  type SessionResult,
  type SessionSpec,
} from './session.ts';
import { stalledMessage, watchStall } from './stall-watchdog.ts';

export interface OrchestratorConfig {
  projectDir: string;
  model: string;
  yolo: boolean;
  concurrency: number;
  regressionAgents: number;
  runId: string;
  sessionTimeoutMs: number;
  maxAttempts: number;
  /** A claim without a heartbeat for this long is released (default 30 min). */
  leaseMs: number;
  heartbeatMs: number;
  /** First hold when a limit gives no reset time; doubles per consecutive hold, max 1 h. */
  rateLimitBackoffMs: number;
  /** A passing feature is not re-tested sooner than this after its last test (unless it changed). */
  retestIntervalMs: number;
  pollMs: number;
  claudePath: string | null;
  /** Environment for Claude Code (provider settings included). */
  sessionEnv: Record<string, string | undefined>;
  /** Start the Playwright MCP server for browser checks (not in YOLO mode). */
  browserMcp: boolean;
  /** A session with no tool call or progress this long is ended as stalled (0/absent: never). */
  stallKillMs?: number;
  /** Replaceable for tests of the loop itself; defaults to the real SDK session. */
  runSession?: (spec: SessionSpec) => Promise<SessionResult>;
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
}

const BUILTIN_TOOLS = ['Read', 'Write', 'Edit', 'Glob', 'Grep', 'Bash', 'WebFetch', 'TodoWrite'];
const PLAYWRIGHT_TOOLS = [
  'browser_navigate',
  'browser_navigate_back',
  'browser_snapshot',
  'browser_click',
  'browser_type',
  'browser_fill_form',
  'browser_select_option',
  'browser_hover',
  'browser_press_key',
  'browser_wait_for',
  'browser_take_screenshot',
  'browser_console_messages',
  'browser_network_requests',
  'browser_evaluate',
  'browser_handle_dialog',
  'browser_file_upload',
  'browser_resize',
  'browser_tabs',
  'browser_close',
].map((t) => `mcp__playwright__${t}`);

const MAX_TURNS: Record<AgentRole, number> = { initializer: 300, coding: 300, regression: 100 };

/** Exit code when the provider refused the credentials (the supervisor shows the run crashed). */
export const EXIT_AUTH_FAILED = 3;

export type RetestReason = 'never-tested' | 'changed' | 'routine';

/**
 * Why a passing feature is due for a regression test now, or null when it is not:
 * - `never-tested`: it has no test recorded at all;
 * - `changed`: it passed again, or a feature it depends on passed, after its last test;
 * - `routine`: nothing changed, but its last test is at least `minIntervalMs` old.
 */
export function retestReason(
  f: Feature,
  byId: ReadonlyMap<number, Feature>,
  now: number,
  minIntervalMs: number,
): RetestReason | null {
  const tested = parsePyUtcTimestamp(f.lastTestedAt);
  if (tested === null) return 'never-tested';
  if ((f.passedAt ?? 0) > tested) return 'changed';
  for (const d of f.dependencies) if ((byId.get(d)?.passedAt ?? 0) > tested) return 'changed';
  return now - tested >= minIntervalMs ? 'routine' : null;
}

/**
 * The regression agents' queue, first to test first. Regression agents keep re-verifying
 * passing features independently of coding, without wasting quota:
 * - never-tested features first, then those that changed since their last test (they or a
 *   dependency passed since), then routine re-tests, each group oldest `last_tested_at` first;
 * - a feature tested less than the minimum interval ago is not re-tested unless it changed;
 * - routine re-tests run only while coding work is active (`routine`), so a finished backlog
 *   ends by itself once every passing feature has been tested since it (and its dependencies)
 *   last passed;
 * - features held by anyone, waiting for a human, or given up on in this run are left out.
 */
export function regressionQueue(
  features: readonly Feature[],
  options: { now: number; minIntervalMs: number; routine: boolean; exclude: ReadonlySet<number> },
): { feature: Feature; reason: RetestReason }[] {
  const byId = new Map(features.map((f) => [f.id, f]));
  const rank: Record<RetestReason, number> = { 'never-tested': 0, changed: 1, routine: 2 };
  const due: { feature: Feature; reason: RetestReason; tested: number }[] = [];
  for (const f of features) {
    if (!f.passes || f.inProgress || f.testingInProgress || f.needsHumanInput) continue;
    if (options.exclude.has(f.id)) continue;
    const reason = retestReason(f, byId, options.now, options.minIntervalMs);
    if (reason === null || (reason === 'routine' && !options.routine)) continue;
    due.push({ feature: f, reason, tested: parsePyUtcTimestamp(f.lastTestedAt) ?? 0 });
  }
  due.sort(
    (a, b) => rank[a.reason] - rank[b.reason] || a.tested - b.tested || a.feature.id - b.feature.id,
  );
  return due.map(({ feature, reason }) => ({ feature, reason }));
}

export class Orchestrator {
  private readonly cfg: OrchestratorConfig;
  private readonly out: AgentOutput;
  private db: FeaturesDb | null = null;
  private readonly lives = new Map<string, Live>();
  private readonly resumed = new Set<number>();
  private phase: RunPhase | null = null;
  private phaseMessage = '';
  private stopping = false;
  private holdUntil: number | null = null;
  private consecutiveHolds = 0;
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

  constructor(cfg: OrchestratorConfig, out: AgentOutput) {
    this.cfg = cfg;
    this.out = out;
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
    try {
      this.db = FeaturesDb.open(featuresDbPath(projectDir));
    } catch (error) {
      return this.fail(
        `Could not open the features database: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const db = this.db;
    try {
      const imported = db.importLegacyJson(legacyFeatureListPath(projectDir));
      if (imported > 0) this.log(`Imported ${imported} features from feature_list.json.`);
      this.recoverAtStart();

      if (db.count() === 0) {
        const code = await this.initialize();
        if (code !== null) return code;
      }
      return await this.loop();
    } finally {
      await this.settle();
      this.db?.close();
      this.db = null;
    }
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
    let tries = 0;
    while (!this.stopping && db.count() === 0) {
      if (await this.waitWhileHeldOrDrained()) continue;
      if (this.stopping) break;
      tries++;
      this.setPhase('initializing', 'Turning the spec into features (initializer agent).');
      const live = this.startSession(
        'initializer',
        null,
        initializerPrompt({ yolo: this.cfg.yolo }),
      );
      await live.promise;
      if (this.authFailure) return this.failAuth();
      if (db.count() > 0) break;
      if (this.holdUntil !== null) continue; // rate limited: wait for the reset and try again
      if (this.stopping) break;
      if (tries >= 2)
        return this.fail(
          'The initializer did not create any features. Check the spec and the log, then start again.',
        );
    }
    if (this.stopping) return 0;
    this.log(`Initialization complete: ${db.count()} features.`);
    return null;
  }

  /** While drained or rate-limited, waits (one poll) and returns true; otherwise false. */
  private async waitWhileHeldOrDrained(): Promise<boolean> {
    if (this.stopping) return false;
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

  /** True while new sessions are held for a rate limit; emits the release when it ends. */
  private checkHold(): boolean {
    if (this.holdUntil === null) return false;
    if (Date.now() < this.holdUntil) return true;
    this.holdUntil = null;
    this.emit({
      type: 'rate-limit',
      state: 'release',
      until: null,
      message: 'The limit has reset; starting sessions again.',
    });
    this.setPhase('working', 'The limit has reset; starting sessions again.');
    return false;
  }

  private hold(result: SessionResult): void {
    const backoff = Math.min(this.cfg.rateLimitBackoffMs * 2 ** this.consecutiveHolds, 60 * 60_000);
    const until = Math.max(result.rateLimitUntil ?? Date.now() + backoff, Date.now() + 1000);
    this.consecutiveHolds++;
    if (this.holdUntil !== null && this.holdUntil >= until) return;
    this.holdUntil = until;
    const when = new Date(until).toISOString();
    const why = result.rateLimitUntil
      ? ` (from ${result.rateLimitSource ?? 'the reset time the provider gave'})`
      : ' (no reset time given; backing off)';
    const message = `Rate or usage limit reached. Holding new sessions until ${when}${why}.`;
    this.emit({ type: 'rate-limit', state: 'hold', until, message });
    this.setPhase('rate-limited', message);
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
    const db = this.db!;
    this.setPhase('working', 'Working through the backlog.');
    while (!this.stopping) {
      if (this.authFailure) return this.failAuth();
      const { features, graph } = this.snapshot();
      const progress = this.emitProgress(features, graph);
      this.maintainLeases();

      if (await this.waitWhileHeldOrDrained()) continue;
      if (this.stopping) break;
      if (this.phase !== 'working') this.setPhase('working', 'Working through the backlog.');

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
      onHumanInput: (f, request) => {
        this.emit({
          type: 'human-input',
          featureId: f.id,
          featureName: f.name,
          prompt: request.prompt,
        });
      },
      report: { regressionFound: false, skippedReason: null, humanInputRequested: false },
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
    };
    this.lives.set(agentId, live);
    this.emit({
      type: 'agent-started',
      agentId,
      role,
      featureId: feature?.id ?? null,
      featureName: feature?.name ?? null,
    });

    const tools = toolNamesFor(role).map(mcpToolName);
    const browser = this.cfg.browserMcp && !this.cfg.yolo && role !== 'initializer';
    const mcpServers: SessionSpec['mcpServers'] = { features: createFeatureServer(ctx) };
    if (browser)
      mcpServers.playwright = {
        type: 'stdio',
        command: 'npx',
        args: ['-y', '@playwright/mcp@latest', '--headless', '--isolated'],
      };
    const spec: SessionSpec = {
      role,
      prompt,
      systemAppend: systemAppend(role, this.cfg.yolo),
      model: this.cfg.model,
      cwd: this.cfg.projectDir,
      mcpServers,
      allowedTools: [...BUILTIN_TOOLS, ...tools, ...(browser ? PLAYWRIGHT_TOOLS : [])],
      builtinTools: BUILTIN_TOOLS,
      env: this.cfg.sessionEnv,
      claudePath: this.cfg.claudePath,
      maxTurns: MAX_TURNS[role],
      timeoutMs: this.cfg.sessionTimeoutMs,
      signal: abort.signal,
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
    };
    const run = this.cfg.runSession ?? runSession;
    const killAfterMs = this.cfg.stallKillMs ?? 0;
    const watchdog = watchStall({ killAfterMs, onStall: () => abort.abort() });
    live.promise = run(spec)
      .catch((error: unknown): SessionResult => ({
        end: 'error',
        sessionId: null,
        subtype: null,
        isError: true,
        message: error instanceof Error ? error.message : String(error),
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
        this.lives.delete(agentId);
        this.liveUsage.delete(agentId);
        this.wake();
      });
    return live;
  }

  /** Settles the feature first (DB), then reports; the live entry is removed after (7.6). */
  private onSessionEnd(live: Live, result: SessionResult): void {
    const db = this.db;
    const { agentId, role, featureId, owner, ctx } = live;
    this.liveUsage.delete(agentId);
    this.lastCostEmit.delete(agentId);
    if (result.usage) {
      this.runTotal = addUsage(this.runTotal, result.usage);
      this.emit({ type: 'cost', agentId, usage: result.usage, runTotal: this.totalWithLive() });
    }
    if (result.end === 'rate-limited') this.hold(result);
    else if (result.end === 'completed') this.consecutiveHolds = 0;
    if (result.end === 'auth-failed' && this.authFailure === null) {
      this.authFailure = result.message;
      // Every other session would be refused too: stop them without counting attempts.
      for (const other of this.lives.values()) if (other !== live) other.abort.abort();
      this.wake();
    }

    let outcome: Extract<AgentEventInput, { type: 'agent-finished' }>['outcome'];
    let message: string;
    const stoppedByUs = result.end === 'aborted';
    const noFault =
      stoppedByUs ||
      result.end === 'rate-limited' ||
      result.end === 'auth-failed' ||
      result.end === 'budget' ||
      this.authFailure !== null;

    if (role === 'initializer' || !db || featureId === null) {
      const n = db?.count() ?? 0;
      outcome = result.end === 'completed' ? (n > 0 ? 'done' : 'failed') : mapEnd(result.end);
      message = n > 0 ? `Created ${n} features.` : result.message;
    } else if (role === 'coding') {
      const f = db.get(featureId);
      if (f?.passes) {
        outcome = 'passed';
        message = `Feature #${featureId} passes.`;
        if (f.claimOwner === owner)
          db.releaseClaim(featureId, owner, {
            countAttempt: false,
            error: null,
            maxAttempts: this.cfg.maxAttempts,
          });
      } else {
        const countAttempt = !noFault && !ctx.report.humanInputRequested;
        const error = ctx.report.skippedReason
          ? `Skipped: ${ctx.report.skippedReason}`
          : ctx.report.humanInputRequested
            ? null
            : result.end === 'completed'
              ? `The session ended without marking the feature passing. ${result.message}`
              : result.message;
        const after = db.releaseClaim(featureId, owner, {
          countAttempt,
          error: noFault ? null : error,
          maxAttempts: this.cfg.maxAttempts,
        });
        outcome = result.end === 'completed' ? 'failed' : mapEnd(result.end);
        message = ctx.report.humanInputRequested
          ? `Feature #${featureId} is waiting for human input.`
          : noFault
            ? result.message
            : `Feature #${featureId} did not pass (attempt ${after?.attempts ?? '?'} of ${this.cfg.maxAttempts}): ${error ?? ''}`;
        if (after?.needsHumanInput && !ctx.report.humanInputRequested && countAttempt) {
          const prompt = after.humanInputRequest?.prompt ?? 'Stopped retrying this feature.';
          this.emit({ type: 'human-input', featureId, featureName: after.name, prompt });
          message = `Feature #${featureId} failed ${after.attempts} times; stopped retrying and set it aside for a human.`;
        }
        if (stoppedByUs) this.resumed.add(featureId);
      }
    } else {
      const f = db.get(featureId);
      const tested = result.end === 'completed';
      if (f && f.testingInProgress && f.testOwner === owner)
        db.releaseTesting(featureId, owner, Date.now(), tested);
      const after = db.get(featureId);
      if (tested) this.regressionFailures.delete(featureId);
      if (!tested && !ctx.report.regressionFound) {
        outcome = mapEnd(result.end);
        message = result.message;
        if ((result.end === 'error' || result.end === 'timeout') && !noFault) {
          const failures = (this.regressionFailures.get(featureId) ?? 0) + 1;
          this.regressionFailures.set(featureId, failures);
          message = `Regression test of feature #${featureId} did not finish (attempt ${failures} of ${this.cfg.maxAttempts}): ${result.message}`;
          if (failures >= this.cfg.maxAttempts) {
            this.retestGivenUp.add(featureId);
            const note = `Regression testing of feature #${featureId}${after ? ` "${after.name}"` : ''} failed ${failures} times in a row; it will not be re-tested again in this run. Last problem: ${result.message}`;
            this.log(note, agentId);
            this.emit({ type: 'error', agentId, message: note });
            message = note;
          }
        }
      } else if (ctx.report.regressionFound || !after?.passes) {
        outcome = 'regression';
        message = after?.passes
          ? `Feature #${featureId} had regressed and was fixed.`
          : `Feature #${featureId} regressed; it is back in the queue for a coding agent.`;
      } else {
        outcome = 'tested-ok';
        message = `Feature #${featureId} still passes.`;
      }
    }

    this.emit({
      type: 'agent-finished',
      agentId,
      role,
      featureId,
      sessionId: result.sessionId,
      outcome,
      message,
      usage: result.usage,
      turns: result.turns,
      end: result.end,
      subtype: result.subtype,
    });
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
      if (live.role === 'coding')
        db.releaseClaim(live.featureId, live.owner, {
          countAttempt: false,
          error: null,
          maxAttempts: this.cfg.maxAttempts,
        });
      else db.releaseTesting(live.featureId, live.owner, Date.now(), false);
    }
  }
}

function mapEnd(
  end: SessionResult['end'],
): 'error' | 'timeout' | 'aborted' | 'rate-limited' | 'failed' {
  switch (end) {
    case 'auth-failed':
      return 'error';
    case 'timeout':
      return 'timeout';
    case 'aborted':
      return 'aborted';
    case 'rate-limited':
      return 'rate-limited';
    case 'error':
      return 'error';
    default:
      return 'failed';
  }
}
