/**
 * The scheduler's behaviours against the real AgentSupervisor (its state machine, locks, drain
 * flags and run logs on real files), over a fake ProcessBackend and a FakeClock: the OS and time
 * are the edges. Every start, drain and stop is read from what reached the process backend
 * (spawn, terminate, kill) or the project folder (the drain flag), at the clock's time.
 * test/integration/scheduler-supervisor.test.ts runs the grace stop and the retry reset with
 * real processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, type AgentStatus, type Schedule } from '../../contract/index.ts';
import { drainFlagPath } from '../../core/run-log.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { runClockTo, settle, until } from '../helpers/turns.ts';
import {
  Scheduler,
  type SchedulerEvent,
  type SchedulerMemory,
  type SchedulerProject,
  type SchedulerSnapshot,
} from '../../main/services/scheduler.ts';
import type { AgentSupervisor, SupervisedProject } from '../../main/services/supervisor.ts';
import { FakeProcessBackend } from '../helpers/fake-process-backend.ts';
import {
  at,
  crashAgent,
  MON,
  nightly as schedule,
  supervisorOverFakes,
} from '../helpers/scheduler-setup.ts';

const STOP_GRACE = 10_000;

function world(start: string) {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-sched-real-'));
  const clock = new FakeClock(at(start));
  const backend = new FakeProcessBackend(clock);
  const folders = new Map<string, SupervisedProject>();
  const projects = new Map<string, SchedulerProject>();
  const add = (id: string, schedules: Schedule[]) => {
    const path = join(root, id);
    mkdirSync(path);
    folders.set(id, { id, name: id, path });
    projects.set(id, { id, name: id, overrides: {}, schedules });
  };
  const box: { saved: SchedulerSnapshot | null } = { saved: null };
  const memory: SchedulerMemory = {
    load: () => box.saved,
    save: (s) => void (box.saved = structuredClone(s)),
  };
  const boot = (grace = 10) => {
    const supervisor = supervisorOverFakes({
      lookup: (id) => folders.get(id) ?? null,
      backend,
      clock,
      stopGraceMs: STOP_GRACE,
    });
    const events: SchedulerEvent[] = [];
    const scheduler = new Scheduler({
      clock,
      agents: supervisor,
      memory,
      projects: () => [...projects.values()],
      settings: () => ({ ...defaultSettings, windowEndGraceMinutes: grace }),
      onEvent: (e) => events.push(e),
      formatTime: (t) => new Date(t).toISOString(),
    });
    return { supervisor, scheduler, events };
  };
  /** Runs the clock to `target`, firing each timer at its time and letting its effects finish. */
  const runTo = (target: string | number) =>
    runClockTo(clock, typeof target === 'string' ? at(target) : target);
  const times = (op: string) => backend.calls.filter((c) => c.op === op).map((c) => c.at);
  const dispose = () => rmSync(root, { recursive: true, force: true });
  return { root, clock, backend, folders, projects, add, boot, runTo, times, box, dispose };
}
type World = ReturnType<typeof world>;
type Booted = ReturnType<World['boot']>;

/**
 * Boots a world at `start` whose scheduler ends windows after `grace` minutes, runs `body` on it,
 * and disposes of the scheduler and the world's folders afterwards.
 */
async function inWorld(
  start: string,
  grace: number | undefined,
  body: (w: World, booted: Booted) => Promise<void>,
): Promise<void> {
  const w = world(start);
  const booted = w.boot(grace);
  try {
    await body(w, booted);
  } finally {
    booted.scheduler.dispose();
    w.dispose();
  }
}

const statusIs = (s: AgentSupervisor, id: string, status: AgentStatus) => () =>
  s.state(id).status === status;

test('window end: the real supervisor drains; the stop comes exactly when the grace period ends', async () => {
  await inWorld(`${MON}T21:59:00Z`, 10, async (w, { supervisor, scheduler }) => {
    w.add('p', [schedule('1')]);
    scheduler.start();
    await w.runTo(`${MON}T22:00:00Z`);
    assert.deepEqual(w.times('spawn'), [at(`${MON}T22:00:00Z`)]);
    assert.equal(supervisor.state('p').status, 'running');
    assert.equal(supervisor.state('p').origin, 'schedule');
    // This agent never reports "drained": it is still busy when the grace period ends.
    await w.runTo(`${MON}T23:09:59Z`);
    assert.equal(supervisor.state('p').status, 'draining');
    assert.ok(existsSync(drainFlagPath(w.folders.get('p')!.path)), 'the drain flag is written');
    assert.deepEqual(w.times('terminate'), [], 'no stop during the grace period');
    await w.runTo(`${MON}T23:10:00Z`);
    await until(statusIs(supervisor, 'p', 'stopped'), 'the stop');
    assert.deepEqual(w.times('terminate'), [at(`${MON}T23:10:00Z`)]);
    assert.deepEqual(w.times('kill'), [], 'it ended on SIGTERM');
    assert.equal(scheduler.projectStatus('p')?.stopAt, null);
  });
});

test('window end with an agent that ignores SIGTERM: SIGKILL one stop-grace after the window’s grace', async () => {
  await inWorld(`${MON}T21:59:00Z`, 0, async (w, { supervisor, scheduler }) => {
    w.add('p', [schedule('1')]);
    w.backend.nextOnTerm = 'ignore';
    scheduler.start();
    await w.runTo(`${MON}T23:00:00Z`);
    assert.deepEqual(w.times('terminate'), [at(`${MON}T23:00:00Z`)]);
    await w.runTo(at(`${MON}T23:00:00Z`) + STOP_GRACE);
    await until(statusIs(supervisor, 'p', 'stopped'), 'the forced stop');
    assert.deepEqual(w.times('kill'), [at(`${MON}T23:00:00Z`) + STOP_GRACE]);
  });
});

test('a run that lasts 5 minutes resets the crash counter (real crash reports)', async () => {
  await inWorld(`${MON}T21:59:00Z`, undefined, async (w, { supervisor, scheduler }) => {
    const crash = () => crashAgent(supervisor, w.backend, 'p');
    w.add('p', [schedule('1', { durationMinutes: 240 })]);
    scheduler.start();
    await w.runTo(`${MON}T22:00:01Z`);
    await crash();
    assert.equal(scheduler.projectStatus('p')?.nextRetryAt, at(`${MON}T22:00:11Z`));
    await w.runTo(`${MON}T22:00:11Z`);
    assert.equal(supervisor.state('p').status, 'running');
    await crash(); // after 0 s: a short run
    assert.equal(scheduler.projectStatus('p')?.crashRetries, 2);
    assert.equal(scheduler.projectStatus('p')?.nextRetryAt, at(`${MON}T22:00:41Z`));
    await w.runTo(`${MON}T22:00:41Z`);
    await w.runTo(at(`${MON}T22:00:41Z`) + 5 * 60_000 - 1); // lasts just under 5 minutes
    await crash();
    assert.equal(scheduler.projectStatus('p')?.crashRetries, 3, 'under 5 minutes counts');
    await w.runTo(scheduler.projectStatus('p')?.nextRetryAt as number);
    const started = w.clock.now();
    await w.runTo(started + 5 * 60_000); // lasts 5 minutes
    await crash();
    const st = scheduler.projectStatus('p');
    assert.equal(st?.crashRetries, 1, 'counted from zero again');
    assert.equal(st?.nextRetryAt, w.clock.now() + 10_000, 'the first backoff again');
    assert.equal(w.times('spawn').length, 4);
  });
});

test('disabling the schedule stops the run it started, at once; nothing fires afterwards', async () => {
  await inWorld(`${MON}T22:30:00Z`, undefined, async (w, { supervisor, scheduler }) => {
    const s = schedule('1', { durationMinutes: 120 });
    w.add('p', [s]);
    scheduler.start();
    await settle();
    assert.equal(supervisor.state('p').status, 'running');
    w.projects.set('p', { ...w.projects.get('p')!, schedules: [{ ...s, enabled: false }] });
    scheduler.replan();
    await until(statusIs(supervisor, 'p', 'stopped'), 'the stop');
    assert.deepEqual(w.times('terminate'), [at(`${MON}T22:30:00Z`)]);
    await w.runTo('2026-01-08T00:00:00Z');
    assert.equal(w.times('spawn').length, 1, 'two more nights passed without a start');
  });
});

test('overlapping windows act as one run: one spawn, one stop at the end of the last', async () => {
  await inWorld(`${MON}T21:00:00Z`, 0, async (w, { supervisor, scheduler }) => {
    w.add('p', [
      schedule('a', { startTime: '22:00', durationMinutes: 240 }),
      schedule('b', { startTime: '01:00', durationMinutes: 240 }),
      schedule('c', { startTime: '05:00', durationMinutes: 30 }),
    ]);
    scheduler.start();
    await w.runTo('2026-01-06T06:00:00Z');
    await until(statusIs(supervisor, 'p', 'stopped'), 'the stop');
    assert.deepEqual(w.times('spawn'), [at(`${MON}T22:00:00Z`)]);
    assert.deepEqual(w.times('terminate'), [at('2026-01-06T05:30:00Z')]);
  });
});

test('sleep through a boundary starts within a minute; sleeping through the end drains and stops', async () => {
  await inWorld(`${MON}T21:00:00Z`, 10, async (w, { supervisor, scheduler, events }) => {
    w.add('p', [schedule('1', { durationMinutes: 120 })]);
    scheduler.start();
    w.clock.jump(at(`${MON}T22:30:00Z`)); // asleep 21:00–22:30: no timer ran
    await w.runTo(`${MON}T22:31:00Z`);
    assert.equal(w.times('spawn').length, 1);
    assert.ok(w.times('spawn')[0]! <= at(`${MON}T22:31:00Z`));
    assert.ok(events.some((e) => e.kind === 'clock-changed'));
    w.clock.jump(at('2026-01-06T03:00:00Z'));
    scheduler.replan();
    await settle();
    assert.equal(supervisor.state('p').status, 'draining');
    await w.runTo('2026-01-06T03:10:00Z');
    await until(statusIs(supervisor, 'p', 'stopped'), 'the stop');
    assert.deepEqual(w.times('terminate'), [at('2026-01-06T03:10:00Z')]);
    assert.equal(w.times('spawn').length, 1, 'nothing starts late');
  });
});

test('after a restart the new supervisor adopts the running agent and the scheduler still ends its window', async () => {
  const w = world(`${MON}T21:59:00Z`);
  const first = w.boot(0);
  let second: ReturnType<typeof w.boot> | null = null;
  try {
    w.add('p', [schedule('1', { durationMinutes: 12 })]);
    first.scheduler.start();
    await w.runTo(`${MON}T22:10:00Z`);
    const pid = first.supervisor.state('p').pid as number;
    // The app quits leaving the agent running.
    first.scheduler.dispose();
    await first.supervisor.shutdown('leave-running');
    assert.ok(w.backend.isAlive(pid));
    second = w.boot(0);
    second.supervisor.adoptExisting([...w.folders.values()]);
    const adopted = second.supervisor.state('p');
    assert.equal(adopted.pid, pid, 'the OS (the backend) confirmed the lock');
    assert.equal(adopted.adopted, true);
    assert.equal(adopted.origin, 'schedule');
    second.scheduler.start();
    await w.runTo(`${MON}T22:11:59Z`);
    assert.equal(w.times('spawn').length, 1, 'no second agent');
    assert.equal(second.events.length, 0, 'its own run is no news');
    await w.runTo(`${MON}T22:12:00Z`);
    await until(statusIs(second.supervisor, 'p', 'stopped'), 'the stop at the window’s end');
    assert.deepEqual(w.times('terminate'), [at(`${MON}T22:12:00Z`)]);
    assert.equal(w.backend.isAlive(pid), false);
  } finally {
    first.scheduler.dispose();
    second?.scheduler.dispose();
    w.dispose();
  }
});
