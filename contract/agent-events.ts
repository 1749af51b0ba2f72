/**
 * Typed JSON lines the agent process writes on stdout, one object per line, each carrying
 * `"nsEvent": 1`. The supervisor parses these (anything else is a plain log line), persists them
 * in the run log and feeds the UI. No regex over prose.
 */
import { z } from 'zod';

/** `expander` adds features for a spec addendum ("Expand the project"). */
export const AgentRole = z.enum(['initializer', 'coding', 'regression', 'expander']);
export type AgentRole = z.infer<typeof AgentRole>;

export const RunPhase = z.enum([
  'starting',
  'initializing',
  'working',
  'draining',
  'drained',
  'rate-limited',
  /** New sessions wait while the provider is unreachable, overloaded or failing (see `provider-hold`). */
  'waiting-for-provider',
  /** Every feature passes. */
  'complete',
  /** The run ended by itself with work left (features blocked or needing a human). */
  'finished',
  'stopping',
  'failed',
]);
export type RunPhase = z.infer<typeof RunPhase>;

/** The token counts every usage figure carries (the ledger sums them per run, session and role). */
export const TokenTotals = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
});
export type TokenTotals = z.infer<typeof TokenTotals>;

export const Usage = TokenTotals.extend({ costUsd: z.number() });
export type Usage = z.infer<typeof Usage>;

export const Progress = z.object({
  total: z.number(),
  passing: z.number(),
  inProgress: z.number(),
  underTest: z.number(),
  blocked: z.number(),
  needsHuman: z.number(),
});
export type Progress = z.infer<typeof Progress>;

/** How one SDK session ended, as the agent saw it (stalled: ended by the stall watchdog). */
export const SessionEndKind = z.enum([
  'completed',
  'error',
  'aborted',
  'timeout',
  'rate-limited',
  'auth-failed',
  'stalled',
  'budget',
  'unavailable',
]);
export type SessionEndKind = z.infer<typeof SessionEndKind>;
/** Trouble that is nobody's fault: it never counts against a feature. */
export const ProviderTrouble = z.enum([
  'unreachable',
  'overloaded',
  'server-error',
  'cannot-start',
]);
export type ProviderTrouble = z.infer<typeof ProviderTrouble>;

/** How each kind of provider trouble reads, in the agent's messages and on the panel. */
export const providerTroubleWords: Record<ProviderTrouble, string> = {
  unreachable: 'Provider unreachable',
  overloaded: 'The provider is overloaded',
  'server-error': 'The provider is failing (server errors)',
  'cannot-start': 'Claude Code cannot start',
};

const base = { nsEvent: z.literal(1), ts: z.number() };

/** Which agent of the run, in which role, on which feature (null: not one feature). */
const agentOnFeature = { agentId: z.string(), role: AgentRole, featureId: z.number().nullable() };

/**
 * An agent as it started on its work, with the feature's name then: what the agent-started
 * event says, and what the live agent card and the ledger's session row repeat from it.
 */
export const AgentAssignment = z.object({
  ...agentOnFeature,
  featureName: z.string().nullable(),
});

export const AgentEvent = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('run-state'), phase: RunPhase, message: z.string() }),
  z.object({
    ...base,
    type: z.literal('agent-started'),
    ...AgentAssignment.shape,
  }),
  z.object({
    ...base,
    type: z.literal('agent-finished'),
    ...agentOnFeature,
    sessionId: z.string().nullable(),
    outcome: z.enum([
      'passed',
      'failed',
      'tested-ok',
      'regression',
      'aborted',
      'error',
      'timeout',
      'rate-limited',
      /** The provider could not be reached or failed, or Claude Code could not start. */
      'unavailable',
      'done',
    ]),
    message: z.string(),
    usage: Usage.nullable(),
    turns: z.number().nullable(),
    /** How the SDK session ended (optional: older agents did not say). */
    end: SessionEndKind.optional(),
    /** The SDK result's subtype (success, error_max_turns, error_max_budget_usd, ...). */
    subtype: z.string().nullable().optional(),
    /** Commits the session made and the checkpoint ref it left, where the agent knows them. */
    commits: z.array(z.string()).optional(),
    checkpointRef: z.string().nullable().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('activity'),
    agentId: z.string(),
    kind: z.enum(['tool', 'text', 'thinking']),
    summary: z.string(),
  }),
  z.object({ ...base, type: z.literal('progress'), progress: Progress }),
  z.object({
    ...base,
    type: z.literal('cost'),
    agentId: z.string(),
    usage: Usage,
    /** Totals for the whole run so far. */
    runTotal: Usage,
  }),
  z.object({
    ...base,
    type: z.literal('rate-limit'),
    state: z.enum(['hold', 'release']),
    /** Epoch ms when new sessions may start again (hold only). */
    until: z.number().nullable(),
    message: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('provider-hold'),
    state: z.enum(['hold', 'release']),
    reason: ProviderTrouble,
    /** Epoch ms since when sessions have not got through. */
    since: z.number().nullable(),
    /** Epoch ms of the next try (hold only). */
    until: z.number().nullable(),
    message: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('human-input'),
    featureId: z.number(),
    featureName: z.string(),
    prompt: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('error'),
    agentId: z.string().nullable(),
    message: z.string(),
  }),
]);
export type AgentEvent = z.infer<typeof AgentEvent>;

/** Parses one stdout line: an AgentEvent, or null for a plain log line. */
export function parseAgentEventLine(line: string): AgentEvent | null {
  if (!line.startsWith('{') || !line.includes('"nsEvent"')) return null;
  try {
    const parsed = AgentEvent.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type AgentEventInput = DistributiveOmit<AgentEvent, 'nsEvent' | 'ts'>;

export function formatAgentEventLine(event: AgentEventInput, now = Date.now()): string {
  return JSON.stringify({ nsEvent: 1, ts: now, ...event });
}
