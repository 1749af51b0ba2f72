/**
 * An in-memory AgentControl for the scheduler's unit tests, driven by a FakeClock: it changes
 * state the way the real supervisor does (starting → running, draining → paused, stopping →
 * stopped, crashed) and records every action with the clock's time. The integration tests use
 * the real supervisor and real processes.
 */
import type { AgentEvent, AgentState, LogLine, Result } from '../../contract/index.ts';
import { err, ok, stoppedAgentState } from '../../contract/index.ts';
import type { Clock } from '../../main/services/clock.ts';
import type { AgentControl, StartOptions } from '../../main/services/supervisor-types.ts';

export interface Action {
  at: number;
  projectId: string;
  action: 'start' | 'stop' | 'drain' | 'pause' | 'resume';
  origin?: string;
  settings?: StartOptions['settings'];
}

const ACTIVE = new Set(['starting', 'running', 'draining', 'paused', 'stopping']);

export class FakeAgents implements AgentControl {
  readonly actions: Action[] = [];
  /** When true, a drain finishes at once (the agent shows paused/drained). */
  drainCompletes = false;
  /** Start answers with this error instead of starting, while set. */
  failStartWith: string | null = null;
  private readonly map = new Map<string, AgentState>();
  private readonly listeners = new Set<(s: AgentState, p: AgentState) => void>();
  private readonly eventListeners = new Set<(projectId: string, event: AgentEvent) => void>();
  private runs = 0;
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  state(projectId: string): AgentState {
    return this.map.get(projectId) ?? stoppedAgentState(projectId);
  }
  states(): AgentState[] {
    return [...this.map.values()];
  }
  of(projectId: string, action?: Action['action']): Action[] {
    return this.actions.filter(
      (a) => a.projectId === projectId && (!action || a.action === action),
    );
  }

  async start(projectId: string, options: StartOptions): Promise<Result<AgentState>> {
    this.actions.push({
      at: this.clock.now(),
      projectId,
      action: 'start',
      origin: options.origin,
      settings: options.settings,
    });
    if (this.failStartWith) return err('io', this.failStartWith);
    if (ACTIVE.has(this.state(projectId).status)) return err('conflict', 'already running');
    const runId = `run-${++this.runs}`;
    this.set(projectId, {
      status: 'starting',
      runId,
      pid: 1000 + this.runs,
      origin: options.origin,
      settings: options.settings,
      startedAt: new Date(this.clock.now()).toISOString(),
      exit: null,
    });
    this.set(projectId, { status: 'running' });
    return ok(this.state(projectId));
  }
  async stop(projectId: string): Promise<Result<AgentState>> {
    this.actions.push({ at: this.clock.now(), projectId, action: 'stop' });
    if (!ACTIVE.has(this.state(projectId).status)) return err('not-running', 'not running');
    this.set(projectId, { status: 'stopping' });
    this.set(projectId, { status: 'stopped', pid: null, pauseKind: null });
    return ok(this.state(projectId));
  }
  async drain(projectId: string): Promise<Result<AgentState>> {
    this.actions.push({ at: this.clock.now(), projectId, action: 'drain' });
    if (this.state(projectId).status !== 'running') return err('not-running', 'not running');
    this.set(projectId, { status: 'draining' });
    if (this.drainCompletes) this.set(projectId, { status: 'paused', pauseKind: 'drained' });
    return ok(this.state(projectId));
  }
  async pause(projectId: string): Promise<Result<AgentState>> {
    this.actions.push({ at: this.clock.now(), projectId, action: 'pause' });
    this.set(projectId, { status: 'paused', pauseKind: 'frozen' });
    return ok(this.state(projectId));
  }
  async resume(projectId: string): Promise<Result<AgentState>> {
    this.actions.push({ at: this.clock.now(), projectId, action: 'resume' });
    if (this.state(projectId).status !== 'paused') return err('not-running', 'not paused');
    this.set(projectId, { status: 'running', pauseKind: null });
    return ok(this.state(projectId));
  }

  /** The user's own start (origin manual), as the router would do it. */
  manualStart(projectId: string): Promise<Result<AgentState>> {
    return this.start(projectId, {
      origin: 'manual',
      settings: { model: 'opus', yolo: false, codingAgents: 1, regressionAgents: 0 },
    });
  }
  /** The agent process dies with an error. */
  crash(projectId: string): void {
    this.set(projectId, {
      status: 'crashed',
      pid: null,
      pauseKind: null,
      exit: { code: 1, signal: null, at: new Date(this.clock.now()).toISOString(), lastLines: [] },
    });
  }
  /** A drain in progress finishes: the agent shows paused (drained). */
  drained(projectId: string): void {
    this.set(projectId, { status: 'paused', pauseKind: 'drained' });
  }
  /** The agent exits 0 on its own (all features passing). */
  finish(projectId: string): void {
    this.set(projectId, { status: 'stopped', pid: null, pauseKind: null });
  }

  onState(listener: (s: AgentState, p: AgentState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onAgentEvent(l: (projectId: string, event: AgentEvent) => void): () => void {
    this.eventListeners.add(l);
    return () => this.eventListeners.delete(l);
  }
  /** The agent writes a typed event line. */
  emitEvent(projectId: string, event: AgentEvent): void {
    for (const l of this.eventListeners) l(projectId, event);
  }
  onLog(_l: (projectId: string, lines: LogLine[]) => void): () => void {
    return () => {};
  }

  private set(projectId: string, patch: Partial<AgentState>): void {
    const previous = this.state(projectId);
    const next = { ...previous, ...patch };
    this.map.set(projectId, next);
    for (const l of this.listeners) l(next, previous);
  }
}

/** Lets promise callbacks (the scheduler's `.then`s) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

// The nightly schedule the scheduler tests vary lives with the rest of their shared set-up.
export { everyNight } from '../helpers/scheduler-setup.ts';
