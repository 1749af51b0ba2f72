/**
 * A simulated year of three weekly schedules (Berlin weeknights, a daily New York hour, a
 * Berlin 24-hour window) on a fake clock, as test/unit/scheduler-year.test.ts runs it (that test
 * checks every instant and counts the wakes; this prints the time the year takes).
 */
import { availableParallelism, loadavg } from 'node:os';
import { defaultSettings, type Schedule } from '../contract/index.ts';
import { FakeClock } from '../test/helpers/fake-clock.ts';
import { Scheduler, type SchedulerProject } from '../main/services/scheduler.ts';
import { everyNight, FakeAgents, settle } from '../test/unit/scheduler-fakes.ts';

const schedule = (p: Partial<Schedule>): Schedule => ({
  id: '1',
  createdAt: '2025-12-01T00:00:00Z',
  ...everyNight(),
  ...p,
});
const project = (id: string, s: Partial<Schedule>): SchedulerProject => ({
  id,
  name: id,
  overrides: {},
  schedules: [schedule(s)],
});

const t0 = Date.parse('2026-01-01T12:00Z');
const t1 = Date.parse('2027-01-01T00:00Z');
const clock = new FakeClock(t0);
const agents = new FakeAgents(clock);
const projects = [
  project('berlin', {
    timeZone: 'Europe/Berlin',
    days: [1, 2, 3, 4, 5],
    startTime: '22:00',
    durationMinutes: 480,
  }),
  project('newyork', { timeZone: 'America/New_York', startTime: '02:30', durationMinutes: 60 }),
  project('always', { timeZone: 'Europe/Berlin', startTime: '00:00', durationMinutes: 1440 }),
];
const scheduler = new Scheduler({
  clock,
  agents,
  projects: () => projects,
  settings: () => ({ ...defaultSettings, windowEndGraceMinutes: 10 }),
});
let wakes = 0;
const began = performance.now();
scheduler.start();
for (;;) {
  const next = clock.nextAt();
  if (next === null || next >= t1) break;
  const before = agents.actions.length;
  wakes++;
  clock.advanceTo(next);
  if (agents.actions.length !== before) await settle();
}
scheduler.dispose();
const ms = performance.now() - began;
console.log(
  `setup: 3 projects, 2026 on a fake clock; Node ${process.version}, ${availableParallelism()} CPU(s), load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `a year: ${(ms / 1000).toFixed(1)} s for ${wakes} wakes and ${agents.actions.length} agent actions (${Math.round(wakes / (ms / 1000))} wakes/s; goal < 20 s)`,
);
