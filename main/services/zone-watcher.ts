/**
 * Notices the machine's time zone (or its UTC offset) changing: a trip, a manual change, a DST
 * transition. Schedules carry their own IANA zone, so their instants do not move; but the times
 * main shows (tray labels, notification texts, log lines) are in the machine's zone, as is the
 * default for new schedules, so a change re-plans the scheduler and refreshes what shows them.
 * Nothing in Node or Electron reports such a change, so it is polled (once a minute, on the
 * injected clock) and checked at once on wake.
 */
import type { Clock } from './clock.ts';

export interface ZoneReading {
  /** IANA name, e.g. "Europe/Berlin". */
  zone: string;
  /** Local = UTC + offset, in milliseconds, at the instant read. */
  offsetMs: number;
}

/**
 * The machine's zone now. V8 caches the zone it read at start-up; assigning (or deleting) TZ in
 * Node makes it read the system's configuration again, so the value reflects a change made
 * while the app runs.
 */
export function readSystemZone(now: number): ZoneReading {
  const tz = process.env.TZ;
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
  return {
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    offsetMs: -new Date(now).getTimezoneOffset() * 60_000,
  };
}

export interface ZoneWatcherOptions {
  clock: Clock;
  /** Where readings come from (tests inject one; the app reads the system's). */
  read?(now: number): ZoneReading;
  onChange(next: ZoneReading, previous: ZoneReading): void;
}

/**
 * Compares readings; it keeps no timer of its own: the scheduler's one timer, which fires at
 * least once a minute, calls `check()` (so does a wake from sleep).
 */
export class ZoneWatcher {
  private readonly options: ZoneWatcherOptions;
  private last: ZoneReading;

  constructor(options: ZoneWatcherOptions) {
    this.options = options;
    this.last = this.read();
  }

  /** Compares with the last reading; reports a change and returns whether there was one. */
  check(): boolean {
    const previous = this.last;
    const next = this.read();
    this.last = next;
    if (next.zone === previous.zone && next.offsetMs === previous.offsetMs) return false;
    this.options.onChange(next, previous);
    return true;
  }

  current(): ZoneReading {
    return this.last;
  }

  private read(): ZoneReading {
    return (this.options.read ?? readSystemZone)(this.options.clock.now());
  }
}

/** "Europe/Berlin (UTC+02:00)". */
export function describeZone(r: ZoneReading): string {
  const sign = r.offsetMs < 0 ? '−' : '+';
  const minutes = Math.abs(r.offsetMs) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `${r.zone} (UTC${sign}${hh}:${mm})`;
}
