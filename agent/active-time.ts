/**
 * Time this process could run, for limits that must not expire while the run is paused. The
 * supervisor pauses a run by freezing its whole process group (SIGSTOP); on SIGCONT every timer
 * that came due meanwhile fires at once, so a plain `setTimeout` session limit would end every
 * session the moment a long pause ends. The monotonic clock keeps running while the process is
 * frozen, so a frozen stretch shows as a gap between two ticks of a short interval; such gaps
 * are subtracted.
 *
 * Invariants:
 * - `elapsed` never counts a gap longer than `gapMs` between two observations (a freeze, or an
 *   event loop blocked that long, which is equally not the session's working time);
 * - every reading first observes the clock, so a deadline that fires right after a freeze sees
 *   the freeze whichever timer the event loop runs first;
 * - the ticker is unref'd: it never keeps the process alive.
 */
export interface ActiveMark {
  at: number;
  paused: number;
}

export class ActiveClock {
  private last: number;
  private paused = 0;
  private ticker: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  private readonly tickMs: number;
  private readonly gapMs: number;

  constructor(now: () => number = () => performance.now(), tickMs = 1000, gapMs = 5000) {
    this.now = now;
    this.tickMs = tickMs;
    this.gapMs = gapMs;
    this.last = now();
  }

  /** Notes the time; a gap since the last observation longer than `gapMs` counts as paused. */
  observe(): void {
    const t = this.now();
    const gap = t - this.last;
    if (gap > this.gapMs) this.paused += gap - this.tickMs;
    this.last = t;
  }

  /** Starts observing every `tickMs` (idempotent). */
  start(): void {
    if (this.ticker) return;
    this.last = this.now();
    this.ticker = setInterval(() => this.observe(), this.tickMs);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
  }

  mark(): ActiveMark {
    this.observe();
    return { at: this.last, paused: this.paused };
  }

  /** Active milliseconds since the mark. */
  elapsed(since: ActiveMark): number {
    this.observe();
    return this.last - since.at - (this.paused - since.paused);
  }
}

let shared: ActiveClock | null = null;

/** The process-wide clock, ticking from its first use. */
export function activeClock(): ActiveClock {
  if (!shared) {
    shared = new ActiveClock();
    shared.start();
  }
  return shared;
}

/**
 * Calls `onExpire` once `ms` of active time have passed; paused time does not count. Returns a
 * cancel function.
 */
export function activeDeadline(
  ms: number,
  onExpire: () => void,
  clock: ActiveClock = activeClock(),
): () => void {
  const since = clock.mark();
  let timer: NodeJS.Timeout | null = null;
  const arm = (delay: number): void => {
    timer = setTimeout(
      () => {
        const left = ms - clock.elapsed(since);
        if (left > 0) arm(left);
        else {
          timer = null;
          onExpire();
        }
      },
      Math.max(1, delay),
    );
    timer.unref?.();
  };
  arm(ms);
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
