/**
 * The rules of an agent status, in one table: whether an agent in it is active (a process tree
 * exists or is being made or ended), which actions apply, and the words for it. The supervisor,
 * the scheduler, the tray and the renderer all read this table; none restates it.
 *
 * Invariants: every status has a row; an action listed for a status is one the supervisor
 * accepts in it; `stop` applies exactly to the active statuses except `stopping`.
 */
import type { AgentState, AgentStatus } from './agent.ts';

/** What a user (or the tray) can ask of an agent, in the order menus list them. */
export const agentActionKinds = ['start', 'pause', 'drain', 'resume', 'stop'] as const;
export type AgentAction = (typeof agentActionKinds)[number];

interface StatusRule {
  /** A run exists: its process tree is starting, running, frozen, draining or being ended. */
  active: boolean;
  /** The badge's words (a paused agent that drained and a crash add detail, see statusLabel). */
  label: string;
  /** A short form for narrow places (the sidebar). */
  short: string;
  /** The actions that apply where the platform can freeze a process tree, and where it cannot. */
  actions: { freeze: readonly AgentAction[]; noFreeze: readonly AgentAction[] };
}

const both = (...actions: AgentAction[]) => ({ freeze: actions, noFreeze: actions });

export const agentStatusRules: { readonly [S in AgentStatus]: StatusRule } = {
  stopped: { active: false, label: 'Stopped', short: 'Stopped', actions: both('start') },
  starting: { active: true, label: 'Starting…', short: 'Starting', actions: both('stop') },
  running: {
    active: true,
    label: 'Running',
    short: 'Running',
    actions: { freeze: ['pause', 'drain', 'stop'], noFreeze: ['drain', 'stop'] },
  },
  draining: {
    active: true,
    label: 'Draining — finishing current work',
    short: 'Draining',
    // Freezing a draining agent is allowed (the supervisor supports it); Resume returns it to
    // draining.
    actions: { freeze: ['pause', 'stop'], noFreeze: ['stop'] },
  },
  paused: { active: true, label: 'Paused', short: 'Paused', actions: both('resume', 'stop') },
  stopping: { active: true, label: 'Stopping…', short: 'Stopping', actions: both() },
  crashed: { active: false, label: 'Crashed', short: 'Crashed', actions: both('start') },
};

/** A run exists for an agent in this status (the opposite of stopped or crashed). */
export const isActiveStatus = (status: AgentStatus): boolean => agentStatusRules[status].active;

/** An active run that is not already being ended: Stop (and the scheduler's stop) applies. */
export const isStoppableStatus = (status: AgentStatus): boolean =>
  agentStatusRules[status].active && status !== 'stopping';

/** The actions that apply to an agent in this state, in menu order. */
export function agentActions(state: Pick<AgentState, 'status' | 'canFreeze'>): AgentAction[] {
  const { actions } = agentStatusRules[state.status];
  return [...(state.canFreeze ? actions.freeze : actions.noFreeze)];
}

/** Each action, and whether it applies (for a row of buttons). */
export function availableActions(
  state: Pick<AgentState, 'status' | 'canFreeze'>,
): Record<AgentAction, boolean> {
  const on = new Set(agentActions(state));
  return {
    start: on.has('start'),
    pause: on.has('pause'),
    drain: on.has('drain'),
    resume: on.has('resume'),
    stop: on.has('stop'),
  };
}

/** How a crash ended, in words ("exit code 1", "signal SIGKILL"). */
export function exitDescription(exit: AgentState['exit']): string {
  if (!exit) return 'exit unknown';
  if (exit.signal) return `signal ${exit.signal}`;
  if (exit.code !== null) return `exit code ${exit.code}`;
  return 'exit unknown';
}

/** The status in words, as the badge, the tray and notifications show it. */
export function statusLabel(state: Pick<AgentState, 'status' | 'pauseKind' | 'exit'>): string {
  if (state.status === 'paused' && state.pauseKind === 'drained')
    return 'Paused after current work';
  if (state.status === 'crashed') return `Crashed (${exitDescription(state.exit)})`;
  return agentStatusRules[state.status].label;
}

/** The status in one word. */
export const statusShort = (status: AgentStatus): string => agentStatusRules[status].short;
