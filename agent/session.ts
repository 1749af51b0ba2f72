/**
 * One Claude session = one unit of work, through the Claude Agent SDK's query(): a fresh Claude
 * Code process per session, with the role's tools only, the Bash guard, the project's settings,
 * and the provider settings from the environment. What happened comes from the SDK's typed
 * messages: cost, tokens, turns and the error subtype from the result message; rate limits and
 * auth failures from `classifyMessage` (sdk-outcome.ts), which reads the SDK's structured fields
 * and only the error texts, never the model's prose.
 */
import { messageOf } from '../contract/result.ts';
import { query, type Options, type SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { AgentRole, Usage } from '../contract/agent-events.ts';
import { activeDeadline } from './active-time.ts';
import { guardHooks, type SessionContainment } from './session-guard.ts';
import { readSessionBudget } from '../core/session-budget.ts';
import {
  classifyMessage,
  classifyThrown,
  verdictOf,
  type Observation,
  type Unavailable,
} from './sdk-outcome.ts';

export interface SessionSpec {
  role: AgentRole;
  prompt: string;
  systemAppend: string;
  model: string;
  cwd: string;
  mcpServers: NonNullable<Options['mcpServers']>;
  /** Full tool names the session may use without asking (built-ins and mcp__...). */
  allowedTools: string[];
  /** Built-in tools available at all. */
  builtinTools: string[];
  env: Record<string, string | undefined>;
  /** Sandbox, settings trust and guard context; absent = strictest (no project settings, no sandbox). */
  containment?: SessionContainment;
  claudePath: string | null;
  maxTurns: number;
  timeoutMs: number;
  signal: AbortSignal;
  onActivity: (kind: 'tool' | 'text' | 'thinking', summary: string) => void;
  onUsage?: (usage: Usage) => void;
  onLog?: (line: string) => void;
}

export type SessionEnd =
  | 'completed'
  | 'error'
  | 'aborted'
  | 'timeout'
  | 'rate-limited'
  /** The provider refused the credentials or the account: no session can succeed until fixed. */
  | 'auth-failed'
  /** The SDK's hard dollar cap (maxBudgetUsd, from the budgets) ended it. */
  | 'budget'
  /** No tool call or progress for too long: the stall watchdog ended it. */
  | 'stalled'

  /** The provider could not be reached or failed, or Claude Code could not start. */
  | 'unavailable';

export interface SessionResult {
  end: SessionEnd;
  sessionId: string | null;
  /** The result message subtype (success, error_max_turns, ...), null if none arrived. */
  subtype: string | null;
  isError: boolean;
  message: string;
  usage: Usage | null;
  turns: number | null;
  /** Epoch ms when the provider says new requests may succeed, when it said so. */
  rateLimitUntil: number | null;
  /** Where `rateLimitUntil` came from (for the hold message), when known. */
  rateLimitSource?: string | null;
  /** Why the session could not get through, when it ended `unavailable`. */
  unavailable?: Unavailable | null;
  durationMs: number;
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: 0,
});

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}

interface RawUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

function toUsage(raw: RawUsage | undefined, costUsd: number): Usage {
  return {
    inputTokens: raw?.input_tokens ?? 0,
    outputTokens: raw?.output_tokens ?? 0,
    cacheReadTokens: raw?.cache_read_input_tokens ?? 0,
    cacheWriteTokens: raw?.cache_creation_input_tokens ?? 0,
    costUsd,
  };
}

const clip = (s: string, n = 160): string => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** A one-line description of a tool call, for the agent card ("what it is doing now"). */
export function summarizeToolUse(name: string, input: unknown): string {
  const i = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>;
  const s = (k: string): string => (typeof i[k] === 'string' ? (i[k] as string) : '');
  if (name.startsWith('mcp__features__')) {
    const tool = name.slice('mcp__features__'.length);
    const id = typeof i.feature_id === 'number' ? ` #${i.feature_id}` : '';
    const n = Array.isArray(i.features) ? ` (${i.features.length} features)` : '';
    return `${tool}${id}${n}`;
  }
  switch (name) {
    case 'Bash':
      return `Bash: ${clip(s('description') || s('command'))}`;
    case 'Read':
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
      return `${name} ${s('file_path')}`;
    case 'Glob':
    case 'Grep':
      return `${name} ${clip(s('pattern'), 80)}`;
    case 'WebFetch':
      return `WebFetch ${s('url')}`;
    default:
      return name.startsWith('mcp__') ? name.split('__').slice(1).join(': ') : name;
  }
}

export async function runSession(spec: SessionSpec): Promise<SessionResult> {
  const started = Date.now();
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort();
  if (spec.signal.aborted) controller.abort();
  spec.signal.addEventListener('abort', onAbort, { once: true });
  // Active time: a paused (frozen) run does not use up its sessions' limit.
  const cancelDeadline = activeDeadline(spec.timeoutMs, () => {
    timedOut = true;
    controller.abort();
  });

  let sessionId: string | null = null;
  let result: Extract<SDKMessage, { type: 'result' }> | null = null;
  const observations: Observation[] = [];
  const seenMessageIds = new Set<string>();
  let running = emptyUsage();

  // Read per session: the budget left changes while a run goes.
  const maxBudgetUsd = readSessionBudget(spec.cwd, spec.env);
  const options: Options = {
    ...(maxBudgetUsd !== null ? { maxBudgetUsd } : {}),
    model: spec.model,
    cwd: spec.cwd,
    // Project `.claude/` settings, hooks and permissions only for a project the user trusts.
    settingSources: spec.containment?.trustProjectSettings ? ['project'] : [],
    ...(spec.containment?.sandbox ? { sandbox: spec.containment.sandbox } : {}),
    systemPrompt: { type: 'preset', preset: 'claude_code', append: spec.systemAppend },
    tools: spec.builtinTools,
    allowedTools: spec.allowedTools,
    // Unattended: anything not pre-approved is refused instead of waiting for a person.
    permissionMode: 'dontAsk',
    mcpServers: spec.mcpServers,
    strictMcpConfig: false,
    hooks: { PreToolUse: guardHooks(spec.cwd, spec.containment) },
    maxTurns: spec.maxTurns,
    env: spec.env,
    abortController: controller,
    stderr: (data) => {
      for (const line of data.split(/\r?\n/)) if (line.trim()) spec.onLog?.(`claude: ${line}`);
    },
    ...(spec.claudePath ? { pathToClaudeCodeExecutable: spec.claudePath } : {}),
  };

  try {
    const q = query({ prompt: spec.prompt, options });
    for await (const message of q) {
      const observed = classifyMessage(message);
      if (observed) observations.push(observed);
      switch (message.type) {
        case 'system':
          if (message.subtype === 'init') sessionId = message.session_id;
          else if (message.subtype === 'api_retry') {
            spec.onActivity(
              'text',
              `API ${message.error_status ?? 'connection'} error; retry ${message.attempt}/${message.max_retries} in ${Math.round(message.retry_delay_ms / 1000)} s`,
            );
          }
          break;
        case 'assistant': {
          sessionId ??= message.session_id;
          const m = message.message;
          if (m.id && !seenMessageIds.has(m.id) && m.usage) {
            seenMessageIds.add(m.id);
            running = addUsage(running, toUsage(m.usage as RawUsage, 0));
            spec.onUsage?.(running);
          }
          for (const block of m.content) {
            if (block.type === 'tool_use')
              spec.onActivity('tool', summarizeToolUse(block.name, block.input));
            else if (block.type === 'text' && block.text.trim())
              spec.onActivity('text', clip(block.text, 200));
            else if (block.type === 'thinking') spec.onActivity('thinking', 'Thinking…');
          }
          break;
        }
        case 'result':
          result = message;
          break;
        default:
          break;
      }
    }
  } catch (error) {
    // The SDK throws after an error result; what matters was already read from the result.
    if (!result && !controller.signal.aborted)
      observations.push(classifyThrown(messageOf(error), sessionId !== null));
  } finally {
    cancelDeadline();
    spec.signal.removeEventListener('abort', onAbort);
  }

  const durationMs = Date.now() - started;
  const r = result as
    (Extract<SDKMessage, { type: 'result' }> & { api_error_status?: number | null }) | null;
  const verdict = verdictOf(
    observations,
    r && r.subtype === 'success' && !r.is_error ? 'ok' : 'error',
  );
  const usage = r
    ? toUsage(r.usage as RawUsage, r.total_cost_usd ?? 0)
    : running.inputTokens > 0
      ? running
      : null;
  const base = {
    sessionId: r?.session_id ?? sessionId,
    subtype: r?.subtype ?? null,
    isError: r?.is_error ?? true,
    usage,
    turns: r?.num_turns ?? null,
    rateLimitUntil: verdict.kind === 'rate-limit' ? verdict.until : null,
    rateLimitSource: verdict.kind === 'rate-limit' ? verdict.source : null,
    durationMs,
  };
  if (timedOut)
    return {
      ...base,
      end: 'timeout',
      message: `Stopped after the ${spec.timeoutMs >= 60_000 ? `${Math.round(spec.timeoutMs / 60_000)} min` : `${Math.round(spec.timeoutMs / 1000)} s`} session limit.`,
    };
  if (spec.signal.aborted) return { ...base, end: 'aborted', message: 'Stopped.' };
  if (verdict.kind === 'auth')
    return { ...base, end: 'auth-failed', message: clip(verdict.detail, 300) };
  if (verdict.kind === 'rate-limit')
    return { ...base, end: 'rate-limited', message: clip(verdict.detail, 300) };
  if (verdict.kind === 'unavailable')
    return {
      ...base,
      end: 'unavailable',
      unavailable: verdict.reason,
      message: clip(verdict.detail, 300),
    };
  if (!r)
    return {
      ...base,
      end: 'error',
      message: clip(
        verdict.kind === 'error' ? verdict.detail : 'Claude Code ended without a result.',
        300,
      ),
    };
  if (r.subtype === 'error_max_budget_usd')
    return {
      ...base,
      end: 'budget',
      message: `Stopped at the session's budget cap of $${(maxBudgetUsd ?? 0).toFixed(2)}.`,
    };
  if (r.subtype === 'success' && !r.is_error)
    return { ...base, end: 'completed', message: clip(r.result || 'Session finished.', 300) };
  const detail =
    r.subtype === 'success'
      ? r.result
      : r.subtype === 'error_max_turns'
        ? `Reached the limit of ${spec.maxTurns} turns.`
        : [r.subtype, ...(r.errors ?? [])].join(': ');
  return {
    ...base,
    end: 'error',
    message: clip(detail || 'The session ended with an error.', 300),
  };
}
