/**
 * What a Claude session's SDK messages and errors say about the provider: was the request refused
 * for a rate or usage limit, and until when; did the credentials fail; was the provider
 * unreachable, overloaded (529, which is not a limit of the account) or failing (5xx), or could
 * Claude Code not start at all (infrastructure: never the feature's fault); or was it another
 * error.
 * Pure functions over the SDK's message shapes, so they are unit-tested on realistic messages and
 * the session loop only folds their answers together.
 *
 * Where the reset time comes from, best first: the SDK's `rate_limit_event.resetsAt` (claude.ai
 * subscriptions); a reset time written in an error text (Claude Code's usage-limit messages
 * "resets 3pm (Europe/London)", the older "usage limit reached|<epoch>", or a provider saying
 * "try again at <time>" / "retry after N seconds"); and the delay of Claude Code's own 429 retry
 * (`api_retry.retry_delay_ms`), which is where a 429's `retry-after` ends up: the bundled Claude
 * Code (2.1.330, checked against the fake server) honours that header itself and never passes it
 * on; it does not read `anthropic-ratelimit-requests-reset` at all; and it does not retry (nor
 * report) a `retry-after` it finds too long, which then leaves only the caller's backoff. The
 * `rate_limit_event` is documented for claude.ai subscriptions; with an API key it did not appear
 * even when the 429 carried `anthropic-ratelimit-unified-*` headers. Prose is only read from
 * error texts (synthetic API-error messages, error results, thrown errors), never from the model's own
 * words, so a feature that prints "401 Unauthorized" in its tests is not an auth failure.
 */
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { DAY_MS, instantOf, wallTimeAt } from '../core/schedule-window.ts';

export interface Observation {
  /** The provider refused for a rate or usage limit and the request failed. */
  rateLimited?: true;
  /** Epoch ms the provider gave for when requests may succeed again (a hint even without a refusal). */
  resetAt?: number;
  /** Where `resetAt` came from, for the hold message. */
  resetSource?: string;
  /** How long Claude Code waited before retrying a 429 (its reading of the retry-after header). */
  retryDelayMs?: number;
  /** The credentials or account were refused (401/403, invalid key, not logged in, expired OAuth). */
  authFailed?: true;
  /** The provider could not be reached or failed, or Claude Code could not start: nobody's fault. */
  unavailable?: Unavailable;
  /** The error text, when the message was an error. */
  error?: string;
}

/** Why a session could not get through, when it is the infrastructure's doing. */
export type Unavailable = 'unreachable' | 'overloaded' | 'server-error' | 'cannot-start';

export type Verdict =
  | { kind: 'ok' }
  | { kind: 'unavailable'; reason: Unavailable; detail: string }
  | { kind: 'rate-limit'; until: number | null; source: string | null; detail: string }
  | { kind: 'auth'; detail: string }
  | { kind: 'error'; detail: string };

/** SDKAssistantMessageError values that no retry fixes: the user must fix credentials or account. */
const AUTH_ERRORS = new Set([
  'authentication_failed',
  'oauth_org_not_allowed',
  'cloud_credential_error',
  'account_on_hold',
  'verification_required',
  'billing_error',
]);

const AUTH_TEXT =
  /invalid (?:x-api-key|api key)|authentication[_ ](?:failed|error)|not logged in|please run \/login|oauth token (?:has )?(?:expired|revoked)|token (?:has )?expired|\b401\b[^\n]*unauthori[sz]ed|\b403\b[^\n]*forbidden|credit balance (?:is )?too low|invalid bearer token/i;

const RATE_TEXT =
  /rate[_ ]?limit|too many requests|\b429\b|usage limit|hit your (?:\w+ )*limit|quota exceeded/i;

/** A 529: the provider is overloaded (not a limit of this account). */
const OVERLOADED_TEXT = /\b529\b|overloaded/i;
const NETWORK_TEXT =
  /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|fetch failed|connection (?:refused|reset|error|failed|closed)|network error|unable to connect|request timed out|timed out|timeout/i;
const SERVER_TEXT =
  /\b5\d\d\b|internal server error|bad gateway|service unavailable|gateway timeout|server[_ -]error|api_error/i;
/** Claude Code (or its sandbox) could not start at all. */
const START_TEXT =
  /native binary not found|executable not found|spawn \S+ ENOENT|ENOENT|EACCES|failed to start|could not start|bubblewrap|bwrap|sandbox/i;

function unavailableOf(text: string, status?: number | null): Unavailable | undefined {
  if (status === 529 || OVERLOADED_TEXT.test(text)) return 'overloaded';
  if (typeof status === 'number' && status >= 500) return 'server-error';
  if (NETWORK_TEXT.test(text)) return 'unreachable';
  if (SERVER_TEXT.test(text)) return 'server-error';
  return undefined;
}

/** Epoch seconds or milliseconds to epoch ms. */
const epochMs = (n: number): number => (n < 1e12 ? n * 1000 : n);

/** Keeps reset times sane: in the future and at most two days away. */
function plausible(ts: number | null, now: number): number | null {
  if (ts === null || !Number.isFinite(ts)) return null;
  if (ts <= now - 60_000 || ts > now + 2 * DAY_MS) return null;
  return ts;
}

function validZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The next instant (after `now`) at which the wall clock in `zone` reads hour:minute. */
function nextWallTime(zone: string, hour: number, minute: number, now: number): number {
  const today = wallTimeAt(zone, now);
  for (let addDays = 0; addDays <= 2; addDays++) {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + addDays));
    const t = instantOf(
      zone,
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      hour,
      minute,
    );
    if (t > now) return t;
  }
  return now + DAY_MS;
}

/**
 * A reset time written in an error text, or null. Understands Claude Code's usage-limit wording
 * ("resets 3pm (America/New_York)", "resets at 10:30am", "usage limit reached|1767225600"),
 * absolute times ("try again at 2026-12-01T13:00:00Z", "resets at 13:00 UTC") and relative ones
 * ("retry after 30 seconds", "try again in 5 minutes", "Retry-After: 20").
 */
export function resetTimeFromText(text: string, now = Date.now()): number | null {
  const pipe = /limit reached\|(\d{9,13})\b/i.exec(text);
  if (pipe) return plausible(epochMs(Number(pipe[1])), now);

  const iso =
    /(?:resets?|try again|retry|available again)(?:\s+(?:at|on|after))?\s+(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)/i.exec(
      text,
    );
  if (iso) {
    const raw = iso[1]!.replace(' ', 'T');
    const withZone = /Z|[+-]\d{2}:?\d{2}$/.test(raw) ? raw : `${raw}Z`;
    return plausible(Date.parse(withZone), now);
  }

  const relative =
    /(?:retry(?:-after)?|try again)(?:\s+(?:after|in))?[\s:]+(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hours?)?\b/i.exec(
      text,
    );
  if (relative) {
    const n = Number(relative[1]);
    const unit = (relative[2] ?? 's').toLowerCase();
    const factor =
      unit.startsWith('ms') || unit.startsWith('milli')
        ? 1
        : unit.startsWith('h')
          ? 3_600_000
          : unit.startsWith('m')
            ? 60_000
            : 1000;
    return plausible(now + n * factor, now);
  }

  // Wall-clock: "resets 3pm (Europe/London)", "resets at 10:30 am", "resets at 15:00 UTC".
  const wall =
    /(?:resets?|try again|available again)(?:\s+at)?\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*(?:\(([^)]+)\)|(UTC|GMT))?/i.exec(
      text,
    );
  if (wall && (wall[2] !== undefined || wall[3] !== undefined)) {
    let hour = Number(wall[1]);
    const minute = wall[2] ? Number(wall[2]) : 0;
    const meridiem = wall[3]?.toLowerCase();
    if (meridiem === 'pm' && hour < 12) hour += 12;
    if (meridiem === 'am' && hour === 12) hour = 0;
    if (hour > 23 || minute > 59) return null;
    const named = (wall[4] ?? wall[5] ?? '').trim();
    const zone =
      named === '' || /^(?:utc|gmt)$/i.test(named)
        ? named === ''
          ? Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
          : 'UTC'
        : named;
    if (!validZone(zone)) return null;
    return plausible(nextWallTime(zone, hour, minute, now), now);
  }
  return null;
}

/** Classifies an error text (a thrown error, an error result, a synthetic API-error message). */
export function classifyErrorText(text: string, now = Date.now()): Observation {
  const obs: Observation = { error: text };
  if (AUTH_TEXT.test(text)) obs.authFailed = true;
  else if (RATE_TEXT.test(text)) obs.rateLimited = true;
  else {
    const unavailable = START_TEXT.test(text) ? 'cannot-start' : unavailableOf(text);
    if (unavailable) obs.unavailable = unavailable;
  }
  const reset = obs.rateLimited ? resetTimeFromText(text, now) : null;
  if (reset !== null) {
    obs.resetAt = reset;
    obs.resetSource = 'the reset time in the provider’s message';
  }
  return obs;
}

/**
 * Classifies an error Claude Code's run threw. Before the session started (no init message), an
 * error that is not the provider's refusal means Claude Code or its sandbox could not start.
 */
export function classifyThrown(text: string, started: boolean, now = Date.now()): Observation {
  const obs = classifyErrorText(text, now);
  if (!started && !obs.authFailed && !obs.rateLimited) obs.unavailable = 'cannot-start';
  return obs;
}

function byStatus(status: number | null | undefined): Observation {
  if (status === 401 || status === 403) return { authFailed: true };
  if (status === 429) return { rateLimited: true };
  return {};
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return typeof content === 'string' ? content : '';
  return content
    .map((b: unknown) =>
      b && typeof b === 'object' && (b as { type?: unknown }).type === 'text'
        ? String((b as { text?: unknown }).text ?? '')
        : '',
    )
    .join('\n');
}

/**
 * What one SDK message says about the provider, or null when it says nothing. Extra fields that
 * Claude Code writes but the SDK's types do not declare (`api_error_status` on synthetic
 * assistant messages, `is_api_error_message`) are read defensively.
 */
export function classifyMessage(message: SDKMessage, now = Date.now()): Observation | null {
  switch (message.type) {
    case 'rate_limit_event': {
      const info = message.rate_limit_info;
      const rejected = info.status === 'rejected';
      const resets = rejected ? info.resetsAt : undefined;
      if (!rejected) return null;
      const at = resets ? plausible(epochMs(resets), now) : null;
      return {
        rateLimited: true,
        ...(at !== null ? { resetAt: at, resetSource: 'the reset time the provider gave' } : {}),
      };
    }
    case 'system': {
      if (message.subtype !== 'api_retry') return null;
      if (AUTH_ERRORS.has(message.error) || message.error_status === 401)
        return {
          authFailed: true,
          error: `API ${message.error_status ?? ''} ${message.error}`.trim(),
        };
      if (message.error === 'rate_limit' || message.error_status === 429) {
        // Claude Code waits what the 429's retry-after asked for; if its last retry fails too,
        // the same wait from then is the best estimate of when the next request succeeds.
        const delay = message.retry_delay_ms;
        return Number.isFinite(delay) && delay > 0 && delay <= 2 * DAY_MS
          ? { retryDelayMs: delay }
          : null;
      }
      return null;
    }
    case 'auth_status':
      return message.error ? { authFailed: true, error: message.error } : null;
    case 'assistant': {
      const extra = message as { api_error_status?: number | null; is_api_error_message?: boolean };
      const isApiError = message.error !== undefined || extra.is_api_error_message === true;
      if (!isApiError) return null;
      const text = textOf(message.message.content);
      const obs: Observation = {
        ...classifyErrorText(text, now),
        ...byStatus(extra.api_error_status),
      };
      if (message.error && AUTH_ERRORS.has(message.error)) {
        obs.authFailed = true;
        delete obs.rateLimited;
      } else if (message.error === 'rate_limit') obs.rateLimited = true;
      if (obs.authFailed) delete obs.rateLimited;
      if (!obs.authFailed && !obs.rateLimited) {
        const status = extra.api_error_status;
        const unavailable =
          message.error === 'overloaded'
            ? 'overloaded'
            : (unavailableOf(text, status) ??
              (message.error === 'server_error' ? 'server-error' : undefined));
        if (unavailable) obs.unavailable = unavailable;
        else delete obs.unavailable;
      } else delete obs.unavailable;
      return obs;
    }
    case 'result': {
      const extra = message as { api_error_status?: number | null };
      if (!message.is_error && message.subtype === 'success') return null;
      const text =
        message.subtype === 'success' ? message.result : (message.errors ?? []).join('; ');
      const obs: Observation = {
        ...classifyErrorText(text, now),
        ...byStatus(extra.api_error_status),
      };
      // Max turns and execution errors are not provider refusals, whatever their text says.
      if (message.subtype !== 'success' && extra.api_error_status == null) {
        delete obs.rateLimited;
        delete obs.authFailed;
        delete obs.resetAt;
        delete obs.unavailable;
      }
      if (obs.authFailed) delete obs.rateLimited;
      if (obs.authFailed || obs.rateLimited) delete obs.unavailable;
      else if (typeof extra.api_error_status === 'number' && extra.api_error_status >= 500)
        obs.unavailable = unavailableOf(text, extra.api_error_status);
      return obs;
    }
    default:
      return null;
  }
}

/**
 * Folds a session's observations into one verdict at the session's end (`now`). Auth failures
 * win (waiting fixes nothing); then a limit refusal, held until the latest reset time a message
 * gave, or else the provider's last retry delay from now; then, for a session that did not end
 * well, an unreachable, overloaded or failing provider or a Claude Code that could not start;
 * then other errors.
 */
export function verdictOf(
  observations: readonly Observation[],
  ended: 'ok' | 'error',
  now = Date.now(),
): Verdict {
  const auth = observations.find((o) => o.authFailed);
  if (auth) return { kind: 'auth', detail: auth.error ?? 'The provider refused the credentials.' };
  if (observations.some((o) => o.rateLimited)) {
    let until: number | null = null;
    let source: string | null = null;
    for (const o of observations)
      if (o.resetAt !== undefined && (until === null || o.resetAt > until)) {
        until = o.resetAt;
        source = o.resetSource ?? null;
      }
    if (until === null || until <= now) {
      const delay = [...observations].reverse().find((o) => o.retryDelayMs !== undefined);
      if (delay?.retryDelayMs !== undefined) {
        until = now + delay.retryDelayMs;
        source = 'the retry-after the provider gave';
      } else if (until !== null) until = null;
    }
    const detail =
      [...observations].reverse().find((o) => o.rateLimited && o.error)?.error ??
      'The provider refused the request (rate or usage limit).';
    return { kind: 'rate-limit', until, source, detail };
  }
  if (ended === 'ok') return { kind: 'ok' };
  const unavailable = [...observations].reverse().find((o) => o.unavailable);
  if (unavailable?.unavailable)
    return {
      kind: 'unavailable',
      reason: unavailable.unavailable,
      detail: unavailable.error ?? 'The provider could not be reached.',
    };
  const last = [...observations].reverse().find((o) => o.error);
  return { kind: 'error', detail: last?.error ?? 'The session ended with an error.' };
}
