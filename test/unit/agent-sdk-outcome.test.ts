/**
 * The classification of SDK messages and errors, over message shapes recorded from the bundled
 * Claude Code (2.1.x) against a fake Messages API: a 429 with and without retries, a 401, a
 * claude.ai usage-limit event, and ordinary successful results.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import {
  classifyErrorText,
  classifyMessage,
  classifyThrown,
  resetTimeFromText,
  verdictOf,
  type Observation,
} from '../../agent/sdk-outcome.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0); // 2026-12-01 12:00 UTC
const S = 'session-1';
const U = '00000000-0000-4000-8000-000000000000' as const;

const usage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

/** Claude Code's synthetic assistant message for an API error, as it really arrives. */
function apiErrorAssistant(text: string, error: string, status: number): SDKMessage {
  return {
    type: 'assistant',
    message: {
      id: 'm1',
      model: '<synthetic>',
      role: 'assistant',
      type: 'message',
      stop_reason: 'stop_sequence',
      stop_sequence: '',
      usage,
      content: [{ type: 'text', text }],
    },
    parent_tool_use_id: null,
    session_id: S,
    uuid: U,
    error,
    is_api_error_message: true,
    api_error_status: status,
    api_error_type: status === 429 ? 'rate_limit_error' : 'authentication_error',
  } as unknown as SDKMessage;
}

/** An SDK result message: the fields every result carries, then the test's own. */
function resultMessage(fields: Record<string, unknown>): SDKMessage {
  return {
    type: 'result',
    num_turns: 1,
    duration_ms: 200,
    duration_api_ms: 0,
    stop_reason: null,
    total_cost_usd: 0,
    usage,
    modelUsage: {},
    permission_denials: [],
    session_id: S,
    uuid: U,
    ...fields,
  } as unknown as SDKMessage;
}

function errorResult(text: string, status: number | null): SDKMessage {
  return resultMessage({
    subtype: 'success',
    is_error: true,
    api_error_status: status,
    result: text,
    stop_reason: 'stop_sequence',
  });
}

/** How Claude Code ends a session on an API error: the error as the assistant's turn, then the result. */
const apiErrorEnd = (text: string, error: string, status: number): SDKMessage[] => [
  apiErrorAssistant(text, error, status),
  errorResult(text, status),
];

/** Claude Code's notice that it retries a 429 after `delayMs`. */
const rateLimitRetry = (delayMs: number): SDKMessage =>
  ({
    type: 'system',
    subtype: 'api_retry',
    attempt: 1,
    max_retries: 1,
    retry_delay_ms: delayMs,
    error_status: 429,
    error: 'rate_limit',
    session_id: S,
    uuid: U,
  }) as SDKMessage;

const collect = (messages: SDKMessage[]): Observation[] =>
  messages.map((m) => classifyMessage(m, NOW)).filter((o): o is Observation => o !== null);

test('a 429 that Claude Code retried: rate limited, held for the retry-after it honoured', () => {
  const retry = rateLimitRetry(8324);
  const text =
    'API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit';
  const obs = collect([retry, ...apiErrorEnd(text, 'rate_limit', 429)]);
  const end = NOW + 9000;
  const v = verdictOf(obs, 'error', end);
  assert.equal(v.kind, 'rate-limit');
  assert.ok(v.kind === 'rate-limit');
  assert.equal(v.until, end + 8324);
  assert.match(v.source!, /retry-after/);
  assert.match(v.detail, /per-minute rate limit/);
});

test('a 429 with no retry and no reset anywhere: rate limited with no time (the caller backs off)', () => {
  const text = 'API Error: Request rejected (429) · Rate limited';
  const v = verdictOf(collect(apiErrorEnd(text, 'rate_limit', 429)), 'error', NOW);
  assert.deepEqual(v, { kind: 'rate-limit', until: null, source: null, detail: text });
});

test('a claude.ai rate_limit_event (rejected) gives the reset in epoch seconds', () => {
  const resetsAt = Math.round((NOW + 3 * 3_600_000) / 1000);
  const event = {
    type: 'rate_limit_event',
    rate_limit_info: { status: 'rejected', resetsAt, rateLimitType: 'five_hour' },
    session_id: S,
    uuid: U,
  } as SDKMessage;
  const v = verdictOf(collect([event]), 'error', NOW);
  assert.ok(v.kind === 'rate-limit');
  assert.equal(v.until, resetsAt * 1000);
  // A warning is not a refusal.
  const warning = {
    ...event,
    rate_limit_info: { status: 'allowed_warning', resetsAt, utilization: 0.9 },
  } as SDKMessage;
  assert.equal(classifyMessage(warning, NOW), null);
});

test('Claude Code usage-limit texts: the reset time written in them is used', () => {
  // "resets 3pm (America/New_York)": 15:00 EST = 20:00 UTC on 2026-12-01.
  const msg = "You've hit your session limit · resets 3pm (America/New_York)";
  const v = verdictOf(collect([apiErrorAssistant(msg, 'rate_limit', 429)]), 'error', NOW);
  assert.ok(v.kind === 'rate-limit');
  assert.equal(v.until, Date.UTC(2026, 11, 1, 20, 0));
  // A time already past today means tomorrow.
  assert.equal(
    resetTimeFromText('Usage limit reached · resets 9:30am (Europe/London)', NOW),
    Date.UTC(2026, 11, 2, 9, 30),
  );
  assert.equal(
    resetTimeFromText('Claude AI usage limit reached|1796140800', NOW),
    1796140800 * 1000,
  );
  assert.equal(
    resetTimeFromText('Rate limit exceeded; try again at 2026-12-01T12:45:00Z', NOW),
    Date.UTC(2026, 11, 1, 12, 45),
  );
  assert.equal(
    resetTimeFromText('429 Too Many Requests. Retry after 30 seconds.', NOW),
    NOW + 30_000,
  );
  assert.equal(resetTimeFromText('Please try again in 5 minutes', NOW), NOW + 300_000);
  assert.equal(resetTimeFromText('resets at 15:00 UTC', NOW), Date.UTC(2026, 11, 1, 15, 0));
  // No time, a nonsense zone, or a time years away: no reset.
  assert.equal(resetTimeFromText('Rate limit exceeded', NOW), null);
  assert.equal(resetTimeFromText('resets 3pm (Mars/Olympus)', NOW), null);
  assert.equal(resetTimeFromText('try again at 2031-01-01T00:00:00Z', NOW), null);
});

test('a provider text reset time beats the retry delay estimate', () => {
  const retry = rateLimitRetry(2000);
  const text =
    'API Error: Request rejected (429) · Usage limit hit, try again at 2026-12-01T14:00:00Z';
  const v = verdictOf(collect([retry, errorResult(text, 429)]), 'error', NOW);
  assert.ok(v.kind === 'rate-limit');
  assert.equal(v.until, Date.UTC(2026, 11, 1, 14, 0));
});

test('a 401 is an auth failure, not a rate limit or an ordinary error', () => {
  const text = 'Invalid API key · Fix external API key';
  const v = verdictOf(collect(apiErrorEnd(text, 'authentication_failed', 401)), 'error', NOW);
  assert.equal(v.kind, 'auth');
  assert.equal(
    classifyErrorText('Error: 403 Forbidden: OAuth token has expired', NOW).authFailed,
    true,
  );
  assert.equal(classifyErrorText('Not logged in · Please run /login', NOW).authFailed, true);
  assert.equal(
    classifyErrorText('{"type":"authentication_error","message":"invalid x-api-key"}', NOW)
      .authFailed,
    true,
  );
  const status = {
    type: 'auth_status',
    isAuthenticating: false,
    output: [],
    error: 'OAuth token expired',
    session_id: S,
    uuid: U,
  } as SDKMessage;
  assert.equal(verdictOf(collect([status]), 'error', NOW).kind, 'auth');
});

test('the model talking about 401s or rate limits in a normal session is not a provider refusal', () => {
  const chat = {
    type: 'assistant',
    message: {
      id: 'm2',
      model: 'claude-sonnet-4-5',
      role: 'assistant',
      type: 'message',
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage,
      content: [
        {
          type: 'text',
          text: 'The login test got 401 Unauthorized; the rate limit middleware returns 429.',
        },
      ],
    },
    parent_tool_use_id: null,
    session_id: S,
    uuid: U,
  } as unknown as SDKMessage;
  const ok = {
    ...(errorResult('Done. 401 Unauthorized is now handled.', null) as object),
    is_error: false,
  } as SDKMessage;
  assert.equal(classifyMessage(chat, NOW), null);
  assert.equal(classifyMessage(ok, NOW), null);
  assert.deepEqual(verdictOf(collect([chat, ok]), 'ok', NOW), { kind: 'ok' });
});

test('max turns and execution errors are errors, whatever their text mentions', () => {
  const maxTurns = resultMessage({
    subtype: 'error_max_turns',
    is_error: true,
    errors: ['Reached maximum number of turns (100) while fixing the rate limit page'],
    num_turns: 100,
  });
  const v = verdictOf(collect([maxTurns]), 'error', NOW);
  assert.equal(v.kind, 'error');
  // A thrown error without a result is classified from its text.
  assert.equal(
    verdictOf([classifyErrorText('Claude Code process exited with code 1', NOW)], 'error', NOW)
      .kind,
    'error',
  );
  assert.equal(
    verdictOf(
      [
        classifyErrorText(
          'Claude Code returned an error result: API Error: 429 rate_limit_error',
          NOW,
        ),
      ],
      'error',
      NOW,
    ).kind,
    'rate-limit',
  );
});

test('infrastructure: 500, 529 and refused connections as Claude Code reports them are the provider’s trouble', () => {
  // Shapes recorded from the bundled Claude Code with CLAUDE_CODE_MAX_RETRIES=0.
  const cases: [string, string, number | null, string][] = [
    [
      'API Error: 500 Internal server error. This is a server-side issue, usually temporary — try again in a moment.',
      'server_error',
      500,
      'server-error',
    ],
    [
      'API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.',
      'server_error',
      529,
      'overloaded',
    ],
    [
      'API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)',
      'server_error',
      null,
      'unreachable',
    ],
    ['API Error: Request timed out.', 'unknown', null, 'unreachable'],
  ];
  for (const [text, error, status, reason] of cases) {
    const assistant = apiErrorAssistant(text, error, status ?? 0);
    (assistant as { api_error_status: number | null }).api_error_status = status;
    const v = verdictOf(collect([assistant, errorResult(text, status)]), 'error', NOW);
    assert.deepEqual(v, { kind: 'unavailable', reason, detail: text }, text);
  }
});

test('a 529 is not a rate limit, and a session that ended well is ok whatever it retried', () => {
  const text =
    'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
  const obs = collect([apiErrorAssistant(text, 'overloaded', 529)]);
  assert.equal(obs[0]!.rateLimited, undefined);
  assert.equal(obs[0]!.unavailable, 'overloaded');
  assert.deepEqual(verdictOf(obs, 'ok', NOW), { kind: 'ok' });
});

test('Claude Code that cannot start: missing executable, or any failure before the session began', () => {
  const missing = classifyThrown(
    'Claude Code native binary not found at /nonexistent/claude. Please ensure Claude Code is installed',
    false,
  );
  assert.equal(missing.unavailable, 'cannot-start');
  assert.equal(
    classifyThrown('Claude Code process exited with code 1', false).unavailable,
    'cannot-start',
  );
  assert.equal(
    classifyThrown('Claude Code process exited with code 1', true).unavailable,
    undefined,
    'after the session began, a crash is an ordinary error',
  );
  assert.equal(
    classifyThrown('Invalid API key · Please run /login', false).unavailable,
    undefined,
    'a refusal of the credentials stays an auth failure',
  );
});

test('execution errors and the model’s own words never read as provider trouble', () => {
  const maxTurns = {
    type: 'result',
    subtype: 'error_during_execution',
    is_error: true,
    errors: ['fetch failed: ECONNREFUSED 127.0.0.1:3000'],
    num_turns: 3,
    session_id: S,
    uuid: U,
  } as unknown as SDKMessage;
  assert.equal(classifyMessage(maxTurns, NOW)?.unavailable, undefined);
  const prose = {
    type: 'assistant',
    message: {
      id: 'm2',
      content: [{ type: 'text', text: 'The dev server answered 500 (ECONNREFUSED).' }],
    },
    parent_tool_use_id: null,
    session_id: S,
    uuid: U,
  } as unknown as SDKMessage;
  assert.equal(classifyMessage(prose, NOW), null);
});

test('a 400 (an invalid or too long request) is the session’s own error, not the provider’s trouble', () => {
  const text = 'API Error: 400 prompt is too long: 250000 tokens > 200000 maximum';
  const v = verdictOf(collect(apiErrorEnd(text, 'invalid_request', 400)), 'error', NOW);
  assert.deepEqual(v, { kind: 'error', detail: text });
});
