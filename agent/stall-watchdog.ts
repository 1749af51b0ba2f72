/**
 * The stall watchdog of one session: a session that is alive but shows no tool call, text or
 * token progress for `killAfterMs` is ended (its abort is called) and marked stalled, so the
 * orchestrator counts it as an attempt with the reason. 0 disables it. The threshold comes from
 * NIGHTSHIFT_STALL_KILL_MIN, which main sets from the ledger preferences.
 */
export interface StallWatch {
  /** Something happened: the session is not stalled. */
  touch(): void;
  stalled(): boolean;
  stop(): void;
}

export function watchStall(options: {
  killAfterMs: number;
  onStall: () => void;
  now?: () => number;
}): StallWatch {
  const now = options.now ?? Date.now;
  let last = now();
  let stalled = false;
  const timer =
    options.killAfterMs > 0
      ? setInterval(
          () => {
            if (stalled || now() - last < options.killAfterMs) return;
            stalled = true;
            options.onStall();
          },
          Math.max(50, Math.min(30_000, options.killAfterMs / 4)),
        )
      : null;
  timer?.unref?.();
  return {
    touch: () => {
      last = now();
    },
    stalled: () => stalled,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}

export const stalledMessage = (killAfterMs: number): string =>
  `Stalled: no tool call or progress for ${Math.round(killAfterMs / 60_000) || '<1'} min, so the session was ended.`;
