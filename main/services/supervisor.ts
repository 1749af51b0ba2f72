/**
 * AgentSupervisor: the run state machine, one agent run per project.
 *
 * Lifecycle: lock → spawn (through the ProcessBackend: own process group, stdin closed,
 * cwd = project) → record pid in the lock → stream output (RunOutput: redacted, ring-buffered,
 * batched; and appended to the run log). Pause freezes the whole tree; drain asks the agent to
 * finish current work via a flag file; stop is SIGTERM (+SIGCONT if frozen), a grace period
 * measured on the injected Clock, then SIGKILL and a sweep of every process of the run. A live
 * agent found through its lock after a restart is adopted: shown, paused, resumed and stopped
 * like our own, its output followed in its run log.
 *
 * Invariants: actions on one project run one at a time (a stop cannot interleave with a start);
 * every state change goes through setState (listeners see each transition once); time comes
 * only from the Clock and processes only from the ProcessBackend.
 */
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  type AgentEvent,
  type AgentState,
  type LogLine,
  type Result,
  type RunOrigin,
  type RunPhase,
  type RunSettings,
  err,
  isActiveStatus,
  messageOf,
  ok,
  parseAgentEventLine,
  stoppedAgentState,
} from '../../contract/index.ts';
import { credentialsRefusedMessage } from '../../contract/containment.ts';
import {
  clearLock,
  createLockExclusive,
  foreignAgentLock,
  inspectLock,
  type LockRecord,
  readLock,
  releaseLock,
  removeStaleLock,
  unconfirmedLockMessage,
  updateLock,
} from '../../core/agent-lock.ts';
import { agentEnv, launchArgs, type LaunchMode } from '../../core/launch-protocol.ts';
import { processStartToken } from '../../core/process-table.ts';
import { drainFlagPath, formatRunLogRecord, runLogPath, runsDir } from '../../core/run-log.ts';
import { type Clock, systemClock } from './clock.ts';
import type { Diagnostics } from './diagnostics.ts';
import { LineSplitter } from './line-splitter.ts';
import type { AgentChild, ExitStatus, ProcessBackend } from './process-backend.ts';
import { PosixProcessBackend } from './posix-backend.ts';
import {
  RunLogFollower,
  isCleanEnd,
  lastRunPhase,
  readRunLogTail,
  runLogSize,
} from './run-log-reader.ts';
import { RunOutput } from './run-output.ts';
import type { AgentControl, StartOptions } from './supervisor-types.ts';
import { WindowsProcessBackend } from './windows-backend.ts';
import { notRegistered } from './not-registered.ts';

export interface SupervisedProject {
  id: string;
  name: string;
  path: string;
}

export interface SupervisorOptions {
  lookup(projectId: string): SupervisedProject | null;
  /** The agent program; the launch flags are appended. */
  agentCommand(): { command: string; args: string[] };
  /** Extra environment for the agent (provider credentials, limits, the project's containment). */
  agentEnv(project: SupervisedProject): Record<string, string>;
  /** Secret values to scrub from output beyond the pattern rules. */
  secrets(): string[];
  diagnostics: Diagnostics;
  /**
   * What the agent program needs before it can start in a project (e.g. a spec): null when it
   * can, else the sentence to answer with. Nothing is locked or spawned when it refuses.
   */
  preflight?(projectDir: string): string | null;
  /** The operating system's processes (default: this platform's backend). */
  backend?: ProcessBackend;
  clock?: Clock;
  stopGraceMs?: number;
  ringSize?: number;
  flushMs?: number;
}

export function osProcessBackend(): ProcessBackend {
  return process.platform === 'win32' ? new WindowsProcessBackend() : new PosixProcessBackend();
}

const ACTIVE = { has: isActiveStatus };

/** How long what is left of a run that ended by itself gets between SIGTERM and SIGKILL. */
const LEFTOVER_GRACE_MS = 2_000;

interface Run {
  runId: string;
  project: SupervisedProject;
  lock: LockRecord;
  child: AgentChild | null;
  pid: number;
  /** Resolves when the agent process has exited (own child) or vanished (adopted). */
  exited: Promise<ExitStatus>;
  /** Resolves once the exit has been fully handled (lock released, state set). */
  done: Promise<void>;
  logStream: WriteStream | null;
  stopRequested: boolean;
  /** Why it was stopped, when not by hand (a budget): the panel's sentence. */
  stopReason?: string;
  /** Status to return to when a frozen pause is resumed. */
  beforeFreeze: 'running' | 'draining' | null;
  /** The last run-state phase the agent announced (from its output or its run log). */
  lastPhase: RunPhase | null;
  follower: RunLogFollower | null;
}

interface ProjectSlot {
  state: AgentState;
  run: Run | null;
  /** Serialises actions so a stop cannot interleave with a start. */
  queue: Promise<unknown>;
  /** Typed events read back from an adopted run's log (to rebuild the live view). */
  replayed: AgentEvent[];
}

type StateListener = (state: AgentState, previous: AgentState) => void;

export class AgentSupervisor implements AgentControl {
  private readonly slots = new Map<string, ProjectSlot>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly eventListeners = new Set<(projectId: string, event: AgentEvent) => void>();
  private readonly opts: SupervisorOptions;
  private readonly backend: ProcessBackend;
  private readonly clock: Clock;
  private readonly stopGraceMs: number;
  private readonly ringSize: number;
  private readonly output: RunOutput;
  private readonly ownStart = processStartToken(process.pid);
  private shuttingDown = false;

  constructor(options: SupervisorOptions) {
    this.opts = options;
    this.backend = options.backend ?? osProcessBackend();
    this.clock = options.clock ?? systemClock;
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    this.ringSize = options.ringSize ?? 5_000;
    this.output = new RunOutput({
      clock: this.clock,
      secrets: () => this.opts.secrets(),
      ringSize: this.ringSize,
      flushMs: options.flushMs ?? 50,
    });
  }

  // ── queries ──────────────────────────────────────────────────────────────────────────────

  state(projectId: string): AgentState {
    return this.slot(projectId).state;
  }

  states(): AgentState[] {
    return [...this.slots.values()].map((s) => s.state);
  }

  logs(projectId: string, limit = this.ringSize): LogLine[] {
    return this.output.logs(projectId, limit);
  }

  isActive(projectId: string): boolean {
    return ACTIVE.has(this.slot(projectId).state.status);
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onAgentEvent(listener: (projectId: string, event: AgentEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onLog(listener: (projectId: string, lines: LogLine[]) => void): () => void {
    return this.output.onLog(listener);
  }

  /** Events read back from the run log when a live agent was adopted (oldest first). */
  replayedEvents(projectId: string): AgentEvent[] {
    return this.slot(projectId).replayed;
  }

  // ── actions ──────────────────────────────────────────────────────────────────────────────

  start(projectId: string, options: StartOptions): Promise<Result<AgentState>> {
    return this.serial(projectId, () =>
      this.doStart(projectId, options.settings, options.origin, options.mode ?? 'run'),
    );
  }

  stop(projectId: string, reason?: string): Promise<Result<AgentState>> {
    return this.serial(projectId, () => this.doStop(projectId, reason));
  }

  pause(projectId: string): Promise<Result<AgentState>> {
    return this.serial(projectId, async () => {
      const slot = this.slot(projectId);
      const { status } = slot.state;
      if (!slot.run || (status !== 'running' && status !== 'draining')) {
        return err(
          'not-running',
          `The agent of ${this.name(projectId)} is not running, so there is nothing to pause.`,
        );
      }
      if (!this.backend.canFreeze) return this.doDrain(projectId);
      const run = slot.run;
      this.backend.freeze(run);
      run.beforeFreeze = status;
      this.setState(projectId, {
        status: 'paused',
        pauseKind: 'frozen',
        message:
          'Paused: every process of the agent is frozen. Resume continues exactly where it stopped.',
      });
      return ok(slot.state);
    });
  }

  resume(projectId: string): Promise<Result<AgentState>> {
    return this.serial(projectId, async () => {
      const slot = this.slot(projectId);
      const run = slot.run;
      if (!run || slot.state.status !== 'paused') {
        return err('not-running', `The agent of ${this.name(projectId)} is not paused.`);
      }
      if (slot.state.pauseKind === 'frozen') {
        this.backend.thaw(run);
        const back = run.beforeFreeze ?? 'running';
        run.beforeFreeze = null;
        if (back === 'draining' && run.lastPhase === 'drained') {
          // It finished its work before the freeze (the agent announces that only once).
          this.setState(projectId, drainedPatch);
        } else {
          this.setState(projectId, {
            status: back,
            pauseKind: null,
            message: back === 'draining' ? 'Resumed; still finishing current work.' : 'Resumed.',
          });
        }
      } else {
        rmSync(drainFlagPath(run.project.path), { force: true });
        this.setState(projectId, {
          status: 'running',
          pauseKind: null,
          message: 'Resumed: the agent takes on new work again.',
        });
      }
      return ok(slot.state);
    });
  }

  drain(projectId: string): Promise<Result<AgentState>> {
    return this.serial(projectId, () => this.doDrain(projectId));
  }

  /**
   * Called when the app quits. `stop-agents` stops every run; `leave-running` lets the agents
   * keep working (they switch their output to the run log once our pipe closes) for the next
   * launch to adopt.
   */
  async shutdown(mode: 'stop-agents' | 'leave-running'): Promise<void> {
    this.shuttingDown = true;
    const ids = [...this.slots.keys()].filter((id) => this.slots.get(id)?.run);
    if (mode === 'stop-agents') {
      await Promise.all(ids.map((id) => this.stop(id)));
    } else {
      const closing: Promise<void>[] = [];
      for (const id of ids) {
        const run = this.slot(id).run;
        if (!run) continue;
        this.output.flush(id);
        run.child?.detach();
        run.follower?.stop();
        // Written out before we return: the next launch reads how far the run got from it.
        closing.push(endStream(run.logStream));
        this.opts.diagnostics.log(
          'info',
          `Left the agent of ${run.project.name} running (pid ${run.pid}) for the next launch.`,
        );
      }
      await Promise.all(closing);
    }
    this.output.dispose();
  }

  /**
   * Looks for live agents left by an earlier session (their lock names a live pid with the same
   * start time and command) and adopts them; clears stale locks.
   */
  adoptExisting(projects: SupervisedProject[]): void {
    for (const project of projects) {
      if (!existsSync(project.path)) continue;
      const found = inspectLock(project.path, this.backend);
      // Only if it was still stale when cleared: otherwise it is now another app's fresh lock.
      if (found.kind === 'stale' && removeStaleLock(project.path, this.backend)) {
        rmSync(drainFlagPath(project.path), { force: true });
        this.opts.diagnostics.log(
          'info',
          `Removed a stale agent lock in ${project.path}: ${found.reason}.`,
        );
      } else if (found.kind === 'live-agent' && !this.slot(project.id).run) {
        this.adopt(project, found.lock);
      } else if (found.kind === 'unconfirmed' && !this.slot(project.id).run) {
        this.reportUnconfirmed(project, found.reason);
      }
    }
  }

  /**
   * The user's "clear the lock" for a lock naming a process the OS does not confirm as the
   * project's agent (or a stale one). Signals nothing; refuses while a confirmed agent runs.
   */
  clearLock(projectId: string): Promise<Result<AgentState>> {
    return this.serial(projectId, async () => {
      const project = this.opts.lookup(projectId);
      if (!project) return notRegistered();
      if (this.slot(projectId).run)
        return err(
          'conflict',
          `The agent of ${project.name} is running with this lock; stop it instead.`,
        );
      const result = clearLock(project.path, this.backend);
      if (result.refusal === 'live-agent')
        return err(
          'conflict',
          `The lock of ${project.name} names its running agent; it was not cleared. Restart Nightshift to attach to it.`,
        );
      if (result.refusal)
        return err(
          'busy',
          `Another Nightshift is starting the agent of ${project.name}; the lock was not cleared.`,
        );
      if (result.cleared) rmSync(drainFlagPath(project.path), { force: true });
      this.opts.diagnostics.log(
        'info',
        `${result.cleared ? 'Cleared' : 'Found no'} agent lock in ${project.path} at the user's request.`,
      );
      this.setState(projectId, {
        lockProblem: null,
        message: result.cleared
          ? 'The lock was cleared; no process was signalled. Start runs a new agent.'
          : 'There was no agent lock to clear.',
      });
      return ok(this.slot(projectId).state);
    });
  }

  private reportUnconfirmed(project: SupervisedProject, reason: string): string {
    const message = unconfirmedLockMessage(project.name, reason);
    this.setState(project.id, { lockProblem: message, message });
    this.opts.diagnostics.log('warn', `${message} (${project.path})`);
    return message;
  }

  /** Forgets a removed project (only when nothing runs). */
  forget(projectId: string): void {
    const slot = this.slots.get(projectId);
    if (slot && !slot.run) {
      this.slots.delete(projectId);
      this.output.forget(projectId);
    }
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private async doStart(
    projectId: string,
    settings: RunSettings,
    origin: RunOrigin,
    mode: LaunchMode,
  ): Promise<Result<AgentState>> {
    const slot = this.slot(projectId);
    const project = this.opts.lookup(projectId);
    if (!project) return notRegistered();
    if (this.shuttingDown)
      return err('conflict', 'Nightshift is quitting; the agent was not started.');
    if (ACTIVE.has(slot.state.status)) {
      return err('conflict', `The agent of ${project.name} is already ${slot.state.status}.`);
    }
    if (!existsSync(project.path) || !statSync(project.path).isDirectory()) {
      return err(
        'not-found',
        `The folder ${project.path} does not exist any more. Edit the project to point at its new place.`,
      );
    }
    const refusal = this.opts.preflight?.(project.path);
    if (refusal) return err('conflict', refusal);
    const foreign = foreignAgentLock(project.path, this.backend);
    if (foreign) {
      return err(
        'conflict',
        `${foreign.tool} is running its own agent on ${project.name} (pid ${foreign.pid}, lock ${foreign.path}). Stop it there first: one project runs one agent.`,
      );
    }

    const startedAt = new Date(this.clock.now()).toISOString();
    const runId = `${startedAt.replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
    const lock: LockRecord = {
      version: 1,
      phase: 'spawning',
      ownerPid: process.pid,
      ownerStart: this.ownStart,
      runId,
      projectDir: project.path,
      pid: null,
      pgid: null,
      startToken: null,
      marker: project.path,
      runLog: runLogPath(project.path, runId),
      settings,
      origin,
      startedAt,
    };

    const taken = this.takeLock(project, lock);
    if (taken) return taken;

    rmSync(drainFlagPath(project.path), { force: true });
    this.output.reset(projectId);
    this.setState(projectId, {
      status: 'starting',
      pauseKind: null,
      pid: null,
      runId,
      startedAt,
      origin,
      adopted: false,
      settings,
      exit: null,
      lockProblem: null,
      message: 'Starting the agent…',
    });

    const { command, args } = this.opts.agentCommand();
    let spawned;
    try {
      mkdirSync(runsDir(project.path), { recursive: true });
      spawned = await this.backend.spawn({
        command,
        args: [...args, ...launchArgs(project.path, settings, mode)],
        cwd: project.path,
        env: {
          ...this.opts.agentEnv(project),
          [agentEnv.runId]: runId,
          [agentEnv.runLog]: lock.runLog,
        },
      });
    } catch (error) {
      spawned = {
        ok: false as const,
        message: `The agent could not be started: ${messageOf(error)}`,
      };
    }
    if (!spawned.ok) {
      releaseLock(project.path, runId);
      this.setState(projectId, {
        status: 'stopped',
        runId: null,
        startedAt: null,
        origin: null,
        message: spawned.message,
      });
      return err('io', spawned.message);
    }
    const child = spawned.child;
    const pid = child.pid;
    const completed: LockRecord = {
      ...lock,
      phase: 'running',
      pid,
      pgid: this.backend.canFreeze ? pid : null,
      startToken: this.backend.startToken(pid),
    };
    updateLock(project.path, completed);

    const logStream = createWriteStream(lock.runLog, { flags: 'a', mode: 0o600 });
    let logFailed = false;
    logStream.on('error', (e) => {
      this.opts.diagnostics.log('warn', `Run log of ${project.name} failed`, e);
      if (logFailed) return;
      logFailed = true;
      // A full or read-only disk: the run goes on and its live log with it; the user is told
      // once, in the log they are watching, that the copy on disk stops here.
      this.output.pushNotice(
        projectId,
        `[nightshift] The run log ${lock.runLog} cannot be written (${messageOf(e)}). The agent goes on and this live log with it, but the log on disk is incomplete from here: free some space on that disk.`,
        this.clock.now(),
      );
    });
    const run: Run = {
      runId,
      project,
      lock: completed,
      child,
      pid,
      logStream,
      stopRequested: false,
      beforeFreeze: null,
      lastPhase: null,
      follower: null,
      done: Promise.resolve(),
      exited: child.exited,
    };
    run.done = run.exited.then((exit) => this.onExit(projectId, run, exit));
    slot.run = run;

    for (const stream of ['stdout', 'stderr'] as const) {
      const splitter = new LineSplitter((line) =>
        this.handleLine(projectId, run, line, true, this.clock.now()),
      );
      child.onData(stream, (b) => splitter.push(b));
      child.onEnd(stream, () => splitter.end());
    }

    this.setState(projectId, {
      status: 'running',
      pid,
      message:
        mode === 'expand'
          ? `Agent started to expand the project (pid ${pid}).`
          : `Agent started (pid ${pid}).`,
    });
    this.opts.diagnostics.log(
      'info',
      `Started the agent of ${project.name} (pid ${pid}, run ${runId}, ${origin}).`,
    );
    return ok(slot.state);
  }

  /** Takes the project's lock for `lock`; an error when it cannot (and why, in words). */
  private takeLock(project: SupervisedProject, lock: LockRecord): Result<AgentState> | null {
    // The lock comes before the spawn.
    if (createLockExclusive(project.path, lock)) return null;
    const found = inspectLock(project.path, this.backend);
    if (found.kind === 'live-agent') {
      this.adopt(project, found.lock);
      return err(
        'busy',
        `An agent is already running for ${project.name} (pid ${found.lock.pid}); Nightshift has attached to it.`,
      );
    }
    if (found.kind === 'being-written') {
      return err(
        'busy',
        `Another Nightshift is taking the agent lock of ${project.name} just now. Try again in a few seconds.`,
      );
    }
    if (found.kind === 'starting-elsewhere') {
      return err(
        'busy',
        `Another Nightshift (pid ${found.lock.ownerPid}) is starting the agent of ${project.name}.`,
      );
    }
    if (found.kind === 'unconfirmed')
      return err('conflict', this.reportUnconfirmed(project, found.reason));
    removeStaleLock(project.path, this.backend);
    if (createLockExclusive(project.path, lock)) return null;
    return err(
      'busy',
      `Another process took the agent lock of ${project.name} just now. Try again.`,
    );
  }

  private async doDrain(projectId: string): Promise<Result<AgentState>> {
    const slot = this.slot(projectId);
    const run = slot.run;
    if (!run || slot.state.status !== 'running') {
      return err(
        'not-running',
        `The agent of ${this.name(projectId)} is not running, so there is no work to finish.`,
      );
    }
    writeFileSync(drainFlagPath(run.project.path), `${new Date(this.clock.now()).toISOString()}\n`);
    this.setState(projectId, {
      status: 'draining',
      message: 'Finishing current work; nothing new will start. It will then show as paused.',
    });
    return ok(slot.state);
  }

  private async doStop(projectId: string, reason?: string): Promise<Result<AgentState>> {
    const slot = this.slot(projectId);
    const run = slot.run;
    if (!run || !ACTIVE.has(slot.state.status)) {
      return err('not-running', `The agent of ${this.name(projectId)} is not running.`);
    }
    run.stopRequested = true;
    if (reason) run.stopReason = reason;
    const frozen = slot.state.status === 'paused' && slot.state.pauseKind === 'frozen';
    this.setState(projectId, {
      status: 'stopping',
      message: 'Stopping: asking the agent to end its sessions…',
    });

    // Snapshot the tree before anything dies: once the leader exits, its children are
    // re-parented and only their group (or this list) still ties them to us.
    const snapshot = this.backend.snapshot(run);
    await this.backend.terminate(run, { frozen, snapshot });

    const graceful = await this.within(this.stopGraceMs, run.exited);
    if (!graceful) {
      this.appendNotice(
        projectId,
        run,
        `The agent did not stop within ${Math.round(this.stopGraceMs / 1000)} s; forcing it.`,
      );
      this.backend.kill(run);
    }
    // Sweep every descendant we saw and every member still in the group.
    this.backend.killRemnants(run, snapshot);
    await run.exited;
    await this.backend.sweep(run);
    await run.done;
    return ok(this.slot(projectId).state);
  }

  private async onExit(projectId: string, run: Run, exit: ExitStatus): Promise<void> {
    const slot = this.slot(projectId);
    if (slot.run !== run) return;
    // Leftovers of a run that ended by itself (a dev server started with &): end them too.
    if (!run.stopRequested && this.backend.signalLeftovers(run, 'SIGTERM').length > 0) {
      await this.sleep(Math.min(LEFTOVER_GRACE_MS, this.stopGraceMs));
      this.backend.signalLeftovers(run, 'SIGKILL');
    }
    if (run.follower) {
      run.follower.read();
      run.follower.stop();
    }
    this.output.flush(projectId);
    await endStream(run.logStream);
    releaseLock(run.project.path, run.runId);
    rmSync(drainFlagPath(run.project.path), { force: true });
    slot.run = null;
    this.setState(projectId, this.endState(projectId, run, exit));
    this.opts.diagnostics.log(
      'info',
      `The agent of ${run.project.name} ended (code ${exit.code}, signal ${exit.signal}).`,
    );
  }

  /** What the panel says once a run has ended, by how it ended. */
  private endState(projectId: string, run: Run, exit: ExitStatus): Partial<AgentState> {
    const lastLines = this.output.lastTexts(projectId, 20);
    const at = new Date(this.clock.now()).toISOString();
    const base = { pid: null, pauseKind: null } as const;
    if (run.stopRequested)
      return {
        ...base,
        status: 'stopped',
        message: `${run.stopReason ?? 'Agent stopped.'} Nothing of it is left running.`,
      };
    if (exit.code === 0)
      return { ...base, status: 'stopped', message: 'The agent finished and exited normally.' };
    if (exit.code === null && exit.signal === null) {
      // An adopted agent is not our child, so its exit status is lost; its run log says whether
      // it finished its run (complete, or stopping on a signal) or just died.
      if (isCleanEnd(run.lastPhase ?? lastRunPhase(run.lock.runLog)))
        return {
          ...base,
          status: 'stopped',
          message: 'The adopted agent finished its run and has ended.',
        };
      return {
        ...base,
        status: 'crashed',
        exit: { code: null, signal: null, at, lastLines },
        message:
          'The adopted agent crashed: exit status unknown; the agent ended without finishing its run. Its last lines are below; Start runs it again.',
      };
    }
    if (exit.code === 3)
      // The provider refused the credentials: not a crash, and nothing a restart fixes.
      return { ...base, status: 'stopped', message: credentialsRefusedMessage };
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return {
      ...base,
      status: 'crashed',
      exit: { code: exit.code, signal: exit.signal, at, lastLines },
      message: `The agent ${how}. Its last lines are below; Start runs it again.`,
    };
  }

  private adopt(project: SupervisedProject, lock: LockRecord): void {
    const slot = this.slot(project.id);
    const pid = lock.pid as number;
    const frozen = this.backend.state(pid) === 'T';
    const draining = existsSync(drainFlagPath(project.path));
    const lastPhase = lastRunPhase(lock.runLog);
    const offset = runLogSize(lock.runLog);
    const run: Run = {
      runId: lock.runId,
      project,
      lock,
      child: null,
      pid,
      logStream: null,
      stopRequested: false,
      beforeFreeze: frozen ? (draining ? 'draining' : 'running') : null,
      lastPhase,
      follower: null,
      done: Promise.resolve(),
      exited: this.backend.watchExit(pid),
    };
    slot.run = run;
    this.output.reset(project.id);
    slot.replayed = this.output.replay(project.id, readRunLogTail(lock.runLog, offset));
    run.follower = new RunLogFollower(
      lock.runLog,
      offset,
      (record) => this.handleLine(project.id, run, record.line, false, record.ts),
      this.clock,
    );
    run.follower.start();
    run.done = run.exited.then((exit) => this.onExit(project.id, run, exit));
    // The agent announces "drained" once; an adopted run that already did is paused, not
    // draining for ever (and Resume must work on it).
    const drained = draining && lastPhase === 'drained';
    this.setState(project.id, {
      status: frozen || drained ? 'paused' : draining ? 'draining' : 'running',
      pauseKind: frozen ? 'frozen' : drained ? 'drained' : null,
      pid,
      runId: lock.runId,
      startedAt: lock.startedAt,
      origin: lock.origin,
      adopted: true,
      settings: lock.settings,
      exit: null,
      lockProblem: null,
      message: `Attached to the agent left running by an earlier session (pid ${pid}).`,
    });
    this.opts.diagnostics.log('info', `Adopted the running agent of ${project.name} (pid ${pid}).`);
  }

  private handleLine(projectId: string, run: Run, raw: string, persist: boolean, ts: number): void {
    if (this.slot(projectId).run !== run) return;
    const line = this.output.redact(raw);
    if (persist) run.logStream?.write(formatRunLogRecord(line, ts));
    const event = parseAgentEventLine(line);
    if (!event) {
      this.output.pushText(projectId, line, ts);
      return;
    }
    if (event.type === 'run-state') {
      run.lastPhase = event.phase;
      if (event.phase === 'drained' && this.slot(projectId).state.status === 'draining')
        this.setState(projectId, drainedPatch);
    }
    this.output.pushEvent(projectId, event, ts);
    for (const l of this.eventListeners) l(projectId, event);
  }

  private appendNotice(projectId: string, run: Run, text: string): void {
    const ts = this.clock.now();
    run.logStream?.write(formatRunLogRecord(`[nightshift] ${text}`, ts));
    this.output.pushNotice(projectId, `[nightshift] ${text}`, ts);
  }

  private setState(projectId: string, patch: Partial<AgentState>): void {
    const slot = this.slot(projectId);
    const previous = slot.state;
    slot.state = { ...previous, ...patch };
    for (const l of this.stateListeners) {
      try {
        l(slot.state, previous);
      } catch (error) {
        this.opts.diagnostics.log('error', 'A state listener failed', error);
      }
    }
  }

  private slot(projectId: string): ProjectSlot {
    let slot = this.slots.get(projectId);
    if (!slot) {
      slot = {
        state: stoppedAgentState(projectId, this.backend.canFreeze),
        run: null,
        queue: Promise.resolve(),
        replayed: [],
      };
      this.slots.set(projectId, slot);
    }
    return slot;
  }

  private name(projectId: string): string {
    return this.opts.lookup(projectId)?.name ?? 'this project';
  }

  private serial<T>(projectId: string, action: () => Promise<T>): Promise<T> {
    const slot = this.slot(projectId);
    const next = slot.queue.then(action, action);
    slot.queue = next.catch(() => undefined);
    return next.catch((error: unknown) => {
      this.opts.diagnostics.log('error', 'An agent action failed', error);
      return err('internal', `Something went wrong: ${messageOf(error)}`) as T;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.clock.setTimer(ms, resolve));
  }

  /** True if `promise` settles within `ms` of the clock; the timer is cancelled if it does. */
  private within(ms: number, promise: Promise<unknown>): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimer(ms, () => resolve(false));
      void promise.then(() => {
        timer.cancel();
        resolve(true);
      });
    });
  }
}

function endStream(stream: WriteStream | null): Promise<void> {
  return new Promise((resolve) => {
    if (!stream || stream.writableFinished || stream.destroyed) return resolve();
    stream.once('finish', () => resolve());
    stream.once('error', () => resolve());
    if (!stream.writableEnded) stream.end();
  });
}

const drainedPatch: Partial<AgentState> = {
  status: 'paused',
  pauseKind: 'drained',
  message: 'Paused after current work: no session is running. Resume lets it take on new work.',
};

export { lastRunPhase, readLock };
