import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result } from '../../../contract/index.ts';
import { toAppError } from '../actions/call.ts';

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

/**
 * A form's submit: busy while `send` runs, then the error it gives back (null: none). `setError`
 * shows a problem the form finds itself, before anything is sent.
 */
export function useFormSubmit<E>(): {
  busy: boolean;
  error: E | null;
  setError: (error: E | null) => void;
  submit: (send: () => Promise<E | null>) => Promise<void>;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<E | null>(null);
  const submit = async (send: () => Promise<E | null>) => {
    setBusy(true);
    setError(null);
    const failed = await send();
    setBusy(false);
    setError(failed);
  };
  return { busy, error, setError, submit };
}

/**
 * Local edits on top of a value owned by main: the draft, a setter, and whether it differs.
 * When main's value changes (an event, another window's save) the edits are dropped.
 */
export function useDraft<T>(current: T): [T, (value: T) => void, boolean] {
  const key = JSON.stringify(current);
  const [draft, setDraft] = useState<{ key: string; value: T }>({ key, value: current });
  const value = draft.key === key ? draft.value : current;
  return [value, (v: T) => setDraft({ key, value: v }), JSON.stringify(value) !== key];
}
