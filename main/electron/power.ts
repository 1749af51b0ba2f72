/**
 * Keeps the machine awake while a scheduled window is open (Electron's power-save blocker) and
 * re-plans the scheduler when the machine wakes or the screen unlocks. A trip during sleep often
 * comes with a new time zone: wake also checks it at once instead of at the next minute.
 */
import { powerMonitor, powerSaveBlocker } from 'electron';
import type { EventBus } from '../services/event-bus.ts';
import { type Scheduler, shouldKeepAwake } from '../services/scheduler.ts';

export interface PowerDeps {
  bus: EventBus;
  scheduler: Scheduler;
  /** Checks the machine's time zone now (Scheduling.checkZone). */
  checkZone?(): boolean;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

/** Call once after the app is ready and the scheduler started: installPowerManagement({ bus, scheduler, log }). */
export function installPowerManagement(deps: PowerDeps): { dispose(): void; blocking(): boolean } {
  let blocker: number | null = null;
  const update = () => {
    const want = shouldKeepAwake(deps.scheduler.status());
    if (want && blocker === null) {
      blocker = powerSaveBlocker.start('prevent-app-suspension');
      deps.log?.('info', 'A scheduled window is open: keeping the machine awake.');
    } else if (!want && blocker !== null) {
      if (powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
      blocker = null;
      deps.log?.('info', 'No scheduled window is open: the machine may sleep again.');
    }
  };
  const off = deps.bus.on('schedules.changed', update);
  const replan = (why: string) => () => {
    deps.log?.('info', `${why}: re-planning schedules.`);
    deps.checkZone?.();
    deps.scheduler.replan();
    update();
  };
  const onResume = replan('The machine woke up');
  const onUnlock = replan('The screen was unlocked');
  const onSuspend = () => deps.log?.('info', 'The machine is going to sleep.');
  powerMonitor.on('resume', onResume);
  powerMonitor.on('unlock-screen', onUnlock);
  powerMonitor.on('suspend', onSuspend);
  update();
  return {
    blocking: () => blocker !== null,
    dispose() {
      off();
      powerMonitor.off('resume', onResume);
      powerMonitor.off('unlock-screen', onUnlock);
      powerMonitor.off('suspend', onSuspend);
      if (blocker !== null && powerSaveBlocker.isStarted(blocker)) powerSaveBlocker.stop(blocker);
      blocker = null;
    },
  };
}
