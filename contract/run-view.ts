import { z } from 'zod';
import { AgentRole, Progress, RunPhase, Usage } from './agent-events.ts';

/** One live agent card, derived in main from the agent's events so late viewers see it too. */
export const AgentCard = z.object({
  agentId: z.string(),
  role: AgentRole,
  featureId: z.number().nullable(),
  featureName: z.string().nullable(),
  startedAt: z.number(),
  doing: z.string(),
  usage: Usage.nullable(),
});
export type AgentCard = z.infer<typeof AgentCard>;

export const RunView = z.object({
  projectId: z.string(),
  phase: RunPhase.nullable(),
  phaseMessage: z.string().nullable(),
  progress: Progress.nullable(),
  agents: z.array(AgentCard),
  runTotal: Usage.nullable(),
  rateLimitedUntil: z.number().nullable(),
  lastError: z.string().nullable(),
});
export type RunView = z.infer<typeof RunView>;

export const emptyRunView = (projectId: string): RunView => ({
  projectId,
  phase: null,
  phaseMessage: null,
  progress: null,
  agents: [],
  runTotal: null,
  rateLimitedUntil: null,
  lastError: null,
});
