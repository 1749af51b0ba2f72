/**
 * A simulated year (2026) with a fake clock: the projects of test/helpers/scheduler-year.ts, with
 * schedules in New York, Berlin and Sydney, every start, drain and stop instant asserted against an oracle that knows the
 * 2026 transitions from a hand-written table (not from Intl).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateYear, yearEnd, yearStart } from '../helpers/scheduler-year.ts';

const H = 3_600_000;
const M = 60_000;

/** 2026 offsets from UTC, in hours, with the instants they change (from the zones' rules). */
const table: Record<string, { std: number; dst: number; from: number; to: number }> = {
  'America/New_York': {
    std: -5,
    dst: -4,
    from: Date.parse('2026-03-08T07:00Z'),
    to: Date.parse('2026-11-01T06:00Z'),
  },
  'Europe/Berlin': {
    std: 1,
    dst: 2,
    from: Date.parse('2026-03-29T01:00Z'),
    to: Date.parse('2026-10-25T01:00Z'),
  },
  // Southern hemisphere: standard time in the middle of the year.
  'Australia/Sydney': {
    std: 10,
    dst: 11,
    from: Date.parse('2026-10-03T16:00Z'),
    to: Date.parse('2026-04-04T16:00Z'),
  },
};

function offsetHours(zone: string, t: number): number {
  const z = table[zone];
  if (!z) throw new Error(zone);
  const inDst = z.from < z.to ? t >= z.from && t < z.to : t >= z.from || t < z.to;
  return inDst ? z.dst : z.std;
}

/** The oracle: the instant a wall time occurs on a local date (first occurrence; gap → transition). */
function oracle(zone: string, y: number, mo: number, d: number, hh: number, mm: number): number {
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  const cands = [table[zone]!.dst, table[zone]!.std]
    .map((o) => wall - o * H)
    .filter((t) => offsetHours(zone, t) * H + t === wall)
    .sort((a, b) => a - b);
  if (cands[0] !== undefined) return cands[0];
  const z = table[zone]!;
  // In a gap: the transition into summer time.
  return z.from;
}

function expected(
  zone: string,
  days: number[],
  hh: number,
  mm: number,
  dur: number,
  from: number,
  to: number,
) {
  const out: { start: number; end: number }[] = [];
  for (let t = Date.UTC(2025, 11, 28); t < Date.UTC(2027, 0, 3); t += 24 * H) {
    const d = new Date(t);
    const wd = d.getUTCDay() === 0 ? 7 : d.getUTCDay();
    if (!days.includes(wd)) continue;
    const start = oracle(zone, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), hh, mm);
    // The end is the wall-clock time start + duration (civil arithmetic), resolved the same way.
    const e = new Date(t + (hh * 60 + mm + dur) * M);
    const wallEnd = oracle(
      zone,
      e.getUTCFullYear(),
      e.getUTCMonth() + 1,
      e.getUTCDate(),
      e.getUTCHours(),
      e.getUTCMinutes(),
    );
    const end = wallEnd > start ? wallEnd : start + dur * M;
    if (start >= from && start < to) out.push({ start, end });
  }
  return out;
}

test('a simulated year: every start, drain and stop lands on the instant the schedules say', async () => {
  const t0 = yearStart;
  const t1 = yearEnd;
  const grace = 10;
  // Counted, not timed (bench/scheduler-year.ts prints the time): the scheduler wakes at most
  // once a minute (it is level-triggered), plus once per action at a window's edge.
  const { agents, wakes } = await simulateYear(grace);

  const cases = [
    { id: 'berlin', zone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], hh: 22, mm: 0, dur: 480 },
    {
      id: 'newyork',
      zone: 'America/New_York',
      days: [1, 2, 3, 4, 5, 6, 7],
      hh: 2,
      mm: 30,
      dur: 60,
    },
    { id: 'sydney', zone: 'Australia/Sydney', days: [6, 7], hh: 23, mm: 30, dur: 180 },
  ];
  for (const c of cases) {
    const windows = expected(c.zone, c.days, c.hh, c.mm, c.dur, t0, t1);
    const starts = agents.of(c.id, 'start').map((a) => a.at);
    const drains = agents.of(c.id, 'drain').map((a) => a.at);
    const stops = agents.of(c.id, 'stop').map((a) => a.at);
    assert.deepEqual(
      starts.map(iso),
      windows.map((w) => iso(w.start)),
      `${c.id}: starts`,
    );
    assert.deepEqual(
      drains.map(iso),
      windows.filter((w) => w.end < t1).map((w) => iso(w.end)),
      `${c.id}: drains`,
    );
    assert.deepEqual(
      stops.map(iso),
      windows.filter((w) => w.end + grace * M < t1).map((w) => iso(w.end + grace * M)),
      `${c.id}: stops`,
    );
    for (const a of agents.of(c.id, 'start')) assert.equal(a.origin, 'schedule');
  }
  assert.equal(agents.of('berlin', 'start').length, 261, 'every weekday of 2026 but 1 January');
  // A daily 24-hour window never drains: not even on the 25-hour day in October.
  assert.equal(agents.of('always', 'start').length, 1);
  assert.deepEqual(agents.of('always', 'drain'), []);
  assert.deepEqual(agents.of('always', 'stop'), []);
  // 8 March in New York: "02:30 for 60 min" reads 03:00–03:30 EDT on the clock.
  assert.ok(agents.of('newyork', 'drain').some((a) => a.at === Date.parse('2026-03-08T07:30Z')));
  // 4 October in Sydney: Sunday 02:30 does not exist, so Saturday's window ends at 03:00 AEDT.
  assert.ok(agents.of('sydney', 'drain').some((a) => a.at === Date.parse('2026-10-03T16:00Z')));
  assert.equal(agents.of('newyork', 'start').length, 364, 'every day but 1 January (before t0)');
  // The 8 March New York window starts at the transition, 03:00 EDT.
  assert.ok(agents.of('newyork', 'start').some((a) => a.at === Date.parse('2026-03-08T07:00Z')));
  const minutes = Math.ceil((t1 - t0) / M);
  assert.ok(
    wakes <= minutes + agents.actions.length,
    `${wakes} wakes in ${minutes} minutes with ${agents.actions.length} actions`,
  );
});

const iso = (t: number) => new Date(t).toISOString();
