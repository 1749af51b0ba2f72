/** Words for states, times and money. Pure functions, unit tested from Node. */
import type {
  AgentStatus,
  AgentRole,
  CostFigure,
  FeatureState,
  RunOrigin,
} from '../../../contract/index.ts';

export function originLabel(origin: RunOrigin | null, adopted = false): string | null {
  const after = adopted ? ' (adopted after a restart)' : '';
  switch (origin) {
    case 'manual':
      return `Started by hand${after}`;
    case 'schedule':
      return `Started by schedule${after}`;
    case 'adopted':
      return 'Adopted from a previous session';
    default:
      return null;
  }
}

const roleLabels: Record<AgentRole, string> = {
  initializer: 'Initializer',
  coding: 'Coding',
  regression: 'Regression',
  expander: 'Expander',
};

export const roleLabel = (role: AgentRole): string => roleLabels[role];

export const featureStateOrder: readonly FeatureState[] = [
  'needs-human',
  'blocked',
  'in-progress',
  'under-test',
  'pending',
  'skipped',
  'passing',
];

const featureStateLabels: Record<FeatureState, string> = {
  pending: 'Pending',
  'in-progress': 'In progress',
  'under-test': 'Under test',
  passing: 'Passing',
  blocked: 'Blocked',
  'needs-human': 'Needs human input',
  skipped: 'Skipped',
};

export const featureStateLabel = (state: FeatureState): string => featureStateLabels[state];

/** "4s", "12m 05s", "3h 07m". */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(s)}s`;
  return `${s}s`;
}

export function formatCost(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

/**
 * A cost that may be partly estimated or not known: "$1.20", "≈ $0.12", "cost not known",
 * "$1.20 + cost not known for 1 session".
 */
export function formatCostFigure(cost: CostFigure): string {
  const usd = cost.usd ?? 0;
  const known = cost.usd !== null && (usd > 0 || cost.unknownSessions === 0);
  const money = known ? `${cost.estimated ? '≈ ' : ''}${formatCost(usd)}` : '';
  if (cost.unknownSessions === 0) return money;
  if (!money) return 'cost not known';
  const n = cost.unknownSessions;
  return `${money} + cost not known for ${n} session${n === 1 ? '' : 's'}`;
}

/**
 * What happens to a feature once its input request is answered, given what the project's agent
 * is doing now: a running agent picks it up next; with no run it waits for the next one.
 */
export function answerSentMessage(status: AgentStatus | null, rateLimited: boolean): string {
  switch (status) {
    case 'running':
      return rateLimited
        ? 'Sent. The feature is back in the queue; the agent picks it up when the rate limit resets.'
        : 'Sent. The feature is back in the queue and the running agent picks it up next.';
    case 'starting':
      return 'Sent. The feature is back in the queue; the run that is starting picks it up.';
    case 'paused':
      return 'Sent. The feature is back in the queue; the agent picks it up when you resume the run.';
    case 'draining':
      return 'Sent. The feature is queued for the next run: this one finishes its current work and starts nothing new.';
    case 'stopping':
      return 'Sent. The feature is queued for the next run; this one is stopping.';
    default:
      return 'Sent. The feature is queued for the next run; no agent is running now.';
  }
}

/** "12.3k", "1.2M". */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** "14:05" today, or "Tue 14:05" on another day. */
export function formatClock(at: number | string | Date, now: Date = new Date()): string {
  const d = at instanceof Date ? at : new Date(at);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const sameDay =
    d.getFullYear() === now.getFullYear() &&
    d.getMonth() === now.getMonth() &&
    d.getDate() === now.getDate();
  if (sameDay) return time;
  return `${d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' })} ${time}`;
}

export function formatLogTime(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
