import { z } from 'zod';
import { AgentAssignment, Progress, ProviderTrouble, RunPhase, Usage } from './agent-events.ts';

/**
 * Money spent, as far as it is known. While a session runs only its token counts are reported,
 * so its dollars are our estimate from the model's list price (`estimated`), or not known at all
 * for a model without a price (`unknownSessions`); the SDK's own figure replaces the estimate
 * when the session ends.
 */
export const CostFigure = z.object({
  /** Dollars, exact or estimated; null when nothing can be said yet. */
  usd: z.number().nullable(),
  /** True when any part of `usd` is an estimate rather than the SDK's figure. */
  estimated: z.boolean(),
  /** Sessions whose cost is not known and not included in `usd`. */
  unknownSessions: z.number(),
});
export type CostFigure = z.infer<typeof CostFigure>;

/** One live agent card, derived in main from the agent's events so late viewers see it too. */
export const AgentCard = AgentAssignment.extend({
  startedAt: z.number(),
  doing: z.string(),
  /** Tokens so far (and the SDK's cost once the session has ended). */
  usage: Usage.nullable(),
  /** What the session has cost so far; null before any usage is reported. */
  cost: CostFigure.nullable(),
});
export type AgentCard = z.infer<typeof AgentCard>;

export const RunView = z.object({
  projectId: z.string(),
  /** The run's model, which prices the live estimates; null when not known. */
  model: z.string().nullable(),
  phase: RunPhase.nullable(),
  phaseMessage: z.string().nullable(),
  progress: Progress.nullable(),
  agents: z.array(AgentCard),
  /** The agent's totals: every token, and the SDK's cost of the sessions that have ended. */
  runTotal: Usage.nullable(),
  /** Estimates for sessions that ended without an SDK cost (stopped, crashed, cut off). */
  endedWithoutCost: CostFigure,
  /** The run's cost to show: ended sessions plus the running sessions' estimates. */
  runCost: CostFigure.nullable(),
  rateLimitedUntil: z.number().nullable(),
  /** New sessions wait for the provider: why, since when, and when the next try is. */
  providerHold: z
    .object({ reason: ProviderTrouble, since: z.number().nullable(), until: z.number().nullable() })
    .nullable(),
  lastError: z.string().nullable(),
});
export type RunView = z.infer<typeof RunView>;

export const noCost = (): CostFigure => ({ usd: 0, estimated: false, unknownSessions: 0 });

export const emptyRunView = (projectId: string, model: string | null = null): RunView => ({
  projectId,
  model,
  phase: null,
  phaseMessage: null,
  progress: null,
  agents: [],
  runTotal: null,
  endedWithoutCost: noCost(),
  runCost: null,
  rateLimitedUntil: null,
  providerHold: null,
  lastError: null,
});
