/**
 * Derives the live project view (phase, progress, one card per live agent, run cost, rate-limit
 * hold) from the agent's typed events, so a window opened late sees the same thing as one that
 * watched from the start. Pure: `reduceRunView(view, event)` returns a new view.
 */
import type { AgentEvent, Usage } from '../../contract/agent-events.ts';
import { emptyRunView, type AgentCard, type RunView } from '../../contract/run-view.ts';

const TERMINAL = new Set(['complete', 'failed', 'drained']);

export function reduceRunView(view: RunView, event: AgentEvent): RunView {
  switch (event.type) {
    case 'run-state': {
      if (event.phase === 'starting')
        return { ...emptyRunView(view.projectId), phase: event.phase, phaseMessage: event.message };
      const next: RunView = { ...view, phase: event.phase, phaseMessage: event.message };
      if (TERMINAL.has(event.phase)) next.agents = [];
      if (event.phase !== 'rate-limited' && event.phase !== 'stopping')
        next.rateLimitedUntil = null;
      return next;
    }
    case 'agent-started': {
      const card: AgentCard = {
        agentId: event.agentId,
        role: event.role,
        featureId: event.featureId,
        featureName: event.featureName,
        startedAt: event.ts,
        doing: 'Starting…',
        usage: null,
      };
      return { ...view, agents: [...view.agents.filter((a) => a.agentId !== event.agentId), card] };
    }
    case 'agent-finished':
      return { ...view, agents: view.agents.filter((a) => a.agentId !== event.agentId) };
    case 'activity':
      return {
        ...view,
        agents: view.agents.map((a) =>
          a.agentId === event.agentId ? { ...a, doing: event.summary } : a,
        ),
      };
    case 'progress':
      return { ...view, progress: event.progress };
    case 'cost':
      return {
        ...view,
        runTotal: event.runTotal,
        agents: view.agents.map((a) =>
          a.agentId === event.agentId ? { ...a, usage: event.usage } : a,
        ),
      };
    case 'rate-limit':
      return { ...view, rateLimitedUntil: event.state === 'hold' ? event.until : null };
    case 'error':
      return { ...view, lastError: event.message };
    case 'human-input':
      return view;
    default:
      return view;
  }
}

export function runViewFromEvents(projectId: string, events: Iterable<AgentEvent>): RunView {
  let view = emptyRunView(projectId);
  for (const event of events) view = reduceRunView(view, event);
  return view;
}

/** Adds two usage totals (for callers that aggregate across runs). */
export function sumUsage(a: Usage | null, b: Usage | null): Usage | null {
  if (!a) return b;
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    costUsd: a.costUsd + b.costUsd,
  };
}
