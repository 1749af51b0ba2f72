/**
 * Desktop notifications: what is worth telling the user, each kind mutable in the settings, and
 * a click that takes them to the project. The shell provides the port: Electron's
 * `Notification` in the desktop app, a log line plus a UI event in the browser shell.
 */
import type { AgentEvent, AgentState, NotificationKind } from '../../contract/index.ts';
import type { Clock } from './clock.ts';
import type { EventBus } from './event-bus.ts';
import type { SchedulerEvent, SchedulerEventKind } from './scheduler.ts';
import type { AgentControl } from './supervisor-types.ts';

export interface DesktopNotification {
  kind: NotificationKind;
  title: string;
  body: string;
  /** The project a click opens (null: just open the app). */
  projectId: string | null;
}

export interface NotificationPort {
  /** Shows it; calls `onClick` when the user clicks it. */
  show(notification: DesktopNotification, onClick: () => void): void;
}

export interface NotifierOptions {
  port: NotificationPort;
  clock: Clock;
  /** The kinds the user muted (read on every notification). */
  muted(): readonly NotificationKind[];
  /** Emits `app.notification` for each one shown, and `app.navigate` on click without `focusApp`. */
  bus?: EventBus;
  /**
   * What a click does in a shell with a window of its own (Electron): show it and open the
   * project. The shell navigates, because the window may have to be created first and the page
   * must be loaded before it can hear `app.navigate` (see NavigationQueue).
   */
  focusApp?(projectId: string | null): void;
  /** The same kind for the same project is not repeated within this time. */
  repeatWindowMs?: number;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

export class Notifier {
  private readonly options: NotifierOptions;
  private readonly lastShown = new Map<string, number>();
  /** What was shown, newest last (kept short; for tests and the browser shell). */
  readonly history: DesktopNotification[] = [];

  constructor(options: NotifierOptions) {
    this.options = options;
  }

  /** Shows a notification unless its kind is muted or it just repeated. Returns whether it showed. */
  notify(n: DesktopNotification): boolean {
    if (this.options.muted().includes(n.kind)) return false;
    const key = `${n.kind}\u0000${n.projectId ?? ''}\u0000${n.body}`;
    const now = this.options.clock.now();
    const last = this.lastShown.get(key);
    if (last !== undefined && now - last < (this.options.repeatWindowMs ?? 60_000)) return false;
    this.lastShown.set(key, now);
    this.history.push(n);
    if (this.history.length > 100) this.history.shift();
    this.options.bus?.emit('app.notification', { ...n });
    try {
      this.options.port.show(n, () => this.clicked(n));
    } catch (error) {
      this.options.log?.('warn', `A notification could not be shown: ${String(error)}`);
      return false;
    }
    return true;
  }

  /** What a click does: open the app on that project. */
  clicked(n: DesktopNotification): void {
    if (this.options.focusApp) this.options.focusApp(n.projectId);
    else if (n.projectId) this.options.bus?.emit('app.navigate', { projectId: n.projectId });
  }
}

/** A port for shells without desktop notifications: a log line (the UI also gets the event). */
export function logNotificationPort(log: (message: string) => void): NotificationPort {
  return { show: (n) => log(`[notification] ${n.title} — ${n.body}`) };
}

export interface NotificationPolicyOptions {
  notifier: Notifier;
  agents: AgentControl;
  projectName(projectId: string): string;
  /** Formats an instant for messages ("Tue 06:00"). */
  formatTime?(t: number): string;
}

/** The scheduler events that are desktop notifications: their kind (what a user mutes) and title. */
const SCHEDULER_NOTIFICATIONS: Partial<
  Record<SchedulerEventKind, { kind: NotificationKind; title: string }>
> = {
  'window-started': { kind: 'window-started', title: 'scheduled window started' },
  'window-skipped': { kind: 'window-started', title: 'window skipped' },
  'window-ended': { kind: 'window-ended', title: 'scheduled window ended' },
  'retries-exhausted': { kind: 'retries-exhausted', title: 'gave up restarting' },
};

/**
 * Turns agent states and events and scheduler events into notifications. Returns the function
 * that scheduler events go to (pass it as the scheduler's `onEvent`, or call it from there) and
 * an unsubscribe.
 */

export function installNotificationPolicy(o: NotificationPolicyOptions): {
  onSchedulerEvent(e: SchedulerEvent): void;
  dispose(): void;
} {
  const fmt = o.formatTime ?? defaultFormat;
  const allPassingRuns = new Set<string>();
  const runOf = new Map<string, string | null>();
  /** The reason a run gave for failing, until its process ends (then it is the crash's). */
  const failures = new Map<string, string>();
  /** The roles of the sessions the current run started: an expand-only run says so at its end. */
  const rolesOf = new Map<string, Set<string>>();

  const offState = o.agents.onState((state: AgentState, previous: AgentState) => {
    runOf.set(state.projectId, state.runId ?? previous.runId);
    if (state.status === 'starting') {
      failures.delete(state.projectId);
      rolesOf.delete(state.projectId);
    }
    if (state.status === 'crashed' && previous.status !== 'crashed') {
      const name = o.projectName(state.projectId);
      const reason = failures.get(state.projectId);
      failures.delete(state.projectId);
      if (reason) {
        // The agent said why it could not go on (credentials refused, …): say that, once.
        o.notifier.notify({
          kind: 'agent-crashed',
          projectId: state.projectId,
          title: `${name}: the run cannot go on`,
          body: reason,
        });
        return;
      }
      const how = state.exit
        ? state.exit.signal
          ? `It was killed by ${state.exit.signal}.`
          : `It exited with code ${state.exit.code}.`
        : '';
      o.notifier.notify({
        kind: 'agent-crashed',
        projectId: state.projectId,
        title: `${name}: the agent crashed`,
        body: `${how} Open Nightshift to see its last lines.`.trim(),
      });
    }
  });

  const offEvents = o.agents.onAgentEvent((projectId: string, event: AgentEvent) => {
    const name = o.projectName(projectId);
    const run = runOf.get(projectId) ?? o.agents.state(projectId).runId ?? 'run';
    const allPassing = (body: string) => {
      const key = `${projectId}\u0000${run}`;
      if (allPassingRuns.has(key)) return;
      allPassingRuns.add(key);
      o.notifier.notify({
        kind: 'all-passing',
        projectId,
        title: `${name}: every feature passes`,
        body,
      });
    };
    switch (event.type) {
      case 'agent-started': {
        const roles = rolesOf.get(projectId) ?? new Set<string>();
        roles.add(event.role);
        rolesOf.set(projectId, roles);
        break;
      }
      case 'progress': {
        const p = event.progress;
        if (p.total > 0 && p.passing === p.total) allPassing(`All ${p.total} features pass.`);
        break;
      }
      case 'run-state':
        if (event.phase === 'complete') allPassing(event.message || 'The run is complete.');
        else if (event.phase === 'finished') {
          // The agent says in its message what is left; that is the body.
          const roles = rolesOf.get(projectId);
          const expansionOnly = roles !== undefined && [...roles].every((r) => r === 'expander');
          o.notifier.notify({
            kind: 'work-left',
            projectId,
            title: expansionOnly
              ? `${name}: the expansion finished`
              : `${name}: the run ended with work left`,
            body: event.message || 'Open Nightshift to see what needs you.',
          });
        } else if (event.phase === 'failed' && event.message) {
          // The agent exits non-zero right after: the crash notification carries this reason.
          failures.set(projectId, event.message);
        }
        break;
      case 'human-input':
        o.notifier.notify({
          kind: 'needs-human-input',
          projectId,
          title: `${name}: a feature needs you`,
          body: `${event.featureName}: ${event.prompt}`,
        });
        break;
      case 'rate-limit':
        if (event.state === 'hold') {
          o.notifier.notify({
            kind: 'rate-limited',
            projectId,
            title: `${name}: rate-limited`,
            body:
              event.until !== null
                ? `New sessions wait until ${fmt(event.until)}; the run resumes by itself.`
                : event.message,
          });
        }
        break;
      default:
        break;
    }
  });

  const onSchedulerEvent = (e: SchedulerEvent) => {
    const shown = SCHEDULER_NOTIFICATIONS[e.kind];
    if (!shown) return;
    o.notifier.notify({
      kind: shown.kind,
      projectId: e.projectId,
      title: `${e.projectName || 'Nightshift'}: ${shown.title}`,
      body: stripName(e.message, e.projectName),
    });
  };

  return {
    onSchedulerEvent,
    dispose() {
      offState();
      offEvents();
    },
  };
}

function stripName(message: string, name: string): string {
  const p = `${name}: `;
  return name && message.startsWith(p) ? message.slice(p.length) : message;
}

function defaultFormat(t: number): string {
  return new Date(t).toLocaleString(undefined, {
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}
