import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HOUR_MS,
  MINUTE_MS,
  describeDays,
  describeSchedule,
  instantOf,
  mergeWindows,
  occurrences,
  offsetAt,
  planAt,
  type ScheduleTimes,
} from '../../core/schedule-window.ts';

const iso = (t: number) => new Date(t).toISOString();
const at = (s: string) => Date.parse(s);

function sched(p: Partial<ScheduleTimes> & Pick<ScheduleTimes, 'timeZone'>): ScheduleTimes {
  return { id: 's', days: [1, 2, 3, 4, 5, 6, 7], startTime: '22:00', durationMinutes: 60, ...p };
}

const starts = (s: ScheduleTimes, from: string, to: string) =>
  occurrences(s, at(from), at(to)).map((o) => iso(o.start));

test('offsets come from the tz database for the zone asked, not the machine', () => {
  assert.equal(offsetAt('America/New_York', at('2026-01-15T12:00:00Z')), -5 * HOUR_MS);
  assert.equal(offsetAt('America/New_York', at('2026-07-15T12:00:00Z')), -4 * HOUR_MS);
  assert.equal(offsetAt('Europe/Berlin', at('2026-01-15T12:00:00Z')), 1 * HOUR_MS);
  assert.equal(offsetAt('Australia/Sydney', at('2026-01-15T12:00:00Z')), 11 * HOUR_MS);
  assert.equal(offsetAt('Australia/Sydney', at('2026-07-15T12:00:00Z')), 10 * HOUR_MS);
  assert.equal(offsetAt('Asia/Kolkata', at('2026-07-15T12:00:00Z')), 5.5 * HOUR_MS);
});

test('America/New_York: the typed wall time holds across both 2026 transitions', () => {
  const s = sched({ timeZone: 'America/New_York', startTime: '22:00' });
  // Spring forward on Sun 8 March 2026 02:00 EST → 03:00 EDT.
  assert.deepEqual(starts(s, '2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'), [
    '2026-03-07T03:00:00.000Z', // Fri 6 Mar 22:00 EST
    '2026-03-08T03:00:00.000Z', // Sat 7 Mar 22:00 EST
    '2026-03-09T02:00:00.000Z', // Sun 8 Mar 22:00 EDT
  ]);
  // Fall back on Sun 1 November 2026 02:00 EDT → 01:00 EST.
  assert.deepEqual(starts(s, '2026-11-01T00:00:00Z', '2026-11-03T00:00:00Z'), [
    '2026-11-01T02:00:00.000Z', // Sat 31 Oct 22:00 EDT
    '2026-11-02T03:00:00.000Z', // Sun 1 Nov 22:00 EST
  ]);
});

test('a skipped local time starts at the first valid instant after it (the transition)', () => {
  // 02:30 does not exist in New York on 8 March 2026: clocks go 01:59:59 EST → 03:00 EDT.
  assert.equal(iso(instantOf('America/New_York', 2026, 3, 8, 2, 30)), '2026-03-08T07:00:00.000Z');
  assert.equal(iso(instantOf('America/New_York', 2026, 3, 8, 2, 0)), '2026-03-08T07:00:00.000Z');
  assert.equal(iso(instantOf('America/New_York', 2026, 3, 8, 3, 0)), '2026-03-08T07:00:00.000Z');
  assert.equal(iso(instantOf('America/New_York', 2026, 3, 8, 1, 59)), '2026-03-08T06:59:00.000Z');
  // Berlin, 29 March 2026: 02:00 CET → 03:00 CEST at 01:00Z.
  assert.equal(iso(instantOf('Europe/Berlin', 2026, 3, 29, 2, 15)), '2026-03-29T01:00:00.000Z');
  // Sydney, 4 October 2026: 02:00 AEST → 03:00 AEDT at 16:00Z on the 3rd.
  assert.equal(iso(instantOf('Australia/Sydney', 2026, 10, 4, 2, 45)), '2026-10-03T16:00:00.000Z');
  const daily = sched({ timeZone: 'America/New_York', startTime: '02:30', durationMinutes: 90 });
  const occ = occurrences(daily, at('2026-03-07T00:00:00Z'), at('2026-03-10T00:00:00Z'));
  assert.deepEqual(
    occ.map((o) => [iso(o.start), iso(o.end)]),
    [
      ['2026-03-07T07:30:00.000Z', '2026-03-07T09:00:00.000Z'],
      // 02:30–04:00 on the clock; 02:00–03:00 does not exist, so 03:00–04:00 EDT.
      ['2026-03-08T07:00:00.000Z', '2026-03-08T08:00:00.000Z'],
      ['2026-03-09T06:30:00.000Z', '2026-03-09T08:00:00.000Z'],
    ],
  );
});

test('a repeated local time starts at its first occurrence', () => {
  // 01:30 happens twice in New York on 1 November 2026; the first is 01:30 EDT = 05:30Z.
  assert.equal(iso(instantOf('America/New_York', 2026, 11, 1, 1, 30)), '2026-11-01T05:30:00.000Z');
  // Berlin, 25 October 2026: 02:30 happens at 00:30Z (CEST) and 01:30Z (CET).
  assert.equal(iso(instantOf('Europe/Berlin', 2026, 10, 25, 2, 30)), '2026-10-25T00:30:00.000Z');
  // Sydney, 5 April 2026: 02:30 happens at 15:30Z (AEDT) and 16:30Z (AEST) on the 4th.
  assert.equal(iso(instantOf('Australia/Sydney', 2026, 4, 5, 2, 30)), '2026-04-04T15:30:00.000Z');
});

test('Europe/Berlin Mon–Fri 22:00 for 8 hours across both 2026 transitions', () => {
  const s = sched({ timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], durationMinutes: 480 });
  const spring = occurrences(s, at('2026-03-26T00:00:00Z'), at('2026-04-01T00:00:00Z'));
  assert.deepEqual(
    spring.map((o) => [iso(o.start), iso(o.end)]),
    [
      ['2026-03-25T21:00:00.000Z', '2026-03-26T05:00:00.000Z'], // Wed (overlaps the range start)
      ['2026-03-26T21:00:00.000Z', '2026-03-27T05:00:00.000Z'], // Thu, CET
      ['2026-03-27T21:00:00.000Z', '2026-03-28T05:00:00.000Z'], // Fri, CET
      ['2026-03-30T20:00:00.000Z', '2026-03-31T04:00:00.000Z'], // Mon, CEST
      ['2026-03-31T20:00:00.000Z', '2026-04-01T04:00:00.000Z'], // Tue (overlaps the range end)
    ],
  );
  const autumn = starts(s, '2026-10-22T12:00:00Z', '2026-10-28T00:00:00Z');
  assert.deepEqual(autumn, [
    '2026-10-22T20:00:00.000Z',
    '2026-10-23T20:00:00.000Z',
    '2026-10-26T21:00:00.000Z',
    '2026-10-27T21:00:00.000Z',
  ]);
});

test('Australia/Sydney: southern-hemisphere transitions and a window across midnight', () => {
  const s = sched({
    timeZone: 'Australia/Sydney',
    days: [6],
    startTime: '23:30',
    durationMinutes: 180,
  });
  // Sat 4 April 23:30 AEDT; the clocks go back at 03:00 on Sunday, inside the window.
  const apr = occurrences(s, at('2026-04-01T00:00:00Z'), at('2026-04-08T00:00:00Z'));
  assert.deepEqual(
    apr.map((o) => [iso(o.start), iso(o.end)]),
    [['2026-04-04T12:30:00.000Z', '2026-04-04T15:30:00.000Z']],
  );
  // Sat 3 October 23:30 AEST; the clocks go forward at 02:00 on Sunday, inside the window.
  assert.deepEqual(starts(s, '2026-10-01T00:00:00Z', '2026-10-08T00:00:00Z'), [
    '2026-10-03T13:30:00.000Z',
  ]);
  // Sat 10 October 23:30 AEDT.
  assert.deepEqual(starts(s, '2026-10-08T00:00:00Z', '2026-10-12T00:00:00Z'), [
    '2026-10-10T12:30:00.000Z',
  ]);
});

test('a window ends at the wall-clock time start + duration on both transition days, in each zone', () => {
  const night = (timeZone: string) => sched({ timeZone, startTime: '22:00', durationMinutes: 480 });
  const windows = (zone: string, from: string, to: string) =>
    occurrences(night(zone), at(from), at(to))
      .filter((o) => o.start >= at(from))
      .map((o) => [iso(o.start), iso(o.end), (o.end - o.start) / HOUR_MS]);
  // 22:00–06:00 on every night: 7 real hours when the clocks go forward, 9 when they go back.
  assert.deepEqual(windows('America/New_York', '2026-03-08T00:00:00Z', '2026-03-08T12:00:00Z'), [
    ['2026-03-08T03:00:00.000Z', '2026-03-08T10:00:00.000Z', 7],
  ]);
  assert.deepEqual(windows('America/New_York', '2026-11-01T00:00:00Z', '2026-11-01T12:00:00Z'), [
    ['2026-11-01T02:00:00.000Z', '2026-11-01T11:00:00.000Z', 9],
  ]);
  assert.deepEqual(windows('Europe/Berlin', '2026-03-28T12:00:00Z', '2026-03-29T12:00:00Z'), [
    ['2026-03-28T21:00:00.000Z', '2026-03-29T04:00:00.000Z', 7],
  ]);
  assert.deepEqual(windows('Europe/Berlin', '2026-10-24T12:00:00Z', '2026-10-25T12:00:00Z'), [
    ['2026-10-24T20:00:00.000Z', '2026-10-25T05:00:00.000Z', 9],
  ]);
  assert.deepEqual(windows('Australia/Sydney', '2026-04-04T06:00:00Z', '2026-04-05T06:00:00Z'), [
    ['2026-04-04T11:00:00.000Z', '2026-04-04T20:00:00.000Z', 9],
  ]);
  assert.deepEqual(windows('Australia/Sydney', '2026-10-03T06:00:00Z', '2026-10-04T06:00:00Z'), [
    ['2026-10-03T12:00:00.000Z', '2026-10-03T19:00:00.000Z', 7],
  ]);
});

test('a skipped end resolves to the first valid instant after it; a repeated one to its first', () => {
  const one = (s: ScheduleTimes, from: string) => {
    const o = occurrences(s, at(from), at(from) + HOUR_MS).find((x) => x.start >= at(from));
    return o ? [iso(o.start), iso(o.end)] : null;
  };
  const cases: [what: string, ScheduleTimes, from: string, window: [string, string]][] = [
    [
      'New York 00:30 for 2 h on 8 March: 02:30 is skipped, so it ends at 03:00 EDT',
      sched({ timeZone: 'America/New_York', startTime: '00:30', durationMinutes: 120 }),
      '2026-03-08T05:00:00Z',
      ['2026-03-08T05:30:00.000Z', '2026-03-08T07:00:00.000Z'],
    ],
    [
      'Sydney Sat 3 October 23:30 for 3 h: Sunday 02:30 is skipped, so it ends at 03:00 AEDT',
      sched({ timeZone: 'Australia/Sydney', days: [6], startTime: '23:30', durationMinutes: 180 }),
      '2026-10-03T13:00:00Z',
      ['2026-10-03T13:30:00.000Z', '2026-10-03T16:00:00.000Z'],
    ],
    [
      'Berlin 00:00 for 150 min on 25 October: 02:30 happens twice; the window ends at the first',
      sched({ timeZone: 'Europe/Berlin', startTime: '00:00', durationMinutes: 150 }),
      '2026-10-24T21:30:00Z',
      ['2026-10-24T22:00:00.000Z', '2026-10-25T00:30:00.000Z'],
    ],
    [
      'both ends inside the skipped hour: the window keeps its typed length instead of vanishing',
      sched({ timeZone: 'America/New_York', startTime: '02:10', durationMinutes: 20 }),
      '2026-03-08T06:30:00Z',
      ['2026-03-08T07:00:00.000Z', '2026-03-08T07:20:00.000Z'],
    ],
  ];
  for (const [what, schedule, from, window] of cases)
    assert.deepEqual(one(schedule, from), window, what);
});

test('a daily 1440-minute window is continuous on the fall-back day in every zone', () => {
  const cases = [
    // zone, local 00:00 of the fall-back day, of the next day, and local 23:30 of that day
    ['America/New_York', '2026-11-01T04:00:00Z', '2026-11-02T05:00:00Z', '2026-11-02T04:30:00Z'],
    ['Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z', '2026-10-25T22:30:00Z'],
    ['Australia/Sydney', '2026-04-04T13:00:00Z', '2026-04-05T14:00:00Z', '2026-04-05T13:30:00Z'],
  ] as const;
  for (const [timeZone, dayStart, nextDay, lateEvening] of cases) {
    const s = sched({ timeZone, startTime: '00:00', durationMinutes: 1440 });
    const o = occurrences(s, at(dayStart), at(dayStart) + 1).find((x) => x.start === at(dayStart));
    assert.equal(iso(o?.end ?? 0), iso(at(nextDay)), `${timeZone}: a 25-hour day ends at midnight`);
    const plan = planAt([s], at(lateEvening));
    assert.ok(plan.active, `${timeZone}: 23:30 on the fall-back day is inside the window`);
    assert.equal(plan.next, null, `${timeZone}: no window starts: the union goes on`);
  }
});

test('windows across midnight belong to the weekday they start on', () => {
  const s = sched({ timeZone: 'UTC', days: [5], startTime: '23:00', durationMinutes: 120 });
  // Friday 2026-01-02 23:00 → Saturday 01:00.
  const plan = planAt([s], at('2026-01-03T00:30:00Z'));
  assert.equal(plan.active?.start, at('2026-01-02T23:00:00Z'));
  assert.equal(plan.active?.end, at('2026-01-03T01:00:00Z'));
  assert.equal(plan.nextBoundary, at('2026-01-03T01:00:00Z'));
  assert.equal(planAt([s], at('2026-01-03T01:00:00Z')).active, null, 'the end is exclusive');
  assert.equal(planAt([s], at('2026-01-02T23:00:00Z')).active?.start, at('2026-01-02T23:00:00Z'));
});

test('overlapping and touching windows merge into their union', () => {
  const a = sched({ id: 'a', timeZone: 'UTC', startTime: '22:00', durationMinutes: 240 });
  const b = sched({ id: 'b', timeZone: 'UTC', startTime: '01:00', durationMinutes: 240 });
  const plan = planAt([a, b], at('2026-01-05T23:00:00Z'));
  assert.equal(iso(plan.active?.start ?? 0), '2026-01-05T22:00:00.000Z');
  assert.equal(iso(plan.active?.end ?? 0), '2026-01-06T05:00:00.000Z');
  assert.deepEqual(plan.active?.scheduleIds, ['a', 'b']);
  // Back to back: [10,11) and [11,12) are one window.
  const merged = mergeWindows([
    { scheduleId: 'y', start: 11, end: 12 },
    { scheduleId: 'x', start: 10, end: 11 },
    { scheduleId: 'z', start: 20, end: 30 },
  ]);
  assert.deepEqual(merged, [
    { scheduleIds: ['x', 'y'], start: 10, end: 12 },
    { scheduleIds: ['z'], start: 20, end: 30 },
  ]);
});

test('a daily 24-hour window never ends and its boundaries never collide', () => {
  const s = sched({ timeZone: 'Europe/Berlin', startTime: '00:00', durationMinutes: 1440 });
  const now = at('2026-03-29T12:00:00Z'); // the 23-hour day: windows overlap by an hour
  const plan = planAt([s], now);
  assert.ok(plan.active);
  assert.ok(plan.active.end - now > 6 * 24 * HOUR_MS, 'the union reaches the lookahead');
  assert.equal(plan.next, null);
});

test('disabled schedules do not count; the next boundary is the nearest start or end', () => {
  const on = sched({ id: 'on', timeZone: 'UTC', days: [3], startTime: '09:00' });
  const off = sched({ id: 'off', timeZone: 'UTC', startTime: '08:00', enabled: false });
  const plan = planAt([on, off], at('2026-01-05T00:00:00Z')); // Monday
  assert.equal(iso(plan.next?.start ?? 0), '2026-01-07T09:00:00.000Z');
  assert.equal(plan.nextBoundary, at('2026-01-07T09:00:00Z'));
  assert.deepEqual(plan.upcoming, [
    { scheduleId: 'on', start: at('2026-01-07T09:00:00Z'), end: at('2026-01-07T10:00:00Z') },
  ]);
  assert.deepEqual(planAt([off], 0), {
    active: null,
    next: null,
    nextBoundary: null,
    upcoming: [],
  });
});

test('descriptions read like a sentence', () => {
  assert.equal(describeDays([1, 2, 3, 4, 5]), 'Mon–Fri');
  assert.equal(describeDays([7, 1, 3]), 'Mon, Wed, Sun');
  assert.equal(describeDays([1, 2, 4, 5, 6]), 'Mon, Tue, Thu–Sat');
  assert.equal(describeDays([1, 2, 3, 4, 5, 6, 7]), 'Every day');
  assert.equal(
    describeSchedule(
      sched({ timeZone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], durationMinutes: 480 }),
    ),
    'Mon–Fri 22:00 for 8 h (Europe/Berlin)',
  );
  assert.equal(
    describeSchedule(sched({ timeZone: 'UTC', durationMinutes: 90 })),
    'Every day 22:00 for 1 h 30 min (UTC)',
  );
  assert.equal(MINUTE_MS * 60, HOUR_MS);
});
