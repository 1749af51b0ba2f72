/**
 * Schedule window math, pure and runtime-neutral.
 *
 * A schedule says "on these ISO weekdays, at this local wall-clock time in this IANA zone, for
 * this many minutes". Each occurrence starts at the typed wall-clock time on its local date, in
 * that zone, whatever the UTC offset is that day:
 * - a typed time that does not exist that day (the hour skipped when clocks go forward) starts
 *   at the first valid instant after it, which is the transition itself;
 * - a typed time that exists twice (the hour repeated when clocks go back) starts at its first
 *   occurrence.
 * The end is a wall-clock time too: the local time start + duration on the start date (a later
 * date when it crosses midnight), resolved in the same zone the same way. So "22:00 for 8 hours"
 * is 22:00–06:00 on every night, 7 or 9 real hours on the nights the clocks change, and a daily
 * "00:00 for 1440 minutes" is one continuous window even across a transition. That is what a user
 * who typed a start and a length reads on the clock; elapsed time would shift the end by an hour
 * twice a year and, for back-to-back windows, open a one-hour gap on the fall-back day where the
 * agent drains, stops and restarts. An end that would fall at or before its start (both inside a
 * skipped hour) keeps the typed length instead, so no window vanishes.
 *
 * Zone data comes from the platform's ICU (Intl), the maintained tz database that Node, Electron
 * and Chromium ship; this module only converts with it. Instants are UTC epoch milliseconds and
 * windows are half-open: [start, end).
 */
import type { WindowInstance } from '../contract/schedules.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The fields of a schedule the math needs (a contract `Schedule` fits). */
export interface ScheduleTimes {
  id: string;
  /** ISO weekdays of the local start date: 1 = Monday … 7 = Sunday. */
  days: readonly number[];
  /** "HH:MM", 24-hour, local to `timeZone`. */
  startTime: string;
  timeZone: string;
  durationMinutes: number;
  enabled?: boolean;
}

/** One occurrence of one schedule. */
export interface Occurrence {
  scheduleId: string;
  start: number;
  end: number;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

const isWallField = (type: string): type is keyof WallTime =>
  type === 'year' ||
  type === 'month' ||
  type === 'day' ||
  type === 'hour' ||
  type === 'minute' ||
  type === 'second';

/** The wall-clock reading in `zone` at instant `ts`. */
export function wallTimeAt(zone: string, ts: number): WallTime {
  const out: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let bc = false;
  for (const part of formatterFor(zone).formatToParts(new Date(ts))) {
    if (part.type === 'era') bc = part.value.startsWith('B');
    else if (isWallField(part.type)) out[part.type] = Number(part.value);
  }
  // An hour of 24 is midnight (engines differ on hourCycle).
  out.hour %= 24;
  if (bc) out.year = 1 - out.year;
  return out;
}

/** The zone's UTC offset at instant `ts`, in milliseconds (local = UTC + offset). */
export function offsetAt(zone: string, ts: number): number {
  const w = wallTimeAt(zone, ts);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ts / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `zone` reads the given local time on the given local
 * date: its first occurrence when the time repeats, or the end of the gap when it is skipped.
 */
export function instantOf(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
): number {
  return instantOfWall(zone, Date.UTC(year, month - 1, day, hour, minute));
}

/**
 * `instantOf` for a wall-clock reading written as the UTC instant with the same fields, the form
 * civil arithmetic (adding a duration to a reading) works in.
 */
function instantOfWall(zone: string, wall: number): number {
  // Offsets a day either side bracket any transition near this date.
  const candidates = [wall - offsetAt(zone, wall - DAY_MS), wall - offsetAt(zone, wall + DAY_MS)]
    .filter((t) => t + offsetAt(zone, t) === wall)
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // A gap: find the first minute whose wall reading is at or past the typed time.
  const a = wall - offsetAt(zone, wall - DAY_MS);
  const b = wall - offsetAt(zone, wall + DAY_MS);
  let lo = Math.floor(Math.min(a, b) / MINUTE_MS);
  let hi = Math.ceil(Math.max(a, b) / MINUTE_MS);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const t = mid * MINUTE_MS;
    if (t + offsetAt(zone, t) >= wall) hi = mid;
    else lo = mid + 1;
  }
  return lo * MINUTE_MS;
}

/**
 * The end of an occurrence whose start reads `startWall` on the local clock (instant `start`):
 * the local wall time `durationMs` later in civil arithmetic, resolved like a start.
 */
function wallClockEnd(zone: string, startWall: number, start: number, durationMs: number): number {
  const end = instantOfWall(zone, startWall + durationMs);
  return end > start ? end : start + durationMs;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a civil date. */
export function isoWeekday(year: number, month: number, day: number): number {
  const w = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return w === 0 ? 7 : w;
}

export function parseLocalTime(text: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a time of day in HH:MM form.`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** Occurrences of one schedule that overlap [from, to), in start order. Ignores `enabled`. */
export function occurrences(schedule: ScheduleTimes, from: number, to: number): Occurrence[] {
  if (to <= from || schedule.days.length === 0) return [];
  const { hour, minute } = parseLocalTime(schedule.startTime);
  const duration = schedule.durationMinutes * MINUTE_MS;
  const days = new Set(schedule.days);
  const zone = schedule.timeZone;
  // An occurrence overlapping [from, to) starts after from - duration; one local day of slack
  // either side covers any UTC offset.
  const first = wallTimeAt(zone, from - duration - DAY_MS);
  const last = wallTimeAt(zone, to + DAY_MS);
  const lastKey = Date.UTC(last.year, last.month - 1, last.day);
  const out: Occurrence[] = [];
  for (let key = Date.UTC(first.year, first.month - 1, first.day); key <= lastKey; key += DAY_MS) {
    const d = new Date(key);
    const y = d.getUTCFullYear();
    const mo = d.getUTCMonth() + 1;
    const da = d.getUTCDate();
    if (!days.has(isoWeekday(y, mo, da))) continue;
    const startWall = key + hour * HOUR_MS + minute * MINUTE_MS;
    const start = instantOfWall(zone, startWall);
    const end = wallClockEnd(zone, startWall, start, duration);
    if (end > from && start < to) out.push({ scheduleId: schedule.id, start, end });
  }
  return out;
}

/**
 * The union of windows: overlapping or touching windows become one, carrying every schedule id
 * that contributed (in order of first contribution). Input order does not matter.
 */
export function mergeWindows(list: readonly Occurrence[]): WindowInstance[] {
  const sorted = [...list].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: WindowInstance[] = [];
  for (const o of sorted) {
    const cur = out[out.length - 1];
    if (cur && o.start <= cur.end) {
      if (o.end > cur.end) cur.end = o.end;
      if (!cur.scheduleIds.includes(o.scheduleId)) cur.scheduleIds.push(o.scheduleId);
    } else {
      out.push({ scheduleIds: [o.scheduleId], start: o.start, end: o.end });
    }
  }
  return out;
}

/** How far back and ahead a plan looks: a window lasts at most a day, a week repeats. */
export const LOOKBACK_MS = 2 * DAY_MS + HOUR_MS;
export const LOOKAHEAD_MS = 9 * DAY_MS;

export interface WindowPlan {
  /** The merged window containing `now`, if any. */
  active: WindowInstance | null;
  /** The first merged window starting after `now`. */
  next: WindowInstance | null;
  /**
   * The next instant after `now` at which a window starts or ends, or null if none is known
   * within the lookahead (no enabled schedule).
   */
  nextBoundary: number | null;
  /** The next occurrence (or the current one) of each enabled schedule. */
  upcoming: Occurrence[];
}

/** What the schedules mean at instant `now`. */
export function planAt(schedules: readonly ScheduleTimes[], now: number): WindowPlan {
  const enabled = schedules.filter((s) => s.enabled !== false);
  const from = now - LOOKBACK_MS;
  const to = now + LOOKAHEAD_MS;
  const perSchedule = enabled.map((s) => occurrences(s, from, to));
  const windows = mergeWindows(perSchedule.flat());
  let active: WindowInstance | null = null;
  let next: WindowInstance | null = null;
  let nextBoundary: number | null = null;
  const consider = (t: number) => {
    if (t > now && (nextBoundary === null || t < nextBoundary)) nextBoundary = t;
  };
  for (const w of windows) {
    if (w.start <= now && now < w.end) active = w;
    if (w.start > now && next === null) next = w;
    consider(w.start);
    // A window reaching the edge of the lookahead is cut there: re-plan at the edge.
    consider(Math.min(w.end, to));
  }
  const upcoming: Occurrence[] = [];
  for (const list of perSchedule) {
    const o = list.find((x) => x.end > now);
    if (o) upcoming.push(o);
  }
  if (nextBoundary === null && enabled.length > 0) nextBoundary = to;
  return { active, next, nextBoundary, upcoming };
}
const dayNames = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** "Mon–Fri", "Mon, Wed, Fri", "Every day": short and readable. */
export function describeDays(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return 'Every day';
  const runs: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const a = dayNames[(sorted[i] ?? 1) - 1] ?? '?';
    const b = dayNames[(sorted[j] ?? 1) - 1] ?? '?';
    if (j - i >= 2) runs.push(`${a}–${b}`);
    else for (let k = i; k <= j; k++) runs.push(dayNames[(sorted[k] ?? 1) - 1] ?? '?');
    i = j + 1;
  }
  return runs.join(', ');
}

/** "Mon–Fri 22:00 for 8 h (Europe/Berlin)". */
export function describeSchedule(s: ScheduleTimes): string {
  const h = Math.floor(s.durationMinutes / 60);
  const m = s.durationMinutes % 60;
  const dur = h && m ? `${h} h ${m} min` : h ? `${h} h` : `${m} min`;
  return `${describeDays(s.days)} ${s.startTime} for ${dur} (${s.timeZone})`;
}
