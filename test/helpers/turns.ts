/**
 * Letting promise chains and file writes finish between fake-clock steps, for tests that drive
 * the real supervisor and scheduler over a FakeClock.
 */
import type { FakeClock } from './fake-clock.ts';

/** Lets the supervisor's promise chains and its run-log writes finish (no fake time passes). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Turns the event loop until `predicate` holds (at most 5 s of real time). */
export async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** Runs the clock to `to`, firing each timer at its time and letting its effects finish. */
export async function runClockTo(clock: FakeClock, to: number): Promise<void> {
  await settle();
  for (;;) {
    const next = clock.nextAt();
    if (next === null || next > to) break;
    clock.advanceTo(next);
    // One turn per timer (an adopted run's log is polled every 200 ms of fake time); tests wait
    // with until() where a stop's file writes must finish.
    await new Promise((r) => setImmediate(r));
  }
  clock.advanceTo(to);
  await settle();
}
