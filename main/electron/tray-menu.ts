/**
 * The tray as data: a pure function from state to a tooltip and a menu template (ids, labels,
 * enabled/checked, submenus, accelerators, and the action each item performs). The Electron shell
 * turns the template into a Menu and rebuilds it on every change; tests check it without Electron.
 */
import {
  agentActions,
  isActiveStatus,
  isStoppableStatus,
  statusLabel,
  type AgentAction,
  type AgentState,
  type AgentStatus,
  type ScheduleStatus,
} from '../../contract/index.ts';
import { runAppCommand, type AppCommand, type AppCommandDeps } from './app-commands.ts';

export interface TrayProject {
  id: string;
  name: string;
  agent: AgentState;
  schedule: ScheduleStatus | null;
}

export interface TrayModel {
  projects: readonly TrayProject[];
  /** Formats an instant as the user reads it ("Tue 22:00"). */
  formatTime(t: number): string;
  /** Open items of the attention inbox. */
  inboxCount?: number;
}

export type ProjectAction =
  'start' | 'stop' | 'pause' | 'resume' | 'drain' | 'skip-next' | 'unskip-next';

/** A project's own actions, or one of the commands the application menu offers too. */
export type TrayAction = { kind: ProjectAction; projectId: string } | AppCommand;

export interface TrayItem {
  id: string;
  type: 'normal' | 'separator' | 'submenu' | 'checkbox';
  label?: string;
  enabled?: boolean;
  checked?: boolean;
  accelerator?: string;
  submenu?: TrayItem[];
  action?: TrayAction;
}

export interface TrayTemplate {
  tooltip: string;
  menu: TrayItem[];
}

const RUNNING = new Set(['starting', 'running', 'draining']);

/** The agent commands for every project: each is offered while some agent is in a state it applies to. */
const ALL_AGENTS_ITEMS: {
  kind: 'pause-all' | 'resume-all' | 'stop-all';
  label: string;
  appliesTo(status: AgentStatus): boolean;
}[] = [
  { kind: 'pause-all', label: 'Pause all', appliesTo: (s) => s === 'running' },
  { kind: 'resume-all', label: 'Resume all', appliesTo: (s) => s === 'paused' },
  { kind: 'stop-all', label: 'Stop all', appliesTo: isStoppableStatus },
];

function originWords(agent: AgentState): string | null {
  if (!isActiveStatus(agent.status) || !agent.origin) return null;
  const after = agent.adopted ? ' (adopted after a restart)' : '';
  if (agent.origin === 'schedule') return `started by its schedule${after}`;
  if (agent.origin === 'manual') return `started by hand${after}`;
  return 'left running by an earlier session';
}

function scheduleWords(s: ScheduleStatus | null, fmt: (t: number) => string): string | null {
  if (!s) return null;
  if (s.activeWindow) {
    if (s.activeSkipped) return `Window skipped, until ${fmt(s.activeWindow.end)}`;
    if (s.gaveUp) return `Gave up after crashes; window until ${fmt(s.activeWindow.end)}`;
    if (s.manualStopUntil !== null) return `Stopped by hand until ${fmt(s.manualStopUntil)}`;
    if (s.nextRetryAt !== null) return `Retrying at ${fmt(s.nextRetryAt)}`;
    return `Window until ${fmt(s.activeWindow.end)}`;
  }
  if (s.stopAt !== null && s.stopAt !== undefined) return `Window ended; stops by ${fmt(s.stopAt)}`;
  if (s.nextWindow) {
    return `${s.skipNext ? 'Skipping next window' : 'Next window'} ${fmt(s.nextWindow.start)}–${fmt(s.nextWindow.end)}`;
  }
  return null;
}

/** The tray's label for an action: where pause cannot freeze, drain is the only pause. */
function actionLabel(action: AgentAction, agent: AgentState): string {
  switch (action) {
    case 'start':
      return 'Start';
    case 'stop':
      return 'Stop';
    case 'resume':
      return 'Resume';
    case 'pause':
      return agent.status === 'draining' ? 'Pause now' : 'Pause';
    case 'drain':
      return agent.canFreeze
        ? 'Finish current work, then pause'
        : 'Pause (finish current work first)';
  }
}

export function trayTooltip(model: TrayModel): string {
  const count = (pred: (p: TrayProject) => boolean) => model.projects.filter(pred).length;
  const running = count((p) => RUNNING.has(p.agent.status));
  const paused = count((p) => p.agent.status === 'paused');
  const crashed = count((p) => p.agent.status === 'crashed');
  const stopping = count((p) => p.agent.status === 'stopping');
  const parts: string[] = [];
  if (running) parts.push(`${running} running`);
  if (paused) parts.push(`${paused} paused`);
  if (stopping) parts.push(`${stopping} stopping`);
  if (crashed) parts.push(`${crashed} crashed`);
  if (parts.length === 0) {
    const next = model.projects
      .map((p) => (p.schedule?.skipNext ? null : (p.schedule?.nextWindow?.start ?? null)))
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b)[0];
    parts.push(
      next !== undefined
        ? `nothing running; next window ${model.formatTime(next)}`
        : 'nothing running',
    );
  }
  const inbox = model.inboxCount ?? 0;
  if (inbox > 0) parts.push(`${inbox} need${inbox === 1 ? 's' : ''} you`);
  return `Nightshift: ${parts.join(', ')}`;
}

function projectMenu(p: TrayProject, fmt: (t: number) => string): TrayItem {
  const items: TrayItem[] = [];
  const origin = originWords(p.agent);
  items.push({
    id: `project:${p.id}:status`,
    type: 'normal',
    label: origin ? `${statusLabel(p.agent)}, ${origin}` : statusLabel(p.agent),
    enabled: false,
  });
  const sched = scheduleWords(p.schedule, fmt);
  if (sched)
    items.push({ id: `project:${p.id}:schedule`, type: 'normal', label: sched, enabled: false });
  const actions = agentActions(p.agent);
  if (actions.length) {
    items.push({ id: `project:${p.id}:sep1`, type: 'separator' });
    for (const kind of actions) {
      items.push({
        id: `project:${p.id}:${kind}`,
        type: 'normal',
        label: actionLabel(kind, p.agent),
        action: { kind, projectId: p.id },
      });
    }
  }
  items.push({ id: `project:${p.id}:sep2`, type: 'separator' });
  if (p.schedule?.nextWindow) {
    items.push({
      id: `project:${p.id}:skip-next`,
      type: 'checkbox',
      label: `Skip next window (${fmt(p.schedule.nextWindow.start)})`,
      checked: p.schedule.skipNext,
      action: { kind: p.schedule.skipNext ? 'unskip-next' : 'skip-next', projectId: p.id },
    });
  }
  items.push({
    id: `project:${p.id}:open`,
    type: 'normal',
    label: `Open ${p.name}`,
    action: { kind: 'open-project', projectId: p.id },
  });
  return {
    id: `project:${p.id}`,
    type: 'submenu',
    label: `${p.name}: ${statusLabel(p.agent)}`,
    submenu: items,
  };
}

/** The whole tray: tooltip and menu. Pure: same state, same template. */
export function trayTemplate(model: TrayModel): TrayTemplate {
  const fmt = model.formatTime;
  const menu: TrayItem[] = [];
  if (model.projects.length === 0) {
    menu.push({ id: 'no-projects', type: 'normal', label: 'No projects yet', enabled: false });
  }
  for (const p of model.projects) menu.push(projectMenu(p, fmt));
  menu.push({ id: 'sep-projects', type: 'separator' });
  for (const item of ALL_AGENTS_ITEMS) {
    menu.push({
      id: item.kind,
      type: 'normal',
      label: item.label,
      enabled: model.projects.some((p) => item.appliesTo(p.agent.status)),
      action: { kind: item.kind },
    });
  }
  const withNext = model.projects.filter((p) => p.schedule?.nextWindow);
  const allSkipped = withNext.length > 0 && withNext.every((p) => p.schedule?.skipNext);
  menu.push({
    id: 'skip-next-all',
    type: 'checkbox',
    label: 'Skip next window (all projects)',
    enabled: withNext.length > 0,
    checked: allSkipped,
    action: { kind: allSkipped ? 'unskip-next-all' : 'skip-next-all' },
  });
  menu.push({ id: 'sep-app', type: 'separator' });
  const inbox = model.inboxCount ?? 0;
  menu.push({
    id: 'open',
    type: 'normal',
    label: inbox > 0 ? `Open Nightshift (${inbox} in the inbox)` : 'Open Nightshift',
    action: { kind: 'open' },
  });
  menu.push({
    id: 'quit',
    type: 'normal',
    label: 'Quit Nightshift',
    accelerator: 'CmdOrCtrl+Q',
    action: { kind: 'quit' },
  });
  return { tooltip: trayTooltip(model), menu };
}

/** What each action does, through the app's own command dispatch (same validation as the UI). */
export type TrayActionDeps = AppCommandDeps;

export async function runTrayAction(action: TrayAction, deps: TrayActionDeps): Promise<void> {
  switch (action.kind) {
    case 'start':
      await deps.dispatch('agent.start', { id: action.projectId });
      return;
    case 'stop':
    case 'pause':
    case 'resume':
    case 'drain':
      await deps.dispatch(`agent.${action.kind}`, { id: action.projectId });
      return;
    case 'skip-next':
    case 'unskip-next':
      await deps.dispatch('schedules.skipNext', {
        id: action.projectId,
        skip: action.kind === 'skip-next',
      });
      return;
    default:
      await runAppCommand(action, deps);
  }
}
