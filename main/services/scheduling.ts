/**
 * Unattended operation in one piece for the composition root: the scheduler, the schedule
 * commands, the notifier and its policy, wired to the registry, the settings and the supervisor.
 */
import { join } from 'node:path';
import type { NotificationKind, Project, Settings } from '../../contract/index.ts';
import type { Clock } from './clock.ts';
import type { EventBus } from './event-bus.ts';
import { type NotificationPort, Notifier, installNotificationPolicy } from './notifier.ts';
import { type ScheduleRepository, SchedulesService, jsonFileMemory } from './schedules-service.ts';
import { Scheduler, type SchedulerEvent, formatWhen } from './scheduler.ts';
import type { AgentControl } from './supervisor-types.ts';

export interface SchedulingDeps {
  clock: Clock;
  bus: EventBus;
  /** The project registry (list, get, setSchedules). */
  registry: ScheduleRepository & { list(): Project[] };
  settings: { get(): Settings };
  agents: AgentControl;
  /** Where the scheduler keeps overrides and ownership across restarts (null: memory only). */
  dataDir: string | null;
  notifications: NotificationPort;
  /** Brings the app forward when a notification is clicked. */
  focusApp?(): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
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
  const scheduler = new Scheduler({
    clock: d.clock,
    agents: d.agents,
    projects: () => d.registry.list(),
    settings: () => d.settings.get(),
    bus: d.bus,
    ...(d.dataDir ? { memory: jsonFileMemory(join(d.dataDir, 'scheduler-state.json')) } : {}),
    onEvent: (e: SchedulerEvent) => policy.onSchedulerEvent(e),
    log: d.log,
    ...(d.retryDelaysMs ? { retryDelaysMs: d.retryDelaysMs } : {}),
    ...(d.maxSleepMs ? { maxSleepMs: d.maxSleepMs } : {}),
  });
  const schedules = new SchedulesService({ repo: d.registry, scheduler, clock: d.clock });
  return {
    scheduler,
    schedules,
    notifier,
    handlers: schedules.handlers(),
    start: () => scheduler.start(),
    dispose: () => {
      scheduler.dispose();
      policy.dispose();
    },
  };
}
