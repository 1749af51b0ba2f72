/**
 * A simulated year of the scheduler on a fake clock, shared by test/unit/scheduler-year.test.ts
 * (which checks every instant against an oracle and counts the wakes) and
 * bench/scheduler-year.ts (which prints how long the year takes).
 */
import { defaultSettings, type Schedule } from '../../contract/index.ts';
import { Scheduler, type SchedulerProject } from '../../main/services/scheduler.ts';
import { everyNight, FakeAgents, settle } from '../unit/scheduler-fakes.ts';
import { FakeClock } from './fake-clock.ts';

/** The year simulated: from noon on 1 January 2026 to the end of 2026 (UTC). */
export const yearStart = Date.parse('2026-01-01T12:00Z');
export const yearEnd = Date.parse('2027-01-01T00:00Z');

/** A project with one schedule: every night, except for the fields given. */
export function scheduledProject(id: string, fields: Partial<Schedule>): SchedulerProject {
  const schedule: Schedule = {
    id: '1',
    createdAt: '2025-12-01T00:00:00Z',
    ...everyNight(),
    ...fields,
  };
  return { id, name: id, overrides: {}, schedules: [schedule] };
}

/** The year's projects: weeknights in Berlin, a daily New York hour, Berlin all day, Sydney weekends. */
export const yearProjects: SchedulerProject[] = [
  scheduledProject('berlin', {
    timeZone: 'Europe/Berlin',
    days: [1, 2, 3, 4, 5],
    startTime: '22:00',
    durationMinutes: 480,
  }),
  // 02:30 is skipped on 8 March: that day's window starts at 03:00 EDT.
  scheduledProject('newyork', {
    timeZone: 'America/New_York',
    startTime: '02:30',
    durationMinutes: 60,
  }),
  // Back-to-back days: one window all year, through both transitions.
  scheduledProject('always', {
    timeZone: 'Europe/Berlin',
    startTime: '00:00',
    durationMinutes: 1440,
  }),
  // Southern hemisphere: summer time at both ends of the year.
  scheduledProject('sydney', {
    timeZone: 'Australia/Sydney',
    days: [6, 7],
    startTime: '23:30',
    durationMinutes: 180,
  }),
];

/**
 * Runs a real Scheduler over the year with fake agents, waking it at each of its timers; returns
 * what the agents were told to do (with the clock's times) and how often the scheduler woke.
 */
export async function simulateYear(
  graceMinutes: number,
  projects: SchedulerProject[] = yearProjects,
): Promise<{ agents: FakeAgents; wakes: number }> {
  const clock = new FakeClock(yearStart);
  const agents = new FakeAgents(clock);
  const scheduler = new Scheduler({
    clock,
    agents,
    projects: () => projects,
    settings: () => ({ ...defaultSettings, windowEndGraceMinutes: graceMinutes }),
  });
  let wakes = 0;
  scheduler.start();
  for (;;) {
    const next = clock.nextAt();
    if (next === null || next >= yearEnd) break;
    const before = agents.actions.length;
    wakes++;
    clock.advanceTo(next);
    // Promise callbacks exist only after an action; awaiting every tick is slow under node:test.
    if (agents.actions.length !== before) await settle();
  }
  scheduler.dispose();
  return { agents, wakes };
}
