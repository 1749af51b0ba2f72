import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppError, Result } from '../../../contract/index.ts';

/** The current time, refreshed every `intervalMs` while `active`. */
export function useNow(intervalMs = 1000, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs, active]);
  return now;
}

export interface ActionOutcome {
  kind: 'ok' | 'error';
  message: string;
  field?: string;
}

/**
 * Runs a command and remembers what happened, so the UI can say it: a sentence on success, the
 * server's sentence on failure. Never throws.
 */
export function useAction(): {
  pending: string | null;
  outcome: ActionOutcome | null;
  run: <T>(
    name: string,
    fn: () => Promise<Result<T>>,
    success: (value: T) => string,
  ) => Promise<Result<T>>;
  clear: () => void;
} {
  const [pending, setPending] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<ActionOutcome | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(
    async <T>(
      name: string,
      fn: () => Promise<Result<T>>,
      success: (value: T) => string,
    ): Promise<Result<T>> => {
      setPending(name);
      setOutcome(null);
      let result: Result<T>;
      try {
        result = await fn();
      } catch (error) {
        result = { ok: false, error: toAppError(error) };
      }
      if (mounted.current) {
        setPending(null);
        setOutcome(
          result.ok
            ? { kind: 'ok', message: success(result.value) }
            : { kind: 'error', message: result.error.message, field: result.error.field },
        );
      }
      return result;
    },
    [],
  );
  const clear = useCallback(() => setOutcome(null), []);
  return { pending, outcome, run, clear };
}

export function toAppError(error: unknown): AppError {
  const message =
    error instanceof Error
      ? error.message
      : typeof error === 'string'
        ? error
        : 'Something went wrong in this window. Reload it and try again.';
  return { code: 'internal', message };
}
