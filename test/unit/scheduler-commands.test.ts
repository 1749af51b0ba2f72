/**
 * The schedule commands as a client reaches them (app.dispatch: the boundary's zod parse, then
 * the schedules service), on real files: every refusal is a sentence naming what to fix, and a
 * refused request changes nothing on disk or in the plan. Then the engine's one-timer rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, type Result, type Schedule } from '../../contract/index.ts';
import { createNodeApp } from '../../main/server/node-app.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { Scheduler, type SchedulerProject } from '../../main/services/scheduler.ts';
import { MAX_SCHEDULES_PER_PROJECT } from '../../main/services/schedule-store.ts';
import { FakeAgents, settle } from './scheduler-fakes.ts';

// Disabled: this test runs on the real clock, and an enabled window that happens to be open when
// CI runs would start (and retry) the project between two snapshots. Refusals do not depend on it.
const valid = {
  days: [1, 2, 3, 4, 5],
  startTime: '22:00',
  timeZone: 'Europe/Berlin',
  durationMinutes: 480,
  enabled: false,
  run: {},
};

/** "schedule.days: Pick at least one day." — an optional field path, then a sentence. */
function assertSentence(message: string, what: string): void {
  const text = message.replace(/^[\w.]+: /, '');
  assert.match(text, /^[A-Z0-9"].*[.!]$/s, `${what}: "${message}" is not a sentence`);
  assert.ok(text.split(' ').length >= 3, `${what}: "${message}" is too short to act on`);
}

test('schedule commands refuse bad input with sentences and change nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-schedcmd-'));
  const app = await createNodeApp({ dataDir: join(root, 'data') });
  try {
    const dir = join(root, 'proj');
    mkdirSync(dir);
    const added = (await app.dispatch('projects.add', { name: 'proj', path: dir })) as Result<{
      id: string;
    }>;
    assert.ok(added.ok);
    const id = added.value.id;
    const first = (await app.dispatch('schedules.add', {
      id,
      schedule: valid,
    })) as Result<Schedule>;
    assert.ok(first.ok);
    const file = join(root, 'data', 'nightshift.json');
    const snapshot = () => ({
      disk: readFileSync(file, 'utf8'),
      status: JSON.stringify(app.scheduling.scheduler.status()),
    });

    const cases: [string, string, unknown, RegExp, string?][] = [
      [
        'no days',
        'schedules.add',
        { id, schedule: { ...valid, days: [] } },
        /at least one day/,
        'schedule.days',
      ],
      [
        'duplicate days',
        'schedules.add',
        { id, schedule: { ...valid, days: [1, 1] } },
        /once/,
        'schedule.days',
      ],
      [
        'a day out of range',
        'schedules.add',
        { id, schedule: { ...valid, days: [8] } },
        /7/,
        'schedule.days.0',
      ],
      [
        'bad time',
        'schedules.add',
        { id, schedule: { ...valid, startTime: '24:00' } },
        /HH:MM/,
        'schedule.startTime',
      ],
      [
        'bad time form',
        'schedules.add',
        { id, schedule: { ...valid, startTime: '9pm' } },
        /HH:MM/,
        'schedule.startTime',
      ],
      [
        'bad zone',
        'schedules.add',
        { id, schedule: { ...valid, timeZone: 'Mars/Olympus' } },
        /IANA time zone/,
        'schedule.timeZone',
      ],
      [
        'empty zone',
        'schedules.add',
        { id, schedule: { ...valid, timeZone: '' } },
        /time zone/,
        'schedule.timeZone',
      ],
      [
        'duration 0',
        'schedules.add',
        { id, schedule: { ...valid, durationMinutes: 0 } },
        /between 1 and 1440/,
        'schedule.durationMinutes',
      ],
      [
        'duration 1441',
        'schedules.add',
        { id, schedule: { ...valid, durationMinutes: 1441 } },
        /between 1 and 1440/,
        'schedule.durationMinutes',
      ],
      [
        'fractional duration',
        'schedules.add',
        { id, schedule: { ...valid, durationMinutes: 1.5 } },
        /whole number/,
        'schedule.durationMinutes',
      ],
      ['unknown project', 'schedules.add', { id: 'nope', schedule: valid }, /not registered/],
      [
        'unknown project (edit)',
        'schedules.update',
        { id: 'nope', scheduleId: first.value.id, schedule: valid },
        /not registered/,
      ],
      [
        'unknown schedule',
        'schedules.update',
        { id, scheduleId: 'nope', schedule: valid },
        /does not exist/,
      ],
      [
        'bad edit',
        'schedules.update',
        { id, scheduleId: first.value.id, schedule: { ...valid, days: [] } },
        /at least one day/,
        'schedule.days',
      ],
      [
        'unknown schedule (remove)',
        'schedules.remove',
        { id, scheduleId: 'nope' },
        /does not exist/,
      ],
      [
        'skip without a next window',
        'schedules.skipNext',
        { id: 'nope', skip: true },
        /not registered/,
      ],
    ];
    for (const [what, command, input, pattern, field] of cases) {
      const before = snapshot();
      const r = (await app.dispatch(command, input)) as Result<unknown>;
      assert.equal(r.ok, false, `${what}: refused`);
      if (r.ok) continue;
      assert.match(r.error.message, pattern, what);
      assertSentence(r.error.message, what);
      if (field) assert.equal(r.error.field, field, `${what}: names the field`);
      assert.deepEqual(snapshot(), before, `${what}: nothing changed`);
    }

    // The limit: 50 schedules, then a sentence saying what to do.
    for (let i = 1; i < MAX_SCHEDULES_PER_PROJECT; i++) {
      const r = (await app.dispatch('schedules.add', {
        id,
        schedule: { ...valid, startTime: `${String(i % 24).padStart(2, '0')}:00` },
      })) as Result<Schedule>;
      assert.ok(r.ok, `schedule ${i + 1} is accepted`);
    }
    const before = snapshot();
    const over = (await app.dispatch('schedules.add', { id, schedule: valid })) as Result<unknown>;
    assert.equal(over.ok, false);
    if (!over.ok) {
      assert.equal(over.error.code, 'conflict');
      assert.equal(
        over.error.message,
        `proj already has ${MAX_SCHEDULES_PER_PROJECT} schedules, the most a project can have. Remove one first.`,
      );
    }
    assert.deepEqual(snapshot(), before, 'the 51st changes nothing');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as {
      projects: { schedules: unknown[] }[];
    };
    assert.equal(saved.projects[0]?.schedules.length, MAX_SCHEDULES_PER_PROJECT);
  } finally {
    await app.shutdown('stop-agents');
    rmSync(root, { recursive: true, force: true });
  }
});

test('the engine keeps exactly one pending timer through windows, retries, stops and edits', async () => {
  const clock = new FakeClock(Date.parse('2026-01-05T21:00:00Z'));
  const agents = new FakeAgents(clock);
  const sched = (id: string, startTime: string, durationMinutes = 60): Schedule => ({
    id,
    createdAt: '2026-01-01T00:00:00Z',
    days: [1, 2, 3, 4, 5, 6, 7],
    startTime,
    timeZone: 'UTC',
    durationMinutes,
    enabled: true,
    run: {},
  });
  let projects: SchedulerProject[] = [
    { id: 'a', name: 'a', overrides: {}, schedules: [sched('1', '22:00')] },
    {
      id: 'b',
      name: 'b',
      overrides: {},
      schedules: [sched('1', '22:30', 30), sched('2', '23:50')],
    },
  ];
  const scheduler = new Scheduler({
    clock,
    agents,
    projects: () => projects,
    settings: () => ({ ...defaultSettings, windowEndGraceMinutes: 5 }),
  });
  assert.equal(clock.pending(), 0, 'nothing before start');
  scheduler.start();
  const one = async (what: string) => {
    await settle();
    assert.equal(clock.pending(), 1, `one timer after ${what}`);
  };
  await one('start');
  for (let i = 0; i < 6; i++) {
    scheduler.replan();
    await one(`re-plan ${i}`);
  }
  clock.advanceTo(Date.parse('2026-01-05T22:00:00Z'));
  await one('a window opened');
  clock.advanceTo(Date.parse('2026-01-05T22:30:00Z'));
  await one('a second project’s window opened');
  agents.crash('a');
  await one('a crash (a retry is planned)');
  const retrying = scheduler.projectStatus('a');
  // The UI says "retry 1 of 3" from these, not from a number of its own.
  assert.equal(retrying?.crashRetries, 1);
  assert.equal(retrying?.maxRetries, 3);
  clock.advance(10_000);
  await one('the retry');
  scheduler.noteManualStop('b');
  await one('a manual stop');
  assert.ok(scheduler.skipNext(undefined, true).ok);
  await one('skip next for all');
  projects = projects.map((p) => (p.id === 'a' ? { ...p, schedules: [] } : p));
  scheduler.replan();
  await one('a schedule deleted');
  clock.jump(Date.parse('2026-01-06T03:00:00Z'));
  clock.advance(60_000);
  await one('a clock jump');
  for (let i = 0; i < 3 * 24 * 60; i += 7) {
    clock.advance(7 * 60_000);
    if (i % 70 === 0) await one(`minute ${i}`);
  }
  projects = [];
  scheduler.replan();
  await one('every project removed');
  scheduler.dispose();
  assert.equal(clock.pending(), 0, 'none after dispose');
});
