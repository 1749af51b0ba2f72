/**
 * Surviving database trouble without blocking the event loop. Connections use a short busy
 * timeout (SQLite then waits synchronously, so it must stay short); what is still busy after it
 * is retried here, asynchronously, with backoff, so timers, streams and heartbeats keep running
 * while another process holds the database.
 *
 * Invariants:
 * - only trouble that can pass is retried: busy or locked, and I/O errors (a full disk, a network
 *   filesystem hiccup); a damaged, replaced or vanished database is not retried;
 * - retries stop after `limitMs`; what stays broken becomes a `DatabaseTrouble` carrying one
 *   sentence for a person (never a stack trace);
 * - errors that are not the database's (a FeatureError, a bug) pass through unchanged.
 */
import { messageOf } from '../contract/result.ts';
export const SHORT_BUSY_TIMEOUT_MS = 100;

export type DbTroubleKind = 'busy' | 'io' | 'damaged' | 'gone';

export class DatabaseTrouble extends Error {
  override name = 'DatabaseTrouble';
  readonly kind: DbTroubleKind;
  constructor(kind: DbTroubleKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

/** SQLite's primary result codes we tell apart (the extended code's low byte). */
const BUSY = 5;
const LOCKED = 6;
const READONLY = 8;
const IOERR = 10;
const CORRUPT = 11;
const FULL = 13;
const CANTOPEN = 14;
const NOTADB = 26;

/** What kind of database trouble an error is, or null when it is not one. */
export function dbTroubleOf(error: unknown): DbTroubleKind | null {
  if (error instanceof DatabaseTrouble) return error.kind;
  if (!(error instanceof Error)) return null;
  const e = error as Error & { errcode?: unknown; code?: unknown };
  const code = typeof e.errcode === 'number' ? e.errcode & 0xff : null;
  const text = e.message;
  if (code === BUSY || code === LOCKED || /database (?:table )?is locked|SQLITE_BUSY/i.test(text))
    return 'busy';
  if (code === CORRUPT || code === NOTADB || /malformed|not a database|SQLITE_CORRUPT/i.test(text))
    return 'damaged';
  if (code === CANTOPEN || code === READONLY || /unable to open|readonly database/i.test(text))
    return 'gone';
  if (code === IOERR || code === FULL || /disk I\/O error|database or disk is full/i.test(text))
    return 'io';
  return null;
}

/** One sentence for a person about database trouble that did not pass. */
export function troubleSentence(kind: DbTroubleKind, path: string, detail: string): string {
  switch (kind) {
    case 'busy':
      return `The features database (${path}) stayed locked by another program; the run stopped. Close what holds it, then start again.`;
    case 'io':
      return `The features database (${path}) could not be read or written (${detail}); the run stopped. Check the disk, then start again.`;
    case 'damaged':
      return `The features database (${path}) is damaged (${detail}); the run stopped. Restore it from a backup or a checkpoint, then start again.`;
    case 'gone':
      return `The features database (${path}) was removed or replaced while the run was going on; the run stopped. Put it back, then start again.`;
  }
}

/** Backoff between tries while database trouble lasts: 50 ms, doubling, at most 2 s. */
export const RETRY_FIRST_DELAY_MS = 50;
export const RETRY_MAX_DELAY_MS = 2000;

/**
 * Whether an error is trouble that can pass (busy or locked, an I/O error), so worth another
 * try. A `DatabaseTrouble` is a verdict already given: it is not tried again.
 */
export function troublePasses(error: unknown): boolean {
  if (error instanceof DatabaseTrouble) return false;
  const kind = dbTroubleOf(error);
  return kind === 'busy' || kind === 'io';
}

export interface RetryOptions {
  /** Give up after this long (from the first failure); Infinity: while the trouble lasts. */
  limitMs: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait (for a log line). */
  onRetry?: (kind: DbTroubleKind, attempt: number, delayMs: number) => void;
  /** Replaceable for tests, and by callers whose waits must end when they are disposed. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The one retry loop for database work: runs `fn` (synchronous), and while it fails with trouble
 * that passes, waits with backoff and tries again, for at most `limitMs`. Any other error, or
 * the last one when the time is up, is thrown as it is.
 */
export async function retryWhilePassing<T>(fn: () => T, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepMs;
  let delay = options.firstDelayMs ?? RETRY_FIRST_DELAY_MS;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return fn();
    } catch (error) {
      if (!troublePasses(error) || now() - started >= options.limitMs) throw error;
      options.onRetry?.(dbTroubleOf(error)!, attempt, delay);
      await sleep(delay);
      delay = Math.min(delay * 2, options.maxDelayMs ?? RETRY_MAX_DELAY_MS);
    }
  }
}

/**
 * Runs `fn` (synchronous work on the features database at `path`) through `retryWhilePassing`.
 * Throws `DatabaseTrouble` with a sentence when the trouble does not pass.
 */
export async function retryDb<T>(path: string, fn: () => T, options: RetryOptions): Promise<T> {
  try {
    return await retryWhilePassing(fn, options);
  } catch (error) {
    const kind = dbTroubleOf(error);
    if (kind === null || error instanceof DatabaseTrouble) throw error;
    throw new DatabaseTrouble(kind, troubleSentence(kind, path, messageOf(error)));
  }
}
