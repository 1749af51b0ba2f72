/**
 * AgentSupervisor: one agent run per project, as a process group it owns.
 *
 * Lifecycle: lock → spawn (own process group, stdin closed, cwd = project) → record pid in the
 * lock → stream output (redacted, ring-buffered, written to the run log, batched to the UI).
 * Pause freezes the whole tree (SIGSTOP to the group and to descendants that left it); drain asks
 * the agent to finish current work via a flag file; stop is SIGTERM (+SIGCONT if frozen), a grace
 * period, then SIGKILL to the group and a sweep of every descendant. A live agent found through
 * its lock after a restart is adopted: shown, paused, resumed and stopped like our own.
 */
import {
  createWriteStream,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  closeSync,
  rmSync,
  statSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import {
  type AgentEvent,
  type AgentState,
  type LogLine,
  type Result,
  type RunOrigin,
  type RunPhase,
  type RunSettings,
  err,
  messageOf,
  ok,
  parseAgentEventLine,
  stoppedAgentState,
} from '../../contract/index.ts';
import { credentialsRefusedMessage } from '../../contract/containment.ts';
import {
  createLockExclusive,
  inspectLock,
  type LockRecord,
  readLock,
  releaseLock,
  removeStaleLock,
  updateLock,
} from '../../core/agent-lock.ts';
import {
  isAlive,
  processInfo,
  processStartToken,
  processTree,
  processesWithEnv,
  signal,
  signalGroup,
} from '../../core/process-table.ts';
import { redact } from '../../core/redact.ts';
import {
  agentEnv,
  drainFlagPath,
  formatRunLogRecord,
  parseRunLogRecord,
  runLogPath,
  runsDir,
} from '../../core/run-log.ts';
import type { Diagnostics } from './diagnostics.ts';
import { LineSplitter } from './line-splitter.ts';
import type { AgentControl, StartOptions } from './supervisor-types.ts';
import { killTreeWindows } from './windows-kill.ts';

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
  stopGraceMs?: number;
  ringSize?: number;
  flushMs?: number;
}

const canFreeze = process.platform !== 'win32';
const ACTIVE = new Set(['starting', 'running', 'draining', 'paused', 'stopping']);

interface Run {
  runId: string;
  project: SupervisedProject;
  lock: LockRecord;
  child: AgentChild | null;
  pid: number;
  /** Resolves when the agent process has exited (own child) or vanished (adopted). */
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** Resolves once the exit has been fully handled (lock released, state set). */
  done: Promise<void>;
  logStream: WriteStream | null;
  stopRequested: boolean;
  /** Status to return to when a frozen pause is resumed. */
  beforeFreeze: 'running' | 'draining' | null;
  /** The last run-state phase the agent announced (from its output or its run log). */
  lastPhase: RunPhase | null;
  tail: { timer: NodeJS.Timeout; offset: number; splitter: LineSplitter } | null;
}

interface ProjectSlot {
  state: AgentState;
  run: Run | null;
  ring: LogLine[];
  seq: number;
  pending: LogLine[];
  flushTimer: NodeJS.Timeout | null;
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
  private readonly logListeners = new Set<(projectId: string, lines: LogLine[]) => void>();
  private readonly opts: Required<
    Omit<
      SupervisorOptions,
      'lookup' | 'agentCommand' | 'agentEnv' | 'secrets' | 'diagnostics' | 'preflight'
    >
  > &
    SupervisorOptions;
  private readonly ownStart = processStartToken(process.pid);
  private shuttingDown = false;

  constructor(options: SupervisorOptions) {
    this.opts = { stopGraceMs: 10_000, ringSize: 5_000, flushMs: 50, ...options };
  }

  // ── queries ──────────────────────────────────────────────────────────────────────────────

  state(projectId: string): AgentState {
    return this.slot(projectId).state;
  }

  states(): AgentState[] {
    return [...this.slots.values()].map((s) => s.state);
  }

  logs(projectId: string, limit = this.opts.ringSize): LogLine[] {
    const ring = this.slot(projectId).ring;
    return ring.slice(Math.max(0, ring.length - limit));
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
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  // ── actions ──────────────────────────────────────────────────────────────────────────────

  start(projectId: string, options: StartOptions): Promise<Result<AgentState>> {
    return this.serial(projectId, () => this.doStart(projectId, options.settings, options.origin));
  }

  stop(projectId: string): Promise<Result<AgentState>> {
    return this.serial(projectId, () => this.doStop(projectId));
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
      if (!canFreeze) return this.doDrain(projectId);
      const run = slot.run;
      // Freeze the group first, then any descendant that left it (setsid), so nothing can
      // spawn new work while we walk the tree.
      signalGroup(run.pid, 'SIGSTOP');
      for (const pid of treeOf(run)) signal(pid, 'SIGSTOP');
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
        for (const pid of treeOf(run)) signal(pid, 'SIGCONT');
        signalGroup(run.pid, 'SIGCONT');
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
      for (const id of ids) {
        const slot = this.slot(id);
        const run = slot.run;
        if (!run) continue;
        this.flush(id);
        run.child?.stdout?.destroy();
        run.child?.stderr?.destroy();
        if (run.tail) clearInterval(run.tail.timer);
        run.logStream?.end();
        this.opts.diagnostics.log(
          'info',
          `Left the agent of ${run.project.name} running (pid ${run.pid}) for the next launch.`,
        );
      }
    }
    for (const slot of this.slots.values()) if (slot.flushTimer) clearTimeout(slot.flushTimer);
  }

  /**
   * Looks for live agents left by an earlier session (their lock names a live pid with the same
   * start time and command) and adopts them; clears stale locks.
   */
  adoptExisting(projects: SupervisedProject[]): void {
    for (const project of projects) {
      if (!existsSync(project.path)) continue;
      const found = inspectLock(project.path);
      // Only if it was still stale when cleared: otherwise it is now another app's fresh lock.
      if (found.kind === 'stale' && removeStaleLock(project.path)) {
        rmSync(drainFlagPath(project.path), { force: true });
        this.opts.diagnostics.log(
          'info',
          `Removed a stale agent lock in ${project.path}: ${found.reason}.`,
        );
      } else if (found.kind === 'live-agent' && !this.slot(project.id).run) {
        this.adopt(project, found.lock);
      }
    }
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────

  private async doStart(
    projectId: string,
    settings: RunSettings,
    origin: RunOrigin,
  ): Promise<Result<AgentState>> {
    const slot = this.slot(projectId);
    const project = this.opts.lookup(projectId);
    if (!project) return err('not-found', 'That project is not registered any more.');
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

    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
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
      startedAt: new Date().toISOString(),
    };

    // The lock comes before the spawn.
    let taken = createLockExclusive(project.path, lock);
    if (!taken) {
      const found = inspectLock(project.path);
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
      removeStaleLock(project.path);
      taken = createLockExclusive(project.path, lock);
      if (!taken)
        return err(
          'busy',
          `Another process took the agent lock of ${project.name} just now. Try again.`,
        );
    }

    rmSync(drainFlagPath(project.path), { force: true });
    this.resetRing(projectId);
    this.setState(projectId, {
      status: 'starting',
      pauseKind: null,
      pid: null,
      runId,
      startedAt: lock.startedAt,
      origin,
      adopted: false,
      settings,
      exit: null,
      message: 'Starting the agent…',
    });

    const { command, args } = this.opts.agentCommand();
    const launch = [
      ...args,
      '--project-dir',
      project.path,
      '--model',
      settings.model,
      ...(settings.yolo ? ['--yolo'] : []),
      '--concurrency',
      String(settings.codingAgents),
      '--regression-agents',
      String(settings.regressionAgents),
    ];
    let child: AgentChild;
    try {
      mkdirSync(runsDir(project.path), { recursive: true });
      child = spawnDetached(command, launch, project.path, {
        ...this.opts.agentEnv(project),
        [agentEnv.runId]: runId,
        [agentEnv.runLog]: lock.runLog,
      });
    } catch (error) {
      releaseLock(project.path, runId);
      this.setState(projectId, {
        status: 'stopped',
        runId: null,
        startedAt: null,
        origin: null,
        message: `The agent could not be started: ${messageOf(error)}`,
      });
      return err('io', `The agent could not be started: ${messageOf(error)}`);
    }

    // Node reports a failed spawn (ENOENT, EACCES) by leaving pid undefined.
    if (child.pid === undefined) {
      const result = await child;
      releaseLock(project.path, runId);
      const message = `The agent could not be started (${command}): ${result.originalMessage || result.shortMessage}`;
      this.setState(projectId, {
        status: 'stopped',
        runId: null,
        startedAt: null,
        origin: null,
        message,
      });
      return err('io', message);
    }
    const pid = child.pid;
    const completed: LockRecord = {
      ...lock,
      phase: 'running',
      pid,
      pgid: canFreeze ? pid : null,
      startToken: processStartToken(pid),
    };
    updateLock(project.path, completed);

    const logStream = createWriteStream(lock.runLog, { flags: 'a', mode: 0o600 });
    logStream.on('error', (e) =>
      this.opts.diagnostics.log('warn', `Run log of ${project.name} failed`, e),
    );
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
      tail: null,
      done: Promise.resolve(),
      exited: child.then((r) => ({
        code: r.exitCode ?? null,
        signal: r.signal ?? null,
      })),
    };
    run.done = run.exited.then((exit) => this.onExit(projectId, run, exit));
    slot.run = run;

    const onLine = (line: string) => this.handleLine(projectId, run, line, true);
    const out = new LineSplitter(onLine);
    const errOut = new LineSplitter(onLine);
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => errOut.push(b));
    child.stdout?.on('end', () => out.end());
    child.stderr?.on('end', () => errOut.end());
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('error', () => undefined);

    this.setState(projectId, {
      status: 'running',
      pid,
      message: `Agent started (pid ${pid}).`,
    });
    this.opts.diagnostics.log(
      'info',
      `Started the agent of ${project.name} (pid ${pid}, run ${runId}, ${origin}).`,
    );
    return ok(slot.state);
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
    writeFileSync(drainFlagPath(run.project.path), `${new Date().toISOString()}\n`);
    this.setState(projectId, {
      status: 'draining',
      message: 'Finishing current work; nothing new will start. It will then show as paused.',
    });
    return ok(slot.state);
  }

  private async doStop(projectId: string): Promise<Result<AgentState>> {
    const slot = this.slot(projectId);
    const run = slot.run;
    if (!run || !ACTIVE.has(slot.state.status)) {
      return err('not-running', `The agent of ${this.name(projectId)} is not running.`);
    }
    run.stopRequested = true;
    const wasFrozen = slot.state.status === 'paused' && slot.state.pauseKind === 'frozen';
    this.setState(projectId, {
      status: 'stopping',
      message: 'Stopping: asking the agent to end its sessions…',
    });

    // Snapshot the tree before anything dies: once the leader exits, its children are
    // re-parented and only their group (or this list) still ties them to us.
    const snapshot = new Map(treeOf(run).map((pid) => [pid, processStartToken(pid)]));

    if (process.platform === 'win32') {
      await killTreeWindows(run.pid);
    } else {
      signalGroup(run.pid, 'SIGTERM');
      if (wasFrozen) {
        // A stopped process keeps SIGTERM pending; continue it so it is delivered now.
        for (const pid of snapshot.keys()) signal(pid, 'SIGCONT');
        signalGroup(run.pid, 'SIGCONT');
      }
    }

    const graceful = await Promise.race([
      run.exited.then(() => true),
      delay(this.opts.stopGraceMs).then(() => false),
    ]);
    if (!graceful) {
      this.appendSystemLine(
        projectId,
        run,
        `The agent did not stop within ${Math.round(this.opts.stopGraceMs / 1000)} s; forcing it.`,
      );
      signalGroup(run.pid, 'SIGKILL');
    }
    // Sweep every descendant we saw and every member still in the group.
    this.killRemnants(run, snapshot);
    await run.exited;
    await this.waitForGroupGone(run);
    await run.done;
    return ok(this.slot(projectId).state);
  }

  private killRemnants(run: Run, snapshot: Map<number, string | null>): void {
    for (const [pid, token] of snapshot) {
      if (pid === process.pid) continue;
      if (isAlive(pid) && (token === null || processStartToken(pid) === token))
        signal(pid, 'SIGKILL');
    }
    if (canFreeze) signalGroup(run.pid, 'SIGKILL');
  }

  private async waitForGroupGone(run: Run): Promise<void> {
    if (!canFreeze) return;
    for (let i = 0; i < 50; i++) {
      const members = treeOf(run).filter((pid) => pid !== run.pid || isAlive(pid));
      if (members.length === 0) return;
      signalGroup(run.pid, 'SIGKILL');
      for (const pid of members) signal(pid, 'SIGKILL');
      await delay(20);
    }
  }

  private async onExit(
    projectId: string,
    run: Run,
    exit: { code: number | null; signal: string | null },
  ): Promise<void> {
    const slot = this.slot(projectId);
    if (slot.run !== run) return;
    // Leftovers of a run that ended by itself (a dev server started with &): end them too.
    const leftovers = canFreeze ? treeOf(run).filter((pid) => pid !== run.pid) : [];
    if (!run.stopRequested && leftovers.length > 0) {
      signalGroup(run.pid, 'SIGTERM');
      for (const pid of leftovers) signal(pid, 'SIGTERM');
      await delay(Math.min(2_000, this.opts.stopGraceMs));
      signalGroup(run.pid, 'SIGKILL');
      for (const pid of treeOf(run)) if (pid !== run.pid) signal(pid, 'SIGKILL');
    }
    if (run.tail) clearInterval(run.tail.timer);
    this.flush(projectId);
    await new Promise<void>((resolve) => (run.logStream ? run.logStream.end(resolve) : resolve()));
    releaseLock(run.project.path, run.runId);
    rmSync(drainFlagPath(run.project.path), { force: true });
    slot.run = null;

    const lastLines = slot.ring.slice(-20).map((l) => l.text);
    const at = new Date().toISOString();
    const base = { pid: null, pauseKind: null } as const;
    if (run.stopRequested) {
      this.setState(projectId, {
        ...base,
        status: 'stopped',
        message: 'Agent stopped. Nothing of it is left running.',
      });
    } else if (exit.code === 0) {
      this.setState(projectId, {
        ...base,
        status: 'stopped',
        message: 'The agent finished and exited normally.',
      });
    } else if (exit.code === null && exit.signal === null) {
      // An adopted agent is not our child, so its exit status is lost; its run log says whether
      // it finished its run (complete, or stopping on a signal) or just died.
      const phase = run.lastPhase ?? lastRunPhase(run.lock.runLog);
      if (phase !== null && CLEAN_END.has(phase)) {
        this.setState(projectId, {
          ...base,
          status: 'stopped',
          message: 'The adopted agent finished its run and has ended.',
        });
      } else {
        this.setState(projectId, {
          ...base,
          status: 'crashed',
          exit: { code: null, signal: null, at, lastLines },
          message:
            'The adopted agent crashed: exit status unknown; the agent ended without finishing its run. Its last lines are below; Start runs it again.',
        });
      }
    } else if (exit.code === 3) {
      // The provider refused the credentials: not a crash, and nothing a restart fixes.
      this.setState(projectId, {
        ...base,
        status: 'stopped',
        message: credentialsRefusedMessage,
      });
    } else {
      const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.setState(projectId, {
        ...base,
        status: 'crashed',
        exit: { code: exit.code, signal: exit.signal, at, lastLines },
        message: `The agent ${how}. Its last lines are below; Start runs it again.`,
      });
    }
    this.opts.diagnostics.log(
      'info',
      `The agent of ${run.project.name} ended (code ${exit.code}, signal ${exit.signal}).`,
    );
  }

  private adopt(project: SupervisedProject, lock: LockRecord): void {
    const slot = this.slot(project.id);
    const pid = lock.pid as number;
    const frozen = processInfo(pid)?.state === 'T';
    const draining = existsSync(drainFlagPath(project.path));
    const lastPhase = lastRunPhase(lock.runLog);
    let offset: number;
    try {
      offset = statSync(lock.runLog).size;
    } catch {
      offset = 0;
    }
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
      tail: null,
      done: Promise.resolve(),
      exited: new Promise((resolve) => {
        const timer = setInterval(() => {
          if (!isAlive(pid)) {
            clearInterval(timer);
            resolve({ code: null, signal: null });
          }
        }, 250);
      }),
    };
    slot.run = run;
    this.resetRing(project.id);
    this.hydrateFromRunLog(project.id, lock.runLog, offset);
    const splitter = new LineSplitter((text) => {
      const record = parseRunLogRecord(text);
      if (record) this.handleLine(project.id, run, record.line, false, record.ts);
    });
    run.tail = {
      offset,
      splitter,
      timer: setInterval(() => this.readTail(run), 200),
    };
    run.done = run.exited.then((exit) => {
      this.readTail(run);
      return this.onExit(project.id, run, exit);
    });
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
      message: `Attached to the agent left running by an earlier session (pid ${pid}).`,
    });
    this.opts.diagnostics.log('info', `Adopted the running agent of ${project.name} (pid ${pid}).`);
  }

  private readTail(run: Run): void {
    const tail = run.tail;
    if (!tail) return;
    let fd: number;
    try {
      fd = openSync(run.lock.runLog, 'r');
    } catch {
      return;
    }
    try {
      const buffer = Buffer.alloc(256 * 1024);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, tail.offset);
        if (n <= 0) break;
        tail.offset += n;
        tail.splitter.push(buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Loads the last lines of an adopted run's log so the view is not empty. */
  private hydrateFromRunLog(projectId: string, path: string, upTo: number): void {
    const from = Math.max(0, upTo - 512 * 1024);
    let text: string;
    try {
      const fd = openSync(path, 'r');
      const buffer = Buffer.alloc(upTo - from);
      readSync(fd, buffer, 0, buffer.length, from);
      closeSync(fd);
      text = buffer.toString('utf8');
    } catch {
      return;
    }
    const lines = text.split('\n');
    if (from > 0) lines.shift();
    const slot = this.slot(projectId);
    slot.replayed = [];
    for (const l of lines) {
      const record = parseRunLogRecord(l);
      if (!record) continue;
      const event = parseAgentEventLine(record.line);
      if (event) {
        slot.replayed.push(event);
        const text = describeEvent(event);
        if (text)
          slot.ring.push({
            seq: ++slot.seq,
            ts: record.ts,
            text: text.text,
            ...(text.agent ? { agent: text.agent } : {}),
            ...(text.level ? { level: text.level } : {}),
          });
        continue;
      }
      slot.ring.push({ seq: ++slot.seq, ts: record.ts, text: record.line });
    }
    if (slot.ring.length > this.opts.ringSize)
      slot.ring.splice(0, slot.ring.length - this.opts.ringSize);
  }

  private handleLine(
    projectId: string,
    run: Run,
    raw: string,
    persist: boolean,
    ts = Date.now(),
  ): void {
    if (this.slot(projectId).run !== run) return;
    const line = redact(raw, this.opts.secrets());
    if (persist) run.logStream?.write(formatRunLogRecord(line, ts));
    const event = parseAgentEventLine(line);
    if (event) {
      this.applyEvent(projectId, run, event);
      const text = describeEvent(event);
      if (text)
        this.pushLine(projectId, { text: text.text, ts, agent: text.agent, level: text.level });
      for (const l of this.eventListeners) l(projectId, event);
      return;
    }
    // The agent prefixes lines from one of its sessions with "[coding-2] " and the like.
    const tagged = agentTag.exec(line);
    this.pushLine(projectId, tagged ? { text: line, ts, agent: tagged[1] } : { text: line, ts });
  }

  private applyEvent(projectId: string, run: Run, event: AgentEvent): void {
    if (event.type !== 'run-state') return;
    run.lastPhase = event.phase;
    const { status } = this.slot(projectId).state;
    if (event.phase === 'drained' && status === 'draining') this.setState(projectId, drainedPatch);
  }

  private appendSystemLine(projectId: string, run: Run, text: string): void {
    run.logStream?.write(formatRunLogRecord(`[nightshift] ${text}`));
    this.pushLine(projectId, { text: `[nightshift] ${text}`, ts: Date.now(), level: 'warn' });
  }

  private pushLine(projectId: string, line: Omit<LogLine, 'seq'>): void {
    const slot = this.slot(projectId);
    const entry: LogLine = { seq: ++slot.seq, ...line };
    if (entry.agent === undefined) delete entry.agent;
    if (entry.level === undefined) delete entry.level;
    slot.ring.push(entry);
    if (slot.ring.length > this.opts.ringSize + 512)
      slot.ring.splice(0, slot.ring.length - this.opts.ringSize);
    slot.pending.push(entry);
    slot.flushTimer ??= setTimeout(() => this.flush(projectId), this.opts.flushMs);
  }

  private flush(projectId: string): void {
    const slot = this.slot(projectId);
    if (slot.flushTimer) clearTimeout(slot.flushTimer);
    slot.flushTimer = null;
    if (slot.pending.length === 0) return;
    const lines = slot.pending;
    slot.pending = [];
    for (const l of this.logListeners) l(projectId, lines);
  }

  private resetRing(projectId: string): void {
    const slot = this.slot(projectId);
    slot.ring = [];
    slot.pending = [];
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
        state: stoppedAgentState(projectId, canFreeze),
        run: null,
        ring: [],
        seq: 0,
        pending: [],
        flushTimer: null,
        queue: Promise.resolve(),
        replayed: [],
      };
      this.slots.set(projectId, slot);
    }
    return slot;
  }

  /** Events read back from the run log when a live agent was adopted (oldest first). */
  replayedEvents(projectId: string): AgentEvent[] {
    return this.slot(projectId).replayed;
  }

  /** Forgets a removed project (only when nothing runs). */
  forget(projectId: string): void {
    const slot = this.slots.get(projectId);
    if (slot && !slot.run) this.slots.delete(projectId);
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
}

const agentTag = /^\[((?:initializer|coding|regression)-\d+)\] /;

const drainedPatch: Partial<AgentState> = {
  status: 'paused',
  pauseKind: 'drained',
  message: 'Paused after current work: no session is running. Resume lets it take on new work.',
};

/**
 * Run-state phases an agent announces when it ends its run on purpose: all features pass,
 * ended with work left that it cannot do, or stopping on request.
 */
const CLEAN_END = new Set<string>(['complete', 'finished', 'stopping']);

/**
 * The last run-state phase recorded in a run log, reading backwards from its end in chunks
 * (a long run's log is large; the answer is almost always in the last few kilobytes).
 */
export function lastRunPhase(path: string, maxBytes = 8 * 1024 * 1024): RunPhase | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const chunk = 64 * 1024;
    let end = size;
    // Bytes of a line cut by the chunk boundary, kept as bytes so a UTF-8 character is not split.
    let carry = Buffer.alloc(0);
    while (end > 0 && size - end < maxBytes) {
      const start = Math.max(0, end - chunk);
      const read = Buffer.alloc(end - start);
      readSync(fd, read, 0, read.length, start);
      let text = Buffer.concat([read, carry]);
      carry = Buffer.alloc(0);
      if (start > 0) {
        const nl = text.indexOf(0x0a);
        carry = nl < 0 ? text : text.subarray(0, nl);
        text = nl < 0 ? Buffer.alloc(0) : text.subarray(nl + 1);
      }
      const lines = text.toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        const phase = runStatePhase(lines[i] as string);
        if (phase) return phase;
      }
      end = start;
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function runStatePhase(text: string): RunPhase | null {
  if (!text.includes('run-state')) return null;
  const record = parseRunLogRecord(text);
  const event = record ? parseAgentEventLine(record.line) : null;
  return event?.type === 'run-state' ? event.phase : null;
}

/** Human lines for the log view from typed events (the raw JSON stays in the run log). */
function describeEvent(
  event: AgentEvent,
): { text: string; agent?: string; level?: LogLine['level'] } | null {
  switch (event.type) {
    case 'run-state':
      return { text: event.message };
    case 'agent-started':
      return {
        agent: event.agentId,
        text: `${event.agentId} started (${event.role}${event.featureId !== null ? `, feature #${event.featureId}${event.featureName ? ` ${event.featureName}` : ''}` : ''})`,
      };
    case 'agent-finished':
      return {
        agent: event.agentId,
        text: `${event.agentId} finished: ${event.outcome}. ${event.message}`,
        level: event.outcome === 'error' ? 'error' : undefined,
      };
    case 'activity':
      return { agent: event.agentId, text: event.summary };
    case 'rate-limit':
      return { text: event.message, level: 'warn' };
    case 'human-input':
      return {
        text: `Feature #${event.featureId} ${event.featureName} needs your input: ${event.prompt}`,
        level: 'warn',
      };
    case 'error':
      return { text: event.message, agent: event.agentId ?? undefined, level: 'error' };
    default:
      return null;
  }
}

/**
 * Every process of a run: the agent's descendants and group (processTree), plus any process that
 * carries the run's id in its environment, which finds daemons that called setsid() and were
 * orphaned (their parent exited, so neither the group nor a parent link leads to them).
 */
function treeOf(run: { pid: number; runId: string }): number[] {
  const pids = new Set(processTree(run.pid).map((p) => p.pid));
  if (canFreeze) for (const pid of processesWithEnv(agentEnv.runId, run.runId)) pids.add(pid);
  return [...pids];
}

function spawnDetached(command: string, args: string[], cwd: string, env: Record<string, string>) {
  return execa(command, args, {
    cwd,
    env,
    // Own process group, so pause and stop reach the whole tree.
    detached: process.platform !== 'win32',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // The agent may outlive us (quit behaviour "leave running"): never kill it on our exit.
    cleanup: false,
    windowsHide: true,
    encoding: 'buffer',
  });
}
type AgentChild = ReturnType<typeof spawnDetached>;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { readLock };
