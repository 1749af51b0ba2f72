/** Time is a port: services take a Clock so unit tests can drive a fake one. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // setTimeout overflows past 2^31-1 ms (~24.8 days); callers re-plan on wake anyway.
    const t = setTimeout(fn, Math.min(Math.max(0, ms), 2_147_483_647));
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};
