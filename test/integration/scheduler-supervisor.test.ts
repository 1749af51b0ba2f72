/**
 * The scheduler driving the real supervisor and real fixture agent processes. Time for the
 * scheduler is a FakeClock (windows, backoffs, grace); the processes run in real time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, type Result, type Schedule } from '../../contract/index.ts';
import { isAlive } from '../../core/process-table.ts';
import { lockPath } from '../../core/run-log.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import {
  Scheduler,
  type SchedulerEvent,
  type SchedulerProject,
} from '../../main/services/scheduler.ts';
import {
  assertAllGone,
  fixtureAgent,
  makeHarness,
  waitFor,
  waitForStatus,
} from '../helpers/supervisor-harness.ts';
import { caller, createBrowserApp } from '../helpers/browser-app.ts';
import { at, everyNight, MON, nightly } from '../helpers/scheduler-setup.ts';

/** The stored schedule `id`: every night with two coding agents, with `p` applied. */
const schedule = (id: string, p: Partial<Schedule> = {}): Schedule =>
  nightly(id, { run: { codingAgents: 2 }, ...p });

function build(opts: { env?: Record<string, string>; start: string; grace?: number }) {
  const h = makeHarness({ ...(opts.env ? { env: opts.env } : {}), stopGraceMs: 2_000 });
  const clock = new FakeClock(at(opts.start));
  const events: SchedulerEvent[] = [];
  const projects = new Map<string, SchedulerProject>();
  const scheduler = new Scheduler({
    clock,
    agents: h.supervisor,
    projects: () => [...projects.values()],
    settings: () => ({ ...defaultSettings, windowEndGraceMinutes: opts.grace ?? 10 }),
    onEvent: (e) => events.push(e),
  });
  const add = (id: string, schedules: Schedule[]) => {
    h.addProject(id);
    projects.set(id, { id, name: id, overrides: {}, schedules });
  };
  const pids: number[] = [];
  h.supervisor.onState((s) => {
    if (s.pid && !pids.includes(s.pid)) pids.push(s.pid);
  });
  const dispose = async () => {
    scheduler.dispose();
    await h.dispose();
    await assertAllGone(pids);
  };
  return { h, clock, events, projects, scheduler, add, pids, dispose };
}

/** Runs `body` on a fresh build (see build), then disposes of it: every agent must be gone. */
async function inBuild(
  opts: Parameters<typeof build>[0],
  body: (t: ReturnType<typeof build>) => Promise<void>,
): Promise<void> {
  const t = build(opts);
  try {
    await body(t);
  } finally {
    await t.dispose();
  }
}

test('a window starts the real agent; its end drains it and the stop follows the drain', async () => {
  await inBuild({ start: `${MON}T21:59:00Z` }, async (t) => {
    t.add('p', [schedule('1')]);
    t.scheduler.start();
    assert.equal(t.h.supervisor.state('p').status, 'stopped');
    t.clock.advanceTo(at(`${MON}T22:00:00Z`));
    const running = await waitForStatus(t.h.supervisor, 'p', 'running');
    assert.equal(running.origin, 'schedule');
    assert.equal(running.settings?.codingAgents, 2, 'the schedule’s run settings reach the agent');
    const pid = running.pid as number;
    assert.ok(isAlive(pid));
    t.clock.advanceTo(at(`${MON}T23:00:00Z`));
    // The fixture honours the drain flag, shows drained, and the scheduler stops it at once.
    await waitForStatus(t.h.supervisor, 'p', 'stopped');
    assert.equal(isAlive(pid), false);
    assert.deepEqual(
      t.events.map((e) => e.kind),
      ['window-started', 'window-ended'],
    );
    assert.equal(t.scheduler.projectStatus('p')?.stopAt, null);
  });
});

test('a crash inside a window is retried after 10 s, 30 s, 90 s, then given up for that window', async () => {
  await inBuild({ start: `${MON}T22:00:00Z`, env: { FIXTURE_CRASH_AFTER: '300' } }, async (t) => {
    t.add('p', [schedule('1')]);
    t.scheduler.start();
    for (const delay of [10_000, 30_000, 90_000]) {
      await waitForStatus(t.h.supervisor, 'p', 'crashed');
      await waitFor(() => t.scheduler.projectStatus('p')?.nextRetryAt, 'a retry to be planned');
      const planned = t.scheduler.projectStatus('p')?.nextRetryAt as number;
      assert.equal(planned, t.clock.now() + delay);
      t.clock.advance(delay - 1);
      assert.equal(t.h.supervisor.state('p').status, 'crashed', 'not before the backoff');
      t.clock.advance(1);
      await waitFor(() => t.h.supervisor.state('p').status !== 'crashed', 'the retry to start');
    }
    await waitForStatus(t.h.supervisor, 'p', 'crashed');
    await waitFor(() => t.scheduler.projectStatus('p')?.gaveUp, 'the scheduler to give up');
    assert.equal(t.events.filter((e) => e.kind === 'retries-exhausted').length, 1);
    t.clock.advance(10 * 60_000);
    assert.equal(t.h.supervisor.state('p').status, 'crashed', 'no more retries in this window');
    assert.equal(t.pids.length, 4);
  });
});

test('window end, real agent still busy: drained first, stopped with SIGTERM exactly when the grace period ends', async () => {
  const signals = join(mkdtempSync(join(tmpdir(), 'nightshift-signals-')), 'signals.log');
  // The agent takes an hour to finish its current work: the grace period runs out first.
  await inBuild(
    {
      start: `${MON}T21:59:00Z`,
      grace: 10,
      env: { FIXTURE_DRAIN_DELAY: '3600000', FIXTURE_SIGNAL_LOG: signals },
    },
    async (t) => {
      t.add('p', [schedule('1')]);
      t.scheduler.start();
      t.clock.advanceTo(at(`${MON}T22:00:00Z`));
      const running = await waitForStatus(t.h.supervisor, 'p', 'running');
      const pid = running.pid as number;
      // Its signal handler is in place once it prints (node loads the fixture first).
      await waitFor(
        () => t.h.supervisor.logs('p').some((l) => l.text.includes('from fixture')),
        'the agent to work',
      );
      t.clock.advanceTo(at(`${MON}T23:00:00Z`));
      await waitForStatus(t.h.supervisor, 'p', 'draining');
      assert.equal(t.scheduler.projectStatus('p')?.stopAt, at(`${MON}T23:10:00Z`));
      t.clock.advanceTo(at(`${MON}T23:09:59Z`));
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(t.h.supervisor.state('p').status, 'draining', 'still in the grace period');
      assert.ok(isAlive(pid));
      assert.equal(existsSync(signals), false, 'no signal during the grace period');
      t.clock.advanceTo(at(`${MON}T23:10:00Z`));
      await waitForStatus(t.h.supervisor, 'p', 'stopped');
      assert.equal(isAlive(pid), false);
      assert.match(readFileSync(signals, 'utf8'), /^\d+ SIGTERM\n$/, 'stopped by one SIGTERM');
      assert.equal(t.scheduler.projectStatus('p')?.stopAt, null);
    },
  );
});

test('a real run that lasts 5 minutes (scheduler time) resets the crash counter', async () => {
  await inBuild({ start: `${MON}T22:00:00Z`, env: { FIXTURE_CRASH_AFTER: '1500' } }, async (t) => {
    t.add('p', [schedule('1', { durationMinutes: 240 })]);
    t.scheduler.start();
    await waitForStatus(t.h.supervisor, 'p', 'crashed');
    await waitFor(() => t.scheduler.projectStatus('p')?.nextRetryAt, 'the first retry');
    assert.equal(t.scheduler.projectStatus('p')?.crashRetries, 1);
    t.clock.advance(10_000);
    await waitForStatus(t.h.supervisor, 'p', 'running');
    // This run lasts 5 minutes of scheduler time before it crashes (1.5 s of real time).
    t.clock.advance(5 * 60_000);
    await waitForStatus(t.h.supervisor, 'p', 'crashed');
    await waitFor(() => t.scheduler.projectStatus('p')?.nextRetryAt, 'the next retry');
    const st = t.scheduler.projectStatus('p');
    assert.equal(st?.crashRetries, 1, 'counted from zero again');
    assert.equal(st?.nextRetryAt, t.clock.now() + 10_000, 'the first backoff, not the second');
    assert.equal(t.pids.length, 2);
  });
});

test('a manual stop inside a window keeps it stopped, and no retry follows it', async () => {
  await inBuild({ start: `${MON}T22:00:00Z` }, async (t) => {
    t.add('p', [schedule('1')]);
    t.scheduler.start();
    await waitForStatus(t.h.supervisor, 'p', 'running');
    await t.h.supervisor.stop('p');
    assert.equal(t.scheduler.projectStatus('p')?.manualStopUntil, at(`${MON}T23:00:00Z`));
    t.scheduler.replan();
    t.clock.advance(30 * 60_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(t.h.supervisor.state('p').status, 'stopped');
    assert.equal(t.pids.length, 1);
  });
});

test('deleting the schedule stops the run it started; equal schedule ids in another project are untouched', async () => {
  await inBuild({ start: `${MON}T22:10:00Z` }, async (t) => {
    t.add('a', [schedule('1')]);
    t.add('b', [schedule('1')]);
    t.scheduler.start();
    const a = await waitForStatus(t.h.supervisor, 'a', 'running');
    const b = await waitForStatus(t.h.supervisor, 'b', 'running');
    t.projects.set('a', { ...(t.projects.get('a') as SchedulerProject), schedules: [] });
    t.scheduler.replan();
    await waitForStatus(t.h.supervisor, 'a', 'stopped');
    assert.equal(isAlive(a.pid as number), false);
    assert.equal(t.h.supervisor.state('b').status, 'running');
    assert.ok(isAlive(b.pid as number));
    // Removing project b from the registry stops its scheduled run too.
    t.projects.delete('b');
    t.scheduler.replan();
    await waitForStatus(t.h.supervisor, 'b', 'stopped');
    t.clock.advance(2 * 24 * 3_600_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(
      t.h.supervisor.state('a').status,
      'stopped',
      'nothing fires for a deleted schedule',
    );
    assert.equal(
      t.h.supervisor.state('b').status,
      'stopped',
      'nothing fires for a removed project',
    );
  });
});

test('a manual start before a window is not stopped at the window’s end', async () => {
  await inBuild({ start: `${MON}T21:30:00Z`, grace: 0 }, async (t) => {
    t.add('p', [schedule('1')]);
    t.scheduler.start();
    const r = await t.h.supervisor.start('p', {
      origin: 'manual',
      settings: { ...defaultSettings.defaults },
    });
    assert.ok(r.ok);
    await waitForStatus(t.h.supervisor, 'p', 'running');
    t.clock.advanceTo(at(`${MON}T23:30:00Z`));
    await new Promise((res) => setTimeout(res, 300));
    const st = t.h.supervisor.state('p');
    assert.equal(st.status, 'running');
    assert.equal(st.origin, 'manual');
  });
});

test('an adopted run its schedule started stays the schedule’s: shown as adopted, its window end stops it', async () => {
  const first = build({ start: `${MON}T22:00:00Z`, grace: 1 });
  const second = makeHarness({ projects: first.h.projects, stopGraceMs: 2_000 });
  const clock = new FakeClock(at(`${MON}T22:20:00Z`));
  const events: SchedulerEvent[] = [];
  const again = new Scheduler({
    clock,
    agents: second.supervisor,
    projects: () => [...first.projects.values()],
    settings: () => ({ ...defaultSettings, windowEndGraceMinutes: 1 }),
    onEvent: (e) => events.push(e),
  });
  try {
    first.add('p', [schedule('1')]);
    first.scheduler.start();
    const running = await waitForStatus(first.h.supervisor, 'p', 'running');
    assert.equal(running.adopted, false);
    const pid = running.pid as number;
    // The app quits leaving the agent running; a new session adopts it.
    first.scheduler.dispose();
    await first.h.supervisor.shutdown('leave-running');
    assert.ok(isAlive(pid));
    second.supervisor.adoptExisting([...first.h.projects.values()]);
    const adopted = second.supervisor.state('p');
    assert.equal(adopted.pid, pid);
    assert.equal(adopted.origin, 'schedule', 'the origin comes from the lock');
    assert.equal(adopted.adopted, true);
    again.start();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(second.supervisor.state('p').pid, pid, 'the scheduler keeps the adopted run');
    assert.equal(events.length, 0, 'its own run is no news: no "window started" notification');
    clock.advanceTo(at(`${MON}T23:00:00Z`));
    // The window end drains the adopted run (the fixture honours the flag) and then stops it.
    await waitForStatus(second.supervisor, 'p', 'stopped');
    assert.equal(isAlive(pid), false);
    assert.ok(
      events.some((e) => e.kind === 'window-ended' && /will be stopped|stopped/.test(e.message)),
    );
  } finally {
    again.dispose();
    await second.supervisor.shutdown('stop-agents');
    await first.dispose();
  }
});

test('projects.remove stops the run its schedule started and removes it; a run started by hand is refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-remove-'));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  const clock = new FakeClock(at(`${MON}T22:05:00Z`));
  const app = await createBrowserApp(dataDir, fixtureAgent(), clock);
  const pids = new Map<string, number[]>();
  app.supervisor.onState((s) => {
    const list = pids.get(s.projectId) ?? [];
    if (s.pid && !list.includes(s.pid)) list.push(s.pid);
    pids.set(s.projectId, list);
  });
  const call = caller(app);
  const addProject = async (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir);
    return await call<{ id: string; path: string }>('projects.add', { name, path: dir });
  };
  const fields = everyNight();
  try {
    const scheduled = await addProject('scheduled');
    const byHand = await addProject('by-hand');
    await call('schedules.add', { id: scheduled.id, schedule: fields });
    await call('schedules.add', { id: byHand.id, schedule: { ...fields, startTime: '08:00' } });
    const running = await waitForStatus(app.supervisor, scheduled.id, 'running');
    assert.equal(running.origin, 'schedule');
    await call('agent.start', { id: byHand.id });
    await waitForStatus(app.supervisor, byHand.id, 'running');

    const refused = (await app.dispatch('projects.remove', { id: byHand.id })) as Result<unknown>;
    assert.equal(refused.ok, false);
    if (!refused.ok) {
      assert.equal(refused.error.code, 'conflict');
      assert.match(refused.error.message, /^The agent of by-hand is running.*Stop it first;.*\.$/);
    }
    assert.equal(app.supervisor.state(byHand.id).status, 'running', 'a refusal changes nothing');
    assert.ok(app.registry.get(byHand.id));

    const removed = await call<{ id: string; message?: string }>('projects.remove', {
      id: scheduled.id,
    });
    assert.equal(removed.id, scheduled.id);
    assert.match(
      removed.message ?? '',
      /scheduled was removed and the run its schedule had started was stopped\./,
    );
    assert.equal(app.registry.get(scheduled.id), null);
    assert.equal(isAlive(running.pid as number), false, 'the scheduled run is gone');
    assert.equal(existsSync(lockPath(scheduled.path)), false, 'its lock is released');
    assert.equal(
      app.scheduling.scheduler.status().some((s) => s.projectId === scheduled.id),
      false,
      'the scheduler forgot the project',
    );
    // The scheduler keeps one timer for every project left; the other is the checkpoints' daily
    // prune, which shares the app's clock.
    assert.equal(
      clock.pending(),
      2,
      'one scheduler timer for everything left, and the daily prune',
    );

    // Two days of windows later: nothing fired for the removed project.
    clock.advance(2 * 24 * 3_600_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(pids.get(scheduled.id), [running.pid]);
    assert.equal(
      app.supervisor.state(byHand.id).status,
      'running',
      'the other project is untouched',
    );
  } finally {
    await app.shutdown('stop-agents');
    await assertAllGone([...pids.values()].flat());
    rmSync(root, { recursive: true, force: true });
  }
});
