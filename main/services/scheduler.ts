/**
 * The scheduler: starts a project's agent when one of its windows opens, drains and stops it when
 * the window ends, retries after a crash inside the window, and says what it did.
 *
 * How it stays right:
 * - Level, not cron. Every evaluation asks "which merged window contains now?" for each project
 *   and compares it with the window episode it knew. A start, an end, a sleep through a boundary,
 *   a clock change, an edit or a deletion are all the same question asked again.
 * - One timer for everything (window boundaries, retry backoffs, end-of-grace stops), never
 *   longer than `maxSleepMs`. Each firing compares the time it expected with the clock; a
 *   difference means the wall clock jumped (sleep, manual change, NTP), and everything is
 *   re-planned. `replan()` does the same at once (powerMonitor resume).
 * - Everything is keyed by project id: two projects with equal schedule ids never meet.
 * - The scheduler stops only runs it started (origin `schedule`, or the run id it recorded).
 *   A manual start outside a window is never stopped by it; a manual stop inside a window holds
 *   until that window ends.
 * - Every schedule carries its own IANA zone, so a change of the machine's zone moves no window;
 *   but messages and labels use the machine's zone, so `onTick` (a ZoneWatcher check, once a
 *   minute at least, on this timer) re-plans and refreshes them when it changes.
 */
import {
  type AgentState,
  type Result,
  type RunOverrides,
  type Schedule,
  type ScheduleStatus,
  type Settings,
  type WindowInstance,
  err,
  isActiveStatus,
  isStoppableStatus,
  messageOf,
  ok,
  resolveRunSettings,
} from '../../contract/index.ts';
import { type WindowPlan, planAt } from '../../core/schedule-window.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { EventBus } from './event-bus.ts';
import type { AgentControl } from './supervisor-types.ts';

export interface SchedulerProject {
  id: string;
  name: string;
  overrides: RunOverrides;
  schedules: Schedule[];
}

export type SchedulerEventKind =
  | 'window-started'
  | 'window-ended'
  | 'window-skipped'
  | 'retry-scheduled'
  | 'retries-exhausted'
  | 'start-failed'
  | 'clock-changed';

/** Something the scheduler did or decided, in words, for notifications and the log. */
export interface SchedulerEvent {
  kind: SchedulerEventKind;
  /** Empty for machine-wide events (clock changes). */
  projectId: string;
  projectName: string;
  at: number;
  message: string;
  window?: WindowInstance;
}

/** What survives a restart of the app (overrides, skip, ownership), as plain JSON. */
export interface SchedulerSnapshot {
  version: 1;
  projects: Record<string, PersistedPlan>;
}

interface PersistedPlan {
  episode: Episode | null;
  skipNext: boolean;
  manualStopUntil: number | null;
  ownedRunId: string | null;
  crashRetries: number;
  gaveUp: boolean;
  ending: Ending | null;
}

export interface SchedulerMemory {
  load(): SchedulerSnapshot | null;
  save(snapshot: SchedulerSnapshot): void;
}

export interface SchedulerOptions {
  clock: Clock;
  agents: AgentControl;
  /** The registered projects with their schedules (read on every evaluation). */
  projects(): SchedulerProject[];
  settings(): Pick<Settings, 'defaults' | 'windowEndGraceMinutes'>;
  /** Emits `schedules.changed` when the status changes and re-plans on `projects.changed`. */
  bus?: EventBus;
  memory?: SchedulerMemory;
  onEvent?(event: SchedulerEvent): void;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
  /** Longest single sleep; bounds how late a clock jump is noticed. */
  maxSleepMs?: number;
  /** Backoff before each retry after a crash inside a window. */
  retryDelaysMs?: readonly number[];
  /** A run that lasted this long resets the crash counter. */
  lastingRunMs?: number;
  /** A timer firing this far from when it was due means the wall clock jumped. */
  jumpToleranceMs?: number;
  /** Formats an instant for messages (default: weekday and time in the machine's zone). */
  formatTime?(t: number): string;
  /** Runs on every firing of the one timer, before evaluation (e.g. a time-zone check). */
  onTick?(): void;
  /** Why a scheduled run may not start now (e.g. its budget is spent), or null to start it. */
  canStart?(projectId: string, now: number): string | null;
}

interface Episode {
  start: number;
  end: number;
  scheduleIds: string[];
  skipped: boolean;
  /** The window was not started because of this (a spent budget); it is skipped. */
  blockedBy?: string;
}

interface Ending {
  stopAt: number;
}

interface Plan {
  projectId: string;
  project: SchedulerProject | null;
  windows: WindowPlan;
  episode: Episode | null;
  skipNext: boolean;
  manualStopUntil: number | null;
  crashRetries: number;
  gaveUp: boolean;
  nextRetryAt: number | null;
  /** Our drain at a window's end is under way; the forced stop is due at stopAt. */
  ending: Ending | null;
  /** The agent should be started as soon as it is idle. */
  wantStart: 'window' | 'retry' | null;
  /** A new window opened while our drain was finishing: resume once it shows paused. */
  resumeWhenDrained: boolean;
  ownedRunId: string | null;
  seenRunId: string | null;
  runningSince: number | null;
  /** Scheduler-initiated stops or drains in flight (their state changes are not manual). */
  acting: number;
  /** The project is being removed: start nothing, and its stop is not a manual one. */
  removing: boolean;
}

const emptyPlan: WindowPlan = { active: null, next: null, nextBoundary: null, upcoming: [] };

export class Scheduler {
  private readonly options: SchedulerOptions;
  private readonly plans = new Map<string, Plan>();
  private readonly retryDelays: readonly number[];
  private readonly maxSleep: number;
  private readonly lastingRun: number;
  private readonly tolerance: number;
  private timer: TimerHandle | null = null;
  private timerExpectedAt = 0;
  private timerDueAt: number | null = null;
  private unsubscribers: (() => void)[] = [];
  private lastStatusJson = '';
  private lastSnapshotJson = '';
  private started = false;
  private evaluating = false;

  constructor(options: SchedulerOptions) {
    this.options = options;
    this.retryDelays = options.retryDelaysMs ?? [10_000, 30_000, 90_000];
    this.maxSleep = options.maxSleepMs ?? 60_000;
    this.lastingRun = options.lastingRunMs ?? 5 * 60_000;
    this.tolerance = options.jumpToleranceMs ?? 5_000;
  }

  /** Restores what survived a restart, starts agents whose window is open now, arms the timer. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.restore();
    this.unsubscribers.push(this.options.agents.onState((s, p) => this.onAgentState(s, p)));
    if (this.options.bus) {
      this.unsubscribers.push(this.options.bus.on('projects.changed', () => this.replan()));
    }
    this.evaluate(true);
  }

  /** Cancels the timer and listeners. Leaves agents as they are. */
  dispose(): void {
    this.started = false;
    this.timer?.cancel();
    this.timer = null;
    for (const u of this.unsubscribers.splice(0)) u();
  }

  /** Re-reads projects and schedules and re-plans from the clock (after edits, wake, resume). */
  replan(): void {
    if (this.started) this.evaluate(false);
  }

  status(): ScheduleStatus[] {
    return [...this.plans.values()].filter((p) => p.project).map((p) => this.statusOf(p));
  }

  statusOf(plan: Plan): ScheduleStatus {
    const e = plan.episode;
    return {
      projectId: plan.projectId,
      activeWindow: e ? { scheduleIds: [...e.scheduleIds], start: e.start, end: e.end } : null,
      nextWindow: plan.windows.next,
      skipNext: plan.skipNext,
      manualStopUntil: plan.manualStopUntil,
      crashRetries: plan.crashRetries,
      maxRetries: this.retryDelays.length,
      gaveUp: plan.gaveUp,
      nextRetryAt: plan.nextRetryAt,
      activeSkipped: e?.skipped ?? false,
      blockedReason: e?.blockedBy ?? null,
      stopAt: plan.ending?.stopAt ?? null,
      upcoming: plan.windows.upcoming.map((u) => ({ ...u })),
    };
  }

  projectStatus(projectId: string): ScheduleStatus | null {
    const plan = this.plans.get(projectId);
    return plan?.project ? this.statusOf(plan) : null;
  }

  /**
   * Skips (or un-skips) the next window of one project, or with no id of every project that has
   * an enabled schedule. A window already open is not affected.
   */
  skipNext(projectId: string | undefined, skip: boolean): Result<ScheduleStatus[]> {
    this.evaluate(false);
    if (projectId !== undefined) {
      const plan = this.plans.get(projectId);
      if (!plan?.project) return err('not-found', 'That project is not registered.');
      if (skip && !plan.windows.next) {
        return err('conflict', `${plan.project.name} has no upcoming window to skip.`);
      }
      plan.skipNext = skip;
    } else {
      for (const plan of this.plans.values()) {
        if (!plan.project) continue;
        plan.skipNext = skip && plan.windows.next !== null;
      }
    }
    this.log(
      'info',
      `${skip ? 'Skipping' : 'No longer skipping'} the next window of ${projectId ? this.nameOf(projectId) : 'every project'}.`,
    );
    this.publish();
    return ok(this.status());
  }

  /**
   * Tells the scheduler the user stopped the agent by hand (call from the agent.stop and
   * agent.stopAll handlers, whatever the supervisor answered: a stop during a crash backoff
   * must cancel the retry). Stops it observes through the supervisor are noticed anyway.
   */
  noteManualStop(projectId: string): void {
    const plan = this.plans.get(projectId);
    if (!plan) return;
    dropPendingActions(plan);
    if (plan.episode && !plan.episode.skipped) {
      plan.manualStopUntil = plan.episode.end;
      this.log(
        'info',
        `${this.nameOf(projectId)}: stopped by hand; the schedule keeps it stopped until ${this.when(plan.episode.end)}.`,
      );
    }
    this.publish();
    this.arm();
  }

  /**
   * Before its project is removed: whether the project's active run is one its schedule started
   * (so the removal may stop it). If so, nothing is started for the project from now on, and the
   * coming stop is not taken for a manual one; `cancelRemoval` undoes this if the removal fails.
   */
  holdForRemoval(projectId: string): boolean {
    const plan = this.plans.get(projectId);
    const st = this.options.agents.state(projectId);
    if (!plan || !this.owns(plan, st) || !isActiveStatus(st.status)) return false;
    plan.removing = true;
    dropPendingActions(plan);
    this.publish();
    this.arm();
    return true;
  }

  cancelRemoval(projectId: string): void {
    const plan = this.plans.get(projectId);
    if (!plan?.removing) return;
    plan.removing = false;
    this.replan();
  }

  /** Tells the scheduler the user started the agent by hand (also noticed through the supervisor). */
  noteManualStart(projectId: string): void {
    const plan = this.plans.get(projectId);
    if (!plan) return;
    dropPendingActions(plan);
    plan.manualStopUntil = null;
    this.publish();
    this.arm();
  }

  // ── evaluation ─────────────────────────────────────────────────────────────────────────────

  private evaluate(startup: boolean): void {
    if (this.evaluating) return;
    this.evaluating = true;
    try {
      const now = this.options.clock.now();
      const projects = this.options.projects();
      const seen = new Set<string>();
      for (const project of projects) {
        seen.add(project.id);
        let plan = this.plans.get(project.id);
        if (!plan) this.plans.set(project.id, (plan = newPlan(project.id)));
        plan.project = project;
        this.evaluateProject(plan, now, startup);
      }
      for (const plan of [...this.plans.values()]) {
        if (!seen.has(plan.projectId)) this.forget(plan);
      }
    } finally {
      this.evaluating = false;
    }
    this.publish();
    this.arm();
  }

  private evaluateProject(plan: Plan, now: number, startup: boolean): void {
    const project = plan.project;
    if (!project) return;
    try {
      plan.windows = planAt(project.schedules, now);
    } catch (error) {
      this.log('error', `${project.name}: its schedules could not be planned: ${messageOf(error)}`);
      plan.windows = emptyPlan;
    }
    const active = plan.windows.active;
    const ep = plan.episode;
    if (ep) {
      // The same episode goes on while the union of windows still reaches now.
      if (active && active.start < ep.end && active.end > ep.start) {
        ep.start = Math.min(ep.start, active.start);
        ep.end = active.end;
        for (const id of active.scheduleIds)
          if (!ep.scheduleIds.includes(id)) ep.scheduleIds.push(id);
      } else {
        this.endEpisode(plan, now, now >= ep.end);
      }
    }
    if (!plan.episode && active) {
      this.beginEpisode(plan, active, now, startup);
    } else if (plan.episode && startup && this.mayRun(plan, now)) {
      // App start inside a window that was already open before: make sure the agent runs.
      plan.wantStart = 'window';
    }
    if (plan.manualStopUntil !== null && now >= plan.manualStopUntil) plan.manualStopUntil = null;
    if (plan.nextRetryAt !== null && now >= plan.nextRetryAt) {
      plan.nextRetryAt = null;
      if (plan.episode && this.mayRun(plan, now)) plan.wantStart = 'retry';
    }
    if (plan.ending && now >= plan.ending.stopAt) {
      plan.ending = null;
      this.stopOwned(plan, 'the grace period after the window ended is over');
    }
    this.act(plan);
  }

  private mayRun(plan: Plan, now: number): boolean {
    const ep = plan.episode;
    if (!ep || ep.skipped || plan.gaveUp || plan.removing) return false;
    return plan.manualStopUntil === null || now >= plan.manualStopUntil;
  }

  private beginEpisode(plan: Plan, active: WindowInstance, now: number, startup: boolean): void {
    const name = this.nameOf(plan.projectId);
    const episode: Episode = {
      start: active.start,
      end: active.end,
      scheduleIds: [...active.scheduleIds],
      skipped: false,
    };
    plan.episode = episode;
    plan.crashRetries = 0;
    plan.gaveUp = false;
    plan.nextRetryAt = null;
    plan.manualStopUntil = null;
    if (plan.ending) {
      // The previous window's drain is still going: keep the run for this window instead.
      plan.ending = null;
      const st = this.options.agents.state(plan.projectId);
      if (this.owns(plan, st)) {
        if (st.status === 'paused' && st.pauseKind === 'drained') this.resumeRun(plan);
        else if (st.status === 'draining') plan.resumeWhenDrained = true;
      }
    }
    if (plan.skipNext) {
      plan.skipNext = false;
      episode.skipped = true;
      this.event(
        plan,
        'window-skipped',
        now,
        `${name}: a scheduled window opened and was skipped, as asked. It ends at ${this.when(active.end)}.`,
        active,
      );
      return;
    }
    plan.wantStart = 'window';
    this.log(
      'info',
      `${name}: window open${startup ? ' (found at app start)' : ''} until ${this.when(active.end)}.`,
    );
  }

  private endEpisode(plan: Plan, now: number, natural: boolean): void {
    const ep = plan.episode;
    if (!ep) return;
    plan.episode = null;
    plan.wantStart = null;
    plan.nextRetryAt = null;
    plan.manualStopUntil = null;
    plan.gaveUp = false;
    plan.crashRetries = 0;
    plan.resumeWhenDrained = false;
    const name = this.nameOf(plan.projectId);
    const window: WindowInstance = { scheduleIds: ep.scheduleIds, start: ep.start, end: ep.end };
    const st = this.options.agents.state(plan.projectId);
    const owned = this.owns(plan, st) && isStoppableStatus(st.status);
    const graceMs = Math.max(0, this.options.settings().windowEndGraceMinutes) * 60_000;
    if (!natural) {
      if (owned) this.stopRun(plan, 'its schedule no longer covers this time');
      this.log(
        'info',
        `${name}: the window no longer applies (schedule changed or removed)${owned ? '; its run was stopped' : ''}.`,
      );
      return;
    }
    let what: string;
    if (!owned) {
      what = isActiveStatus(st.status)
        ? 'The agent was started by hand, so it keeps running.'
        : 'The agent was not running.';
    } else if (graceMs === 0 || st.status === 'paused' || st.status === 'starting') {
      this.stopRun(plan, 'the window ended');
      what = 'The agent was stopped.';
    } else {
      plan.ending = { stopAt: now + graceMs };
      if (st.status === 'running') this.drainRun(plan);
      what = `The agent is finishing current work and will be stopped by ${this.when(now + graceMs)} at the latest.`;
    }
    if (!ep.skipped)
      this.event(plan, 'window-ended', now, `${name}: the scheduled window ended. ${what}`, window);
  }

  /** Starts, resumes or leaves the agent as the plan wants. */
  private act(plan: Plan): void {
    if (!plan.wantStart || plan.removing) return;
    const st = this.options.agents.state(plan.projectId);
    const why = plan.wantStart;
    if (!isActiveStatus(st.status)) {
      plan.wantStart = null;
      this.startRun(plan, why);
    } else if (st.status !== 'stopping') {
      plan.wantStart = null;
      if (why === 'window' && this.owns(plan, st)) {
        // Its own run, e.g. adopted after a restart inside the window: nothing new to tell.
        const ep = plan.episode;
        this.log(
          'info',
          `${this.nameOf(plan.projectId)}: the run its schedule started is still ${st.status}${st.adopted ? ' (adopted after a restart)' : ''}; the schedule keeps it${ep ? ` until ${this.when(ep.end)}` : ''}.`,
        );
      } else if (why === 'window') {
        const name = this.nameOf(plan.projectId);
        const ep = plan.episode;
        this.event(
          plan,
          'window-started',
          this.options.clock.now(),
          `${name}: a scheduled window opened; the agent was already ${st.status}, so it was left as it is.`,
          ep ? episodeWindow(ep) : undefined,
        );
      }
    }
    // While stopping, wantStart stays and the idle state change brings us back here.
  }

  private startRun(plan: Plan, why: 'window' | 'retry'): void {
    const project = plan.project;
    const ep = plan.episode;
    if (!project || !ep) return;
    const schedule = ep.scheduleIds
      .map((id) => project.schedules.find((s) => s.id === id))
      .find((s) => s !== undefined);
    const settings = resolveRunSettings(
      this.options.settings().defaults,
      project.overrides,
      schedule?.run,
    );
    const now = this.options.clock.now();
    const refusal = this.options.canStart?.(plan.projectId, now) ?? null;
    if (refusal) {
      // Skipped for the rest of this window: no retries against a spent budget.
      ep.skipped = true;
      ep.blockedBy = refusal;
      this.event(
        plan,
        'window-skipped',
        now,
        `${project.name}: the scheduled window was not started. ${refusal}`,
        episodeWindow(ep),
      );
      this.publish();
      return;
    }
    if (why === 'window') {
      this.event(
        plan,
        'window-started',
        now,
        `${project.name}: a scheduled window opened; starting the agent until ${this.when(ep.end)}.`,
        episodeWindow(ep),
      );
    } else {
      this.log(
        'info',
        `${project.name}: retry ${plan.crashRetries} of ${this.retryDelays.length} after a crash.`,
      );
    }
    plan.acting++;
    this.options.agents.start(plan.projectId, { settings, origin: 'schedule' }).then(
      (r) => {
        plan.acting--;
        if (r.ok) {
          if (r.value.runId) plan.ownedRunId = r.value.runId;
          this.publish();
        } else {
          this.startFailed(plan, r.error.message);
        }
      },
      (error: unknown) => {
        plan.acting--;
        this.startFailed(plan, messageOf(error));
      },
    );
  }

  private startFailed(plan: Plan, message: string): void {
    const now = this.options.clock.now();
    this.event(
      plan,
      'start-failed',
      now,
      `${this.nameOf(plan.projectId)}: the scheduled start failed: ${message}`,
    );
    this.countFailure(plan, now);
    this.publish();
    this.arm();
  }

  private resumeRun(plan: Plan): void {
    plan.acting++;
    void this.options.agents.resume(plan.projectId).finally(() => plan.acting--);
  }

  private drainRun(plan: Plan): void {
    plan.acting++;
    void this.options.agents.drain(plan.projectId).then((r) => {
      plan.acting--;
      // Could not drain (it was not running any more): stop it outright if it is still ours.
      if (!r.ok && plan.ending) {
        plan.ending = null;
        this.stopOwned(plan, 'it could not be drained');
        this.publish();
        this.arm();
      }
    });
  }

  private stopRun(plan: Plan, why: string): void {
    this.log('info', `${this.nameOf(plan.projectId)}: stopping the scheduled run: ${why}.`);
    plan.acting++;
    void this.options.agents.stop(plan.projectId).finally(() => plan.acting--);
  }

  private stopOwned(plan: Plan, why: string): void {
    const st = this.options.agents.state(plan.projectId);
    if (this.owns(plan, st) && isStoppableStatus(st.status)) this.stopRun(plan, why);
  }

  private owns(plan: Plan, st: AgentState): boolean {
    if (st.runId === null) return false;
    return st.origin === 'schedule' || st.runId === plan.ownedRunId;
  }

  /** A crash or failed start inside a window: schedule a retry, or give up for this window. */
  private countFailure(plan: Plan, now: number): void {
    if (!plan.episode || !this.mayRun(plan, now)) return;
    const name = this.nameOf(plan.projectId);
    if (plan.crashRetries >= this.retryDelays.length) {
      plan.gaveUp = true;
      plan.nextRetryAt = null;
      plan.wantStart = null;
      this.event(
        plan,
        'retries-exhausted',
        now,
        `${name}: the agent failed ${plan.crashRetries + 1} times in this window; Nightshift stopped retrying until the next window.`,
        episodeWindow(plan.episode),
      );
      return;
    }
    const delay = this.retryDelays[plan.crashRetries] ?? 0;
    plan.crashRetries++;
    plan.nextRetryAt = now + delay;
    this.event(
      plan,
      'retry-scheduled',
      now,
      `${name}: retrying in ${Math.round(delay / 1000)} s (attempt ${plan.crashRetries} of ${this.retryDelays.length}).`,
    );
  }

  private onAgentState(state: AgentState, previous: AgentState): void {
    const plan = this.plans.get(state.projectId);
    if (!plan) return;
    const now = this.options.clock.now();
    if (state.runId && state.runId !== plan.seenRunId) {
      plan.seenRunId = state.runId;
      plan.runningSince = now;
    }
    if (state.origin === 'schedule' && state.runId) plan.ownedRunId = state.runId;
    const changed = state.status !== previous.status;
    if (changed && plan.acting === 0 && !plan.removing) {
      if (state.status === 'stopping') this.noteManualStop(plan.projectId);
      else if (state.status === 'starting' && state.origin === 'manual')
        this.noteManualStart(plan.projectId);
    }
    if (changed && state.status === 'crashed') {
      if (plan.ending) {
        plan.ending = null;
      } else {
        const lasted = plan.runningSince !== null && now - plan.runningSince >= this.lastingRun;
        if (lasted) plan.crashRetries = 0;
        this.countFailure(plan, now);
      }
    }
    if (changed && !isActiveStatus(state.status)) {
      plan.ending = null;
      plan.resumeWhenDrained = false;
      plan.runningSince = null;
    }
    if (changed && state.status === 'paused' && state.pauseKind === 'drained') {
      if (plan.resumeWhenDrained) {
        plan.resumeWhenDrained = false;
        this.resumeRun(plan);
      } else if (plan.ending) {
        // Our drain finished before the grace period: nothing left to wait for.
        plan.ending = null;
        this.stopOwned(plan, 'it finished its current work after the window ended');
      }
    }
    if (changed && !isActiveStatus(state.status) && plan.wantStart) this.act(plan);
    this.publish();
    this.arm();
  }

  private forget(plan: Plan): void {
    const st = this.options.agents.state(plan.projectId);
    if (this.owns(plan, st) && isStoppableStatus(st.status)) {
      this.stopRun(plan, 'its project was removed');
    }
    this.plans.delete(plan.projectId);
  }

  // ── the one timer ──────────────────────────────────────────────────────────────────────────

  private arm(): void {
    if (!this.started) return;
    const now = this.options.clock.now();
    let due: number | null = null;
    const consider = (t: number | null) => {
      if (t !== null && (due === null || t < due)) due = t;
    };
    for (const plan of this.plans.values()) {
      consider(plan.windows.nextBoundary);
      consider(plan.nextRetryAt);
      consider(plan.ending?.stopAt ?? null);
      if (plan.manualStopUntil !== null) consider(plan.manualStopUntil);
    }
    this.timerDueAt = due;
    const wait =
      due === null ? this.maxSleep : Math.min(Math.max(0, (due as number) - now), this.maxSleep);
    this.timer?.cancel();
    this.timerExpectedAt = now + wait;
    this.timer = this.options.clock.setTimer(wait, () => this.onTimer());
  }

  private onTimer(): void {
    this.timer = null;
    try {
      this.options.onTick?.();
    } catch (error) {
      this.log('error', `A scheduler tick listener failed: ${messageOf(error)}`);
    }
    // A tick that re-planned (a time-zone change) has evaluated and re-armed already.
    if (!this.started || this.timer) return;
    const now = this.options.clock.now();
    const drift = now - this.timerExpectedAt;
    if (Math.abs(drift) > this.tolerance) {
      this.log(
        'warn',
        `The clock moved by ${Math.round(drift / 1000)} s (sleep or a clock change); re-planning.`,
      );
      this.options.onEvent?.({
        kind: 'clock-changed',
        projectId: '',
        projectName: '',
        at: now,
        message: `The clock moved by ${Math.round(drift / 1000)} s; schedules were re-planned.`,
      });
      this.evaluate(false);
    } else if (this.timerDueAt !== null && now >= this.timerDueAt) {
      this.evaluate(false);
    } else {
      this.arm();
    }
  }

  // ── status, events, memory ─────────────────────────────────────────────────────────────────

  private publish(): void {
    const statuses = this.status();
    const json = JSON.stringify(statuses);
    if (json !== this.lastStatusJson) {
      this.lastStatusJson = json;
      this.options.bus?.emit('schedules.changed', statuses);
    }
    this.persist();
  }

  private persist(): void {
    if (!this.options.memory) return;
    const snapshot: SchedulerSnapshot = { version: 1, projects: {} };
    for (const p of this.plans.values()) {
      snapshot.projects[p.projectId] = {
        episode: p.episode,
        skipNext: p.skipNext,
        manualStopUntil: p.manualStopUntil,
        ownedRunId: p.ownedRunId,
        crashRetries: p.crashRetries,
        gaveUp: p.gaveUp,
        ending: p.ending,
      };
    }
    const json = JSON.stringify(snapshot);
    if (json === this.lastSnapshotJson) return;
    this.lastSnapshotJson = json;
    try {
      this.options.memory.save(snapshot);
    } catch (error) {
      this.log('error', `Could not save the scheduler state: ${messageOf(error)}`);
    }
  }

  private restore(): void {
    let snapshot: SchedulerSnapshot | null = null;
    try {
      snapshot = this.options.memory?.load() ?? null;
    } catch (error) {
      this.log(
        'warn',
        `The saved scheduler state could not be read; starting fresh: ${messageOf(error)}`,
      );
    }
    if (snapshot?.version !== 1) return;
    for (const [id, saved] of Object.entries(snapshot.projects)) {
      const plan = newPlan(id);
      plan.episode = saved.episode
        ? { ...saved.episode, scheduleIds: [...saved.episode.scheduleIds] }
        : null;
      plan.skipNext = saved.skipNext === true;
      plan.manualStopUntil = saved.manualStopUntil ?? null;
      plan.ownedRunId = saved.ownedRunId ?? null;
      plan.crashRetries = saved.crashRetries ?? 0;
      plan.gaveUp = saved.gaveUp === true;
      plan.ending = saved.ending ?? null;
      this.plans.set(id, plan);
    }
    this.lastSnapshotJson = JSON.stringify(snapshot);
  }

  private event(
    plan: Plan,
    kind: SchedulerEventKind,
    at: number,
    message: string,
    window?: WindowInstance,
  ): void {
    this.log(kind === 'retries-exhausted' || kind === 'start-failed' ? 'warn' : 'info', message);
    const e: SchedulerEvent = {
      kind,
      projectId: plan.projectId,
      projectName: this.nameOf(plan.projectId),
      at,
      message,
    };
    if (window) e.window = window;
    try {
      this.options.onEvent?.(e);
    } catch (error) {
      this.log('error', `A scheduler event listener failed: ${messageOf(error)}`);
    }
  }

  private nameOf(projectId: string): string {
    return this.plans.get(projectId)?.project?.name ?? projectId;
  }

  private when(t: number): string {
    return (this.options.formatTime ?? formatWhen)(t);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }
}

/**
 * Forgets what the scheduler was about to do for the project (a start, a crash retry, the
 * forced stop after its drain, a resume once drained): a person or a removal overrides it.
 */
function dropPendingActions(plan: Plan): void {
  plan.wantStart = null;
  plan.nextRetryAt = null;
  plan.ending = null;
  plan.resumeWhenDrained = false;
}

function newPlan(projectId: string): Plan {
  return {
    projectId,
    project: null,
    windows: emptyPlan,
    episode: null,
    skipNext: false,
    manualStopUntil: null,
    crashRetries: 0,
    gaveUp: false,
    nextRetryAt: null,
    ending: null,
    wantStart: null,
    resumeWhenDrained: false,
    ownedRunId: null,
    seenRunId: null,
    runningSince: null,
    acting: 0,
    removing: false,
  };
}

function episodeWindow(ep: Episode): WindowInstance {
  return { scheduleIds: [...ep.scheduleIds], start: ep.start, end: ep.end };
}

/** "Tue 06:00" in the machine's zone and locale. */
export function formatWhen(t: number): string {
  return new Date(t).toLocaleString(undefined, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/**
 * Whether the machine should be kept from sleeping: a scheduled window is open (and not
 * skipped) for some project, or a window just ended and its run is still being drained.
 */
export function shouldKeepAwake(statuses: readonly ScheduleStatus[]): boolean {
  return statuses.some(
    (s) =>
      (s.activeWindow !== null && !s.activeSkipped) ||
      (s.stopAt !== null && s.stopAt !== undefined),
  );
}
