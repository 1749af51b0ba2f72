import type { Clock, TimerHandle } from '../../main/services/clock.ts';

/** A manual clock for tests: time moves only when advanced, firing due timers in order. */
export class FakeClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  private current: number;
  constructor(start: number) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
    return { cancel: () => (this.timers = this.timers.filter((t) => t.id !== id)) };
  }
  pending(): number {
    return this.timers.length;
  }
  nextAt(): number | null {
    return this.timers.reduce<number | null>((m, t) => (m === null || t.at < m ? t.at : m), null);
  }
  /** Moves to `target`, firing every timer due on the way, in time order. */
  advanceTo(target: number): void {
    for (;;) {
      const due = this.timers
        .filter((t) => t.at <= target)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = Math.max(this.current, target);
  }
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }
  /** Jumps the wall clock without firing timers (a clock change or a sleep). */
  jump(to: number): void {
    this.current = to;
  }
}
