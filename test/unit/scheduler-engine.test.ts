import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../helpers/fake-clock.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import {
  Scheduler,
  type SchedulerEvent,
  type SchedulerMemory,
  type SchedulerProject,
  type SchedulerSnapshot,
} from '../../main/services/scheduler.ts';
import { defaultSettings, type Schedule, type ScheduleStatus } from '../../contract/index.ts';
import { at, MON, nightly as schedule } from '../helpers/scheduler-setup.ts';
import { FakeAgents, settle } from './scheduler-fakes.ts';

function setup(opts: {
  start: string;
  projects: SchedulerProject[];
  grace?: number;
  memory?: SchedulerMemory;
  clock?: FakeClock;
  agents?: FakeAgents;
}) {
  const clock = opts.clock ?? new FakeClock(at(opts.start));
  const agents = opts.agents ?? new FakeAgents(clock);
  const events: SchedulerEvent[] = [];
  const bus = new EventBus();
  const statuses: ScheduleStatus[][] = [];
  bus.on('schedules.changed', (s) => statuses.push(s));
  let projects = opts.projects;
  const scheduler = new Scheduler({
    clock,
    agents,
    bus,
    projects: () => projects,
    settings: () => ({
      ...defaultSettings,
      defaults: { model: 'claude-opus-4-6', yolo: false, codingAgents: 1, regressionAgents: 1 },
      windowEndGraceMinutes: opts.grace ?? 10,
    }),
    onEvent: (e) => events.push(e),
    ...(opts.memory ? { memory: opts.memory } : {}),
    formatTime: (t) => new Date(t).toISOString(),
  });
  const runTo = async (target: string | number) => {
    const to = typeof target === 'string' ? at(target) : target;
    await settle();
    for (;;) {
      const next = clock.nextAt();
      if (next === null || next > to) break;
      clock.advanceTo(next);
      await settle();
    }
    clock.advanceTo(to);
    await settle();
  };
  return {
    clock,
    agents,
    scheduler,
    events,
    statuses,
    bus,
    runTo,
    setProjects: (p: SchedulerProject[]) => {
      projects = p;
      bus.emit('projects.changed', []);
    },
  };
}

const project = (id: string, schedules: Schedule[], overrides = {}): SchedulerProject => ({
  id,
  name: id,
  overrides,
  schedules,
});

const kinds = (events: SchedulerEvent[], projectId?: string) =>
  events.filter((e) => !projectId || e.projectId === projectId).map((e) => e.kind);

test('a window opens: the agent starts with schedule → project → global settings', async () => {
  const s = schedule('1', { startTime: '22:00', run: { model: 'claude-sonnet-4-6', yolo: true } });
  const t = setup({
    start: `${MON}T21:00:00Z`,
    projects: [project('p', [s], { codingAgents: 3, yolo: false })],
  });
  t.scheduler.start();
  assert.equal(t.agents.of('p', 'start').length, 0);
  await t.runTo(`${MON}T22:00:00Z`);
  const starts = t.agents.of('p', 'start');
  assert.equal(starts.length, 1);
  assert.equal(starts[0]?.at, at(`${MON}T22:00:00Z`));
  assert.equal(starts[0]?.origin, 'schedule');
  assert.deepEqual(starts[0]?.settings, {
    model: 'claude-sonnet-4-6',
    yolo: true,
    codingAgents: 3,
    regressionAgents: 1,
  });
  assert.deepEqual(kinds(t.events), ['window-started']);
  const st = t.scheduler.projectStatus('p');
  assert.equal(st?.activeWindow?.end, at(`${MON}T23:00:00Z`));
  assert.ok(t.statuses.length > 0, 'schedules.changed was emitted');
  t.scheduler.dispose();
});

test('window end: drain, then stop after the grace period; a finished drain stops at once', async () => {
  const t = setup({
    start: `${MON}T21:59:00Z`,
    projects: [project('p', [schedule('1')])],
    grace: 10,
  });
  t.scheduler.start();
  await t.runTo(`${MON}T23:05:00Z`);
  assert.deepEqual(
    t.agents.of('p', 'drain').map((a) => a.at),
    [at(`${MON}T23:00:00Z`)],
  );
  assert.equal(t.agents.of('p', 'stop').length, 0, 'still draining in the grace period');
  assert.equal(t.scheduler.projectStatus('p')?.stopAt, at(`${MON}T23:10:00Z`));
  await t.runTo(`${MON}T23:30:00Z`);
  assert.deepEqual(
    t.agents.of('p', 'stop').map((a) => a.at),
    [at(`${MON}T23:10:00Z`)],
  );
  assert.equal(t.agents.state('p').status, 'stopped');
  assert.deepEqual(kinds(t.events), ['window-started', 'window-ended']);

  // The next night the drain finishes by itself: the stop follows at once.
  t.agents.drainCompletes = true;
  await t.runTo(`2026-01-06T23:01:00Z`);
  assert.deepEqual(
    t.agents
      .of('p', 'stop')
      .map((a) => a.at)
      .slice(1),
    [at('2026-01-06T23:00:00Z')],
  );
  t.scheduler.dispose();
});

test('grace 0 stops at the end; a frozen (paused) scheduled run is stopped at once', async () => {
  const t = setup({
    start: `${MON}T21:59:00Z`,
    projects: [project('p', [schedule('1')])],
    grace: 0,
  });
  t.scheduler.start();
  await t.runTo(`${MON}T23:00:00Z`);
  assert.deepEqual(
    t.agents.of('p', 'stop').map((a) => a.at),
    [at(`${MON}T23:00:00Z`)],
  );
  assert.equal(t.agents.of('p', 'drain').length, 0);
  t.scheduler.dispose();

  const u = setup({
    start: `${MON}T21:59:00Z`,
    projects: [project('p', [schedule('1')])],
    grace: 10,
  });
  u.scheduler.start();
  await u.runTo(`${MON}T22:30:00Z`);
  await u.agents.pause('p');
  await u.runTo(`${MON}T23:00:00Z`);
  assert.deepEqual(
    u.agents.of('p', 'stop').map((a) => a.at),
    [at(`${MON}T23:00:00Z`)],
  );
  u.scheduler.dispose();
});

test('app start inside a window starts the agent at once', async () => {
  const t = setup({ start: `${MON}T22:30:00Z`, projects: [project('p', [schedule('1')])] });
  t.scheduler.start();
  await settle();
  assert.deepEqual(
    t.agents.of('p', 'start').map((a) => a.at),
    [at(`${MON}T22:30:00Z`)],
  );
  t.scheduler.dispose();
});

test('a manual stop inside a window holds until that window ends; the next window starts again', async () => {
  const t = setup({
    start: `${MON}T21:59:00Z`,
    projects: [project('p', [schedule('1', { durationMinutes: 120 })])],
  });
  t.scheduler.start();
  await t.runTo(`${MON}T22:10:00Z`);
  await t.agents.stop('p'); // the user's stop, through the supervisor
  await settle();
  const st = t.scheduler.projectStatus('p');
  assert.equal(st?.manualStopUntil, at('2026-01-06T00:00:00Z'));
  // A crash report or a replan inside the window must not restart it.
  t.scheduler.replan();
  await t.runTo(`${MON}T23:59:00Z`);
  assert.equal(t.agents.of('p', 'start').length, 1);
  assert.equal(t.agents.state('p').status, 'stopped');
  await t.runTo('2026-01-06T22:00:00Z');
  assert.equal(t.agents.of('p', 'start').length, 2, 'the next window starts it');
  assert.equal(t.scheduler.projectStatus('p')?.manualStopUntil, null);
  t.scheduler.dispose();
});

test('a manual start outside any window is never stopped by the scheduler', async () => {
  const t = setup({
    start: `${MON}T21:00:00Z`,
    projects: [project('p', [schedule('1')])],
    grace: 0,
  });
  t.scheduler.start();
  await t.agents.manualStart('p');
  await t.runTo(`${MON}T23:30:00Z`);
  assert.equal(t.agents.of('p', 'start').length, 1, 'the window did not start a second run');
  assert.equal(t.agents.of('p', 'stop').length, 0, 'and its end did not stop the manual one');
  assert.equal(t.agents.state('p').status, 'running');
  assert.deepEqual(kinds(t.events), ['window-started', 'window-ended']);
  assert.match(t.events[0]?.message ?? '', /already running/);
  assert.match(t.events[1]?.message ?? '', /started by hand/);
  t.scheduler.dispose();
});

test('crash inside a window: retries after 10 s, 30 s, 90 s, then gives up and says so', async () => {
  const t = setup({ start: `${MON}T21:59:00Z`, projects: [project('p', [schedule('1')])] });
  t.scheduler.start();
  await t.runTo(`${MON}T22:00:00Z`);
  const t22 = at(`${MON}T22:00:00Z`);
  let crashAt = t22 + 1000;
  const expectedStarts = [t22];
  for (const delay of [10_000, 30_000, 90_000]) {
    await t.runTo(crashAt);
    t.agents.crash('p');
    await settle();
    assert.equal(t.scheduler.projectStatus('p')?.nextRetryAt, crashAt + delay);
    expectedStarts.push(crashAt + delay);
    await t.runTo(crashAt + delay);
    crashAt += delay + 1000;
  }
  await t.runTo(crashAt);
  t.agents.crash('p');
  await t.runTo(`${MON}T22:59:00Z`);
  assert.deepEqual(
    t.agents.of('p', 'start').map((a) => a.at),
    expectedStarts,
  );
  const st = t.scheduler.projectStatus('p');
  assert.equal(st?.gaveUp, true);
  assert.equal(st?.crashRetries, 3);
  assert.equal(kinds(t.events).filter((k) => k === 'retries-exhausted').length, 1);
  assert.match(t.events.find((e) => e.kind === 'retries-exhausted')?.message ?? '', /4 times/);
  // The next window starts fresh.
  await t.runTo('2026-01-06T22:00:00Z');
  assert.equal(t.agents.of('p', 'start').length, 5);
  assert.equal(t.scheduler.projectStatus('p')?.gaveUp, false);
  assert.equal(t.scheduler.projectStatus('p')?.crashRetries, 0);
  t.scheduler.dispose();
});

test('a run that lasts resets the crash counter', async () => {
  const t = setup({
    start: `${MON}T21:59:00Z`,
    projects: [project('p', [schedule('1', { durationMinutes: 240 })])],
  });
  t.scheduler.start();
  await t.runTo(`${MON}T22:00:01Z`);
  t.agents.crash('p');
  await t.runTo(`${MON}T22:00:11Z`);
  t.agents.crash('p');
  await settle();
  assert.equal(t.scheduler.projectStatus('p')?.crashRetries, 2);
  await t.runTo(`${MON}T22:00:41Z`); // second retry starts
  await t.runTo(`${MON}T22:30:00Z`); // lasts 29 minutes
  t.agents.crash('p');
  await settle();
  const st = t.scheduler.projectStatus('p');
  assert.equal(st?.crashRetries, 1, 'counted from zero again');
  assert.equal(st?.nextRetryAt, at(`${MON}T22:30:10Z`));
  t.scheduler.dispose();
});

test('no retry after a manual stop, even one that lands during the backoff', async () => {
  const t = setup({ start: `${MON}T21:59:00Z`, projects: [project('p', [schedule('1')])] });
  t.scheduler.start();
  await t.runTo(`${MON}T22:01:00Z`);
  t.agents.crash('p');
  await settle();
  assert.ok(t.scheduler.projectStatus('p')?.nextRetryAt);
  // The supervisor refuses to stop a crashed agent, so the router tells the scheduler.
  t.scheduler.noteManualStop('p');
  await t.runTo(`${MON}T22:59:00Z`);
  assert.equal(t.agents.of('p', 'start').length, 1);
  assert.equal(t.scheduler.projectStatus('p')?.nextRetryAt, null);
  t.scheduler.dispose();
});

test('a failed start inside a window is retried like a crash', async () => {
  const t = setup({ start: `${MON}T21:59:00Z`, projects: [project('p', [schedule('1')])] });
  t.agents.failStartWith = 'The project folder is missing.';
  t.scheduler.start();
  await t.runTo(`${MON}T22:00:00Z`);
  assert.equal(t.scheduler.projectStatus('p')?.nextRetryAt, at(`${MON}T22:00:10Z`));
  t.agents.failStartWith = null;
  await t.runTo(`${MON}T22:00:10Z`);
  assert.equal(t.agents.state('p').status, 'running');
  assert.ok(kinds(t.events).includes('start-failed'));
  t.scheduler.dispose();
});

test('deleting or disabling a schedule stops the run it started and leaves nothing firing', async () => {
  for (const change of ['delete', 'disable'] as const) {
    const s = schedule('1', { durationMinutes: 120 });
    const t = setup({ start: `${MON}T22:30:00Z`, projects: [project('p', [s])] });
    t.scheduler.start();
    await settle();
    assert.equal(t.agents.state('p').status, 'running');
    t.setProjects([project('p', change === 'delete' ? [] : [{ ...s, enabled: false }])]);
    await settle();
    assert.deepEqual(
      t.agents.of('p', 'stop').map((a) => a.at),
      [at(`${MON}T22:30:00Z`)],
      change,
    );
    assert.equal(t.scheduler.projectStatus('p')?.activeWindow, null);
    await t.runTo('2026-01-20T00:00:00Z');
    assert.equal(t.agents.of('p', 'start').length, 1, `${change}: nothing fires afterwards`);
    t.scheduler.dispose();
  }
});

test('removing the project stops its scheduled run and forgets it; a manual run elsewhere is untouched', async () => {
  const t = setup({
    start: `${MON}T22:30:00Z`,
    projects: [project('a', [schedule('1')]), project('b', [])],
  });
  t.scheduler.start();
  await t.agents.manualStart('b');
  await settle();
  t.setProjects([project('b', [])]);
  await settle();
  assert.equal(t.agents.state('a').status, 'stopped');
  assert.equal(t.agents.state('b').status, 'running');
  assert.equal(t.scheduler.projectStatus('a'), null);
  assert.deepEqual(
    t.scheduler.status().map((s) => s.projectId),
    ['b'],
  );
  await t.runTo('2026-01-10T00:00:00Z');
  assert.equal(t.agents.of('a', 'start').length, 1);
  t.scheduler.dispose();
});

test('deleting a schedule leaves a manual run alone', async () => {
  const s = schedule('1', { durationMinutes: 120 });
  const t = setup({ start: `${MON}T21:00:00Z`, projects: [project('p', [s])] });
  t.scheduler.start();
  await t.agents.manualStart('p');
  await t.runTo(`${MON}T22:30:00Z`);
  t.setProjects([project('p', [])]);
  await settle();
  assert.equal(t.agents.state('p').status, 'running');
  t.scheduler.dispose();
});

test('overlapping windows of a project act as one: one start, one end', async () => {
  const t = setup({
    start: `${MON}T21:00:00Z`,
    projects: [
      project('p', [
        schedule('a', { startTime: '22:00', durationMinutes: 240 }),
        schedule('b', { startTime: '01:00', durationMinutes: 240 }),
        schedule('c', { startTime: '05:00', durationMinutes: 30 }), // touches b's end
      ]),
    ],
    grace: 0,
  });
  t.scheduler.start();
  await t.runTo('2026-01-06T06:00:00Z');
  assert.deepEqual(
    t.agents.of('p', 'start').map((a) => a.at),
    [at(`${MON}T22:00:00Z`)],
  );
  assert.deepEqual(
    t.agents.of('p', 'stop').map((a) => a.at),
    [at('2026-01-06T05:30:00Z')],
  );
  t.scheduler.dispose();
});

test('a daily 24-hour schedule runs without a stop at the seams', async () => {
  const t = setup({
    start: `${MON}T00:00:00Z`,
    projects: [project('p', [schedule('1', { startTime: '00:00', durationMinutes: 1440 })])],
  });
  t.scheduler.start();
  await t.runTo('2026-01-20T00:00:00Z');
  assert.equal(t.agents.of('p', 'start').length, 1);
  assert.equal(t.agents.of('p', 'stop').length, 0);
  assert.equal(t.agents.of('p', 'drain').length, 0);
  t.scheduler.dispose();
});

test('two projects with schedules of the same id never interfere', async () => {
  const t = setup({
    start: `${MON}T20:00:00Z`,
    projects: [
      project('a', [schedule('1', { startTime: '21:00', durationMinutes: 60 })]),
      project('b', [schedule('1', { startTime: '22:00', durationMinutes: 120 })]),
    ],
    grace: 0,
  });
  t.scheduler.start();
  await t.runTo(`${MON}T21:30:00Z`);
  assert.equal(t.agents.state('a').status, 'running');
  assert.equal(t.agents.state('b').status, 'stopped');
  // Deleting a's schedule "1" leaves b's schedule "1" in place.
  t.setProjects([
    project('a', []),
    project('b', [schedule('1', { startTime: '22:00', durationMinutes: 120 })]),
  ]);
  await t.runTo('2026-01-06T01:00:00Z');
  assert.deepEqual(
    t.agents.of('a', 'start').map((a) => a.at),
    [at(`${MON}T21:00:00Z`)],
  );
  assert.deepEqual(
    t.agents.of('a', 'stop').map((a) => a.at),
    [at(`${MON}T21:30:00Z`)],
  );
  assert.deepEqual(
    t.agents.of('b', 'start').map((a) => a.at),
    [at(`${MON}T22:00:00Z`)],
  );
  assert.deepEqual(
    t.agents.of('b', 'stop').map((a) => a.at),
    [at('2026-01-06T00:00:00Z')],
  );
  t.scheduler.dispose();
});

test('skip next window, per project and for all', async () => {
  const t = setup({
    start: `${MON}T12:00:00Z`,
    projects: [
      project('a', [schedule('1')]),
      project('b', [schedule('1', { startTime: '23:00' })]),
      project('c', []),
    ],
    grace: 0,
  });
  t.scheduler.start();
  const r = t.scheduler.skipNext('a', true);
  assert.ok(r.ok);
  assert.equal(t.scheduler.projectStatus('a')?.skipNext, true);
  const none = t.scheduler.skipNext('c', true);
  assert.equal(none.ok, false);
  if (!none.ok) assert.match(none.error.message, /no upcoming window/);
  await t.runTo(`${MON}T23:30:00Z`);
  assert.equal(t.agents.of('a', 'start').length, 0, 'a skipped tonight');
  assert.equal(t.agents.of('b', 'start').length, 1, 'b did not');
  assert.equal(t.scheduler.projectStatus('a')?.activeSkipped, false);
  assert.ok(kinds(t.events, 'a').includes('window-skipped'));
  assert.equal(t.scheduler.projectStatus('a')?.skipNext, false, 'the skip was used up');
  // Global skip: every project with a next window skips it.
  const all = t.scheduler.skipNext(undefined, true);
  assert.ok(all.ok);
  assert.deepEqual(
    t.scheduler.status().map((s) => [s.projectId, s.skipNext]),
    [
      ['a', true],
      ['b', true],
      ['c', false],
    ],
  );
  await t.runTo('2026-01-07T00:30:00Z');
  assert.equal(t.agents.of('a', 'start').length, 0);
  assert.equal(t.agents.of('b', 'start').length, 1);
  // Un-skip for all: the following night runs.
  t.scheduler.skipNext(undefined, true);
  t.scheduler.skipNext(undefined, false);
  await t.runTo('2026-01-08T00:30:00Z');
  assert.equal(t.agents.of('a', 'start').length, 1);
  assert.equal(t.agents.of('b', 'start').length, 2);
  t.scheduler.dispose();
});

test('a wall-clock jump (sleep through a boundary) is noticed within a minute; replan() at once', async () => {
  const t = setup({
    start: `${MON}T21:00:00Z`,
    projects: [project('p', [schedule('1', { durationMinutes: 120 })])],
  });
  t.scheduler.start();
  // The machine sleeps at 21:00 and wakes at 22:30: timers did not run during the sleep.
  t.clock.jump(at(`${MON}T22:30:00Z`));
  await t.runTo(at(`${MON}T22:31:00Z`));
  assert.equal(t.agents.of('p', 'start').length, 1);
  assert.ok(kinds(t.events).includes('clock-changed'));
  assert.ok(t.agents.of('p', 'start')[0]!.at <= at(`${MON}T22:31:00Z`));
  // Sleeping through a whole window: it is over, nothing starts late, the run is stopped.
  t.clock.jump(at('2026-01-06T03:00:00Z'));
  t.scheduler.replan();
  await settle();
  assert.equal(t.agents.state('p').status, 'draining');
  await t.runTo('2026-01-06T03:10:00Z');
  assert.equal(t.agents.state('p').status, 'stopped');
  assert.equal(t.agents.of('p', 'start').length, 1);
  t.scheduler.dispose();
});

test('a window opening during the previous window’s drain keeps the run', async () => {
  const t = setup({
    start: `${MON}T21:59:00Z`,
    projects: [
      project('p', [
        schedule('a', { startTime: '22:00', durationMinutes: 60 }),
        schedule('b', { startTime: '23:05', durationMinutes: 60 }),
      ]),
    ],
    grace: 10,
  });
  t.agents.drainCompletes = false;
  t.scheduler.start();
  await t.runTo(`${MON}T23:06:00Z`);
  assert.equal(t.agents.of('p', 'start').length, 1);
  assert.equal(t.agents.of('p', 'stop').length, 0);
  assert.equal(t.scheduler.projectStatus('p')?.stopAt, null);
  assert.equal(t.agents.state('p').status, 'draining');
  // Once the drain finishes, the run resumes for the new window instead of stopping.
  t.agents.drained('p');
  await settle();
  assert.equal(t.agents.state('p').status, 'running');
  assert.equal(t.agents.of('p', 'resume').length, 1);
  await t.runTo(`${MON}T23:30:00Z`);
  assert.equal(t.agents.of('p', 'stop').length, 0, 'the old grace period did not stop it');
  await t.runTo('2026-01-06T00:15:00Z');
  assert.deepEqual(
    t.agents.of('p', 'stop').map((a) => a.at),
    [at('2026-01-06T00:15:00Z')],
  );
  t.scheduler.dispose();
});

test('overrides and ownership survive an app restart through the memory port', async () => {
  const box: { saved: SchedulerSnapshot | null } = { saved: null };
  const memory: SchedulerMemory = {
    load: () => box.saved,
    save: (s) => {
      box.saved = structuredClone(s);
    },
  };
  const clock = new FakeClock(at(`${MON}T21:59:00Z`));
  const agents = new FakeAgents(clock);
  const first = setup({
    start: '',
    clock,
    agents,
    projects: [project('p', [schedule('1', { durationMinutes: 120 })])],
    memory,
  });
  first.scheduler.start();
  await first.runTo(`${MON}T22:10:00Z`);
  await agents.stop('p');
  await settle();
  first.scheduler.dispose();
  assert.equal(box.saved?.projects['p']?.manualStopUntil, at('2026-01-06T00:00:00Z'));
  // The app restarts inside the same window: the manual stop still holds.
  const second = setup({
    start: '',
    clock,
    agents,
    projects: [project('p', [schedule('1', { durationMinutes: 120 })])],
    memory,
  });
  second.scheduler.start();
  await second.runTo(`${MON}T23:00:00Z`);
  assert.equal(agents.of('p', 'start').length, 1);
  second.scheduler.dispose();
  // Without the manual stop, a restart inside the window starts the agent again.
  const third = setup({
    start: '',
    clock,
    agents,
    projects: [project('p', [schedule('1', { durationMinutes: 120 })])],
  });
  third.scheduler.start();
  await settle();
  assert.equal(agents.of('p', 'start').length, 2);
  third.scheduler.dispose();
});
