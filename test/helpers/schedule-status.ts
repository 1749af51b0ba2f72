/** A project's schedule status with nothing going on (no window, no retries), with `p` applied. */
import type { ScheduleStatus } from '../../contract/index.ts';

export const scheduleStatus = (p: Partial<ScheduleStatus> = {}): ScheduleStatus => ({
  projectId: 'p',
  activeWindow: null,
  nextWindow: null,
  skipNext: false,
  manualStopUntil: null,
  crashRetries: 0,
  gaveUp: false,
  nextRetryAt: null,
  ...p,
});
