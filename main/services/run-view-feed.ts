/**
 * The live project views (see run-view.ts for how one is derived) as state main owns: the latest
 * view per project, for `agent.runView` and for windows opened late, and a feed to the windows
 * that sends each project's view at most once per flush interval, however many agent events
 * arrived in it.
 *
 * Invariants: `get` is always the newest view (the feed only delays what windows are told);
 * a flush sends the newest view of each project that changed since the last one, and nothing for
 * a project that did not; a run's start and end are sent at once (they matter more than rate).
 */
import {
  type AgentEvent,
  type AgentState,
  type RunView,
  emptyRunView,
} from '../../contract/index.ts';
import { isActiveStatus } from '../../contract/agent-status.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { endLiveCards, reduceRunView, runViewFromEvents } from './run-view.ts';

export interface RunViewFeedDeps {
  clock: Clock;
  /** Sends a view to every window (the `agent.runView` event). */
  send(view: RunView): void;
  /** How long agent events are gathered before a project's view is sent (default 50 ms). */
  flushMs?: number;
}

export class RunViewFeed {
  private readonly views = new Map<string, RunView>();
  private readonly dirty = new Set<string>();
  private timer: TimerHandle | null = null;
  private readonly flushMs: number;
  private readonly deps: RunViewFeedDeps;

  constructor(deps: RunViewFeedDeps) {
    this.deps = deps;
    this.flushMs = deps.flushMs ?? 50;
  }

  /** The newest view of a project (empty when its agent has not reported anything). */
  get(projectId: string): RunView {
    return this.views.get(projectId) ?? emptyRunView(projectId);
  }

  /** Rebuilds a project's view from a surviving run's events (adoption after a restart). */
  replay(projectId: string, events: readonly AgentEvent[], model: string | null): void {
    if (events.length) this.views.set(projectId, runViewFromEvents(projectId, events, model));
  }

  /** An agent event: the view changes now, the windows hear of it on the next flush. */
  onAgentEvent(projectId: string, event: AgentEvent): void {
    this.views.set(projectId, reduceRunView(this.get(projectId), event));
    this.dirty.add(projectId);
    this.timer ??= this.deps.clock.setTimer(this.flushMs, () => this.flush());
  }

  /** A status change: a starting run begins a fresh view; an ended one keeps no live cards. */
  onState(state: AgentState, previous: AgentState): void {
    if (state.status === 'starting') {
      this.sendNow(emptyRunView(state.projectId, state.settings?.model ?? null));
    } else if (!isActiveStatus(state.status) && previous.status !== state.status) {
      // Nothing runs any more: no live cards, no hold; progress and cost stay for reading.
      const view = this.views.get(state.projectId);
      if (view) this.sendNow({ ...endLiveCards(view), rateLimitedUntil: null });
    }
  }

  forget(projectId: string): void {
    this.views.delete(projectId);
    this.dirty.delete(projectId);
  }

  /** Sends every changed view now (also what the timer does). */
  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const view = this.views.get(id);
      if (view) this.deps.send(view);
    }
  }

  dispose(): void {
    this.timer?.cancel();
    this.timer = null;
    this.dirty.clear();
  }

  private sendNow(view: RunView): void {
    this.views.set(view.projectId, view);
    this.dirty.delete(view.projectId);
    this.deps.send(view);
  }
}
