/**
 * Unattended operation in one piece for the composition root: the scheduler, the schedule
 * commands, the notifier and its policy, wired to the registry, the settings and the supervisor.
 */
import { join } from 'node:path';
import {
  type NotificationKind,
  type Project,
  type Result,
  type Settings,
  err,
  messageOf,
  ok,
} from '../../contract/index.ts';
import type { Clock } from './clock.ts';
import type { EventBus } from './event-bus.ts';
import { type NotificationPort, Notifier, installNotificationPolicy } from './notifier.ts';
import { type ScheduleRepository, SchedulesService, jsonFileMemory } from './schedule-store.ts';
import { Scheduler, type SchedulerEvent, formatWhen } from './scheduler.ts';
import { type ZoneReading, ZoneWatcher, describeZone } from './zone-watcher.ts';
import type { AgentControl } from './supervisor-types.ts';
import { notRegistered } from './not-registered.ts';

export interface SchedulingDeps {
  clock: Clock;
  bus: EventBus;
  /** The project registry (list, get, setSchedules, remove). */
  registry: ScheduleRepository & {
    list(): Project[];
    remove(projectId: string): Result<{ id: string }>;
  };
  settings: { get(): Settings };
  agents: AgentControl;
  /** Where the scheduler keeps overrides and ownership across restarts (null: memory only). */
  dataDir: string | null;
  notifications: NotificationPort;
  /** Shows the app on a notification's project when it is clicked (see Notifier). */
  focusApp?(projectId: string | null): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** The machine's time zone (default: the system's, re-read each time). */
  readZone?(now: number): ZoneReading;
  /** Why a scheduled run may not start now (a spent budget), or null. */
  canStart?(projectId: string, now: number): string | null;
  /** Test knobs. */
  retryDelaysMs?: readonly number[];
  maxSleepMs?: number;
}

export interface Scheduling {
  scheduler: Scheduler;
  schedules: SchedulesService;
  notifier: Notifier;
  /** `schedules.*` command handlers, to spread into the handler map. */
  handlers: ReturnType<SchedulesService['handlers']>;
  /**
   * The `projects.remove` command: a run the project's schedule started is stopped first (no
   * drain: the project is going away) and then the project is removed; a run started by hand
   * still makes the registry refuse.
   */
  removeProject(projectId: string): Promise<Result<{ id: string; message: string }>>;
  /**
   * Checks the machine's time zone now (also done once a minute); on a change the scheduler has
   * re-planned and the listeners refresh what shows local times (the tray).
   */
  checkZone(): boolean;
  onZoneChange(listener: (next: ZoneReading, previous: ZoneReading) => void): () => void;
  /** What the scheduler did (a window ended, one was given up), after the notification policy. */
  onSchedulerEvent(listener: (event: SchedulerEvent) => void): () => void;
  /** Starts planning (after the supervisor adopted surviving agents). */
  start(): void;
  /** Stops planning and listening (before agents are stopped at quit). */
  dispose(): void;
}

export function createScheduling(d: SchedulingDeps): Scheduling {
  const notifier = new Notifier({
    port: d.notifications,
    clock: d.clock,
    muted: (): readonly NotificationKind[] => d.settings.get().mutedNotifications,
    bus: d.bus,
    ...(d.focusApp ? { focusApp: d.focusApp } : {}),
    log: d.log,
  });
  const name = (id: string) => d.registry.get(id)?.name ?? 'A removed project';
  const policy = installNotificationPolicy({
    notifier,
    agents: d.agents,
    projectName: name,
    formatTime: formatWhen,
  });
  const zoneListeners = new Set<(next: ZoneReading, previous: ZoneReading) => void>();
  const eventListeners = new Set<(event: SchedulerEvent) => void>();
  const zone = new ZoneWatcher({
    clock: d.clock,
    ...(d.readZone ? { read: d.readZone } : {}),
    onChange: (next, previous) => {
      d.log(
        'info',
        `The time zone changed from ${describeZone(previous)} to ${describeZone(next)}; re-planning schedules and refreshing times shown.`,
      );
      scheduler.replan();
      for (const l of zoneListeners) {
        try {
          l(next, previous);
        } catch (error) {
          d.log('error', `A time-zone listener failed: ${messageOf(error)}`);
        }
      }
    },
  });
  const scheduler = new Scheduler({
    clock: d.clock,
    agents: d.agents,
    projects: () => d.registry.list(),
    settings: () => d.settings.get(),
    bus: d.bus,
    ...(d.dataDir ? { memory: jsonFileMemory(join(d.dataDir, 'scheduler-state.json')) } : {}),
    onEvent: (e: SchedulerEvent) => {
      policy.onSchedulerEvent(e);
      for (const l of eventListeners) {
        try {
          l(e);
        } catch (error) {
          d.log('error', `A scheduler event listener failed: ${messageOf(error)}`);
        }
      }
    },
    log: d.log,
    ...(d.retryDelaysMs ? { retryDelaysMs: d.retryDelaysMs } : {}),
    ...(d.maxSleepMs ? { maxSleepMs: d.maxSleepMs } : {}),
    onTick: () => zone.check(),
    ...(d.canStart ? { canStart: d.canStart } : {}),
  });
  const schedules = new SchedulesService({ repo: d.registry, scheduler, clock: d.clock });
  const removeProject = async (
    projectId: string,
  ): Promise<Result<{ id: string; message: string }>> => {
    const project = d.registry.get(projectId);
    if (!project) return notRegistered();
    let stopped = false;
    if (scheduler.holdForRemoval(projectId)) {
      d.log('info', `${project.name}: stopping its scheduled run because the project is removed.`);
      const r = await d.agents.stop(projectId);
      if (!r.ok) {
        scheduler.cancelRemoval(projectId);
        return err(
          r.error.code,
          `${project.name} was not removed: its scheduled run could not be stopped (${r.error.message})`,
        );
      }
      stopped = true;
    }
    const removed = d.registry.remove(projectId);
    if (!removed.ok) {
      scheduler.cancelRemoval(projectId);
      return removed;
    }
    return ok({
      id: projectId,
      message: stopped
        ? `${project.name} was removed and the run its schedule had started was stopped. Its files stay on disk.`
        : `${project.name} was removed. Its files stay on disk.`,
    });
  };
  return {
    scheduler,
    schedules,
    notifier,
    removeProject,
    checkZone: () => zone.check(),
    onZoneChange(listener) {
      zoneListeners.add(listener);
      return () => zoneListeners.delete(listener);
    },
    onSchedulerEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    handlers: schedules.handlers(),
    start: () => scheduler.start(),
    dispose: () => {
      scheduler.dispose();
      policy.dispose();
    },
  };
}
