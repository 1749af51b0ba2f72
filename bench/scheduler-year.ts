/**
 * A simulated year of the scheduler on a fake clock (test/helpers/scheduler-year.ts: weekly
 * schedules in Berlin, New York and Sydney), as test/unit/scheduler-year.test.ts runs it (that
 * test checks every instant and counts the wakes; this prints the time the year takes).
 */
import { availableParallelism, loadavg } from 'node:os';
import { simulateYear, yearProjects } from '../test/helpers/scheduler-year.ts';

const began = performance.now();
const { agents, wakes } = await simulateYear(10);
const ms = performance.now() - began;
console.log(
  `setup: ${yearProjects.length} projects, 2026 on a fake clock; Node ${process.version}, ${availableParallelism()} CPU(s), load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `a year: ${(ms / 1000).toFixed(1)} s for ${wakes} wakes and ${agents.actions.length} agent actions (${Math.round(wakes / (ms / 1000))} wakes/s; goal < 20 s)`,
);
