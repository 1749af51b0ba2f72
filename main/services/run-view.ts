/**
 * Derives the live project view (phase, progress, one card per live agent, run cost, rate-limit
 * hold) from the agent's typed events, so a window opened late sees the same thing as one that
 * watched from the start. Pure: `reduceRunView(view, event)` returns a new view.
 *
 * Cost: during a session the agent reports only token counts (its cost field is 0); the SDK
 * prices a session once, in its result. So a card's dollars are estimated from the run's model
 * until the session's own figure arrives, and the run's cost is the SDK's figure for ended
 * sessions plus the running sessions' estimates.
 */
import type { AgentEvent, Usage } from '../../contract/agent-events.ts';
import { estimateCostUsd } from '../../contract/models.ts';
import {
  emptyRunView,
  noCost,
  type AgentCard,
  type CostFigure,
  type RunView,
} from '../../contract/run-view.ts';

const TERMINAL = new Set(['complete', 'finished', 'failed', 'drained']);

const tokenCount = (u: Usage): number =>
  u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens;

/** A cost above zero can only have come from the SDK's result; live token reports carry none. */
const hasSdkCost = (u: Usage): boolean => u.costUsd > 0;

/** What a session's usage has cost: the SDK's figure, our estimate, or not known. */
export function sessionCost(model: string | null, usage: Usage): CostFigure {
  if (hasSdkCost(usage)) return { usd: usage.costUsd, estimated: false, unknownSessions: 0 };
  const estimate = estimateCostUsd(model, usage);
  return estimate === null
    ? { usd: null, estimated: false, unknownSessions: 1 }
    : { usd: estimate, estimated: true, unknownSessions: 0 };
}

export function addCost(a: CostFigure, b: CostFigure): CostFigure {
  return {
    usd: a.usd === null ? b.usd : b.usd === null ? a.usd : a.usd + b.usd,
    estimated: a.estimated || b.estimated,
    unknownSessions: a.unknownSessions + b.unknownSessions,
  };
}

/** The run's cost to show, recomputed from its parts after every change. */
function withRunCost(view: RunView): RunView {
  // A card holding the SDK's figure is already inside runTotal (the agent adds it on session end).
  const live = view.agents.filter((a) => a.cost && a.usage && !hasSdkCost(a.usage));
  const ended = view.endedWithoutCost;
  if (!view.runTotal && live.length === 0 && ended.usd === 0 && ended.unknownSessions === 0)
    return { ...view, runCost: null };
  let total: CostFigure = {
    usd: view.runTotal?.costUsd ?? 0,
    estimated: false,
    unknownSessions: 0,
  };
  total = addCost(total, ended);
  for (const card of live) total = addCost(total, card.cost ?? noCost());
  return { ...view, runCost: total };
}

/** The usage of a session that ended without the SDK's figure counts at its estimate. */
function settle(model: string | null, ended: CostFigure, usage: Usage | null): CostFigure {
  if (!usage || hasSdkCost(usage) || tokenCount(usage) === 0) return ended;
  return addCost(ended, sessionCost(model, usage));
}

/** Nothing runs any more: the live cards go, and what they had spent stays in the run's cost. */
export function endLiveCards(view: RunView): RunView {
  const ended = view.agents.reduce(
    (sum, card) => settle(view.model, sum, card.usage),
    view.endedWithoutCost,
  );
  return withRunCost({ ...view, agents: [], endedWithoutCost: ended });
}

export function reduceRunView(view: RunView, event: AgentEvent): RunView {
  switch (event.type) {
    case 'run-state': {
      if (event.phase === 'starting')
        return {
          ...emptyRunView(view.projectId, view.model),
          phase: event.phase,
          phaseMessage: event.message,
        };
      let next: RunView = { ...view, phase: event.phase, phaseMessage: event.message };
      if (TERMINAL.has(event.phase)) next = endLiveCards(next);
      if (event.phase !== 'rate-limited' && event.phase !== 'stopping')
        next.rateLimitedUntil = null;
      if (event.phase !== 'waiting-for-provider' && event.phase !== 'stopping')
        next.providerHold = null;
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
        cost: null,
      };
      return withRunCost({
        ...view,
        agents: [...view.agents.filter((a) => a.agentId !== event.agentId), card],
      });
    }
    case 'agent-finished': {
      const card = view.agents.find((a) => a.agentId === event.agentId);
      return withRunCost({
        ...view,
        agents: view.agents.filter((a) => a.agentId !== event.agentId),
        endedWithoutCost: settle(
          view.model,
          view.endedWithoutCost,
          event.usage ?? card?.usage ?? null,
        ),
      });
    }
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
      return withRunCost({
        ...view,
        runTotal: event.runTotal,
        agents: view.agents.map((a) =>
          a.agentId === event.agentId
            ? { ...a, usage: event.usage, cost: sessionCost(view.model, event.usage) }
            : a,
        ),
      });
    case 'rate-limit':
      return { ...view, rateLimitedUntil: event.state === 'hold' ? event.until : null };
    case 'provider-hold':
      return {
        ...view,
        providerHold:
          event.state === 'hold'
            ? { reason: event.reason, since: event.since, until: event.until }
            : null,
      };
    case 'error':
      return { ...view, lastError: event.message };
    case 'human-input':
      return view;
    default:
      return view;
  }
}

export function runViewFromEvents(
  projectId: string,
  events: Iterable<AgentEvent>,
  model: string | null = null,
): RunView {
  let view = emptyRunView(projectId, model);
  for (const event of events) view = reduceRunView(view, event);
  return view;
}
