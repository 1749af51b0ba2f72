import type { ReactNode } from 'react';
import {
  providerTroubleWords,
  type AgentCard,
  type CostFigure,
  type RunView,
  type Usage,
} from '../../../contract/index.ts';
import {
  formatClock,
  formatCostFigure,
  formatElapsed,
  formatTokens,
  roleLabel,
} from '../lib/format.ts';
import { useNow } from '../lib/hooks.ts';
import { useLedger } from '../stores/ledger.ts';
import { useProjects } from '../stores/projects.ts';

function phaseLabel(view: RunView): string | null {
  switch (view.phase) {
    case null:
      return null;
    case 'starting':
      return 'Starting';
    case 'initializing':
      return 'Writing the feature list from the spec';
    case 'working':
      return 'Working through features';
    case 'draining':
      return 'Finishing current work, starting nothing new';
    case 'drained':
      return 'Idle after finishing current work';
    case 'rate-limited':
      return 'Waiting for the rate limit to reset';
    case 'waiting-for-provider':
      return 'Waiting for the provider';
    case 'complete':
      return 'Every feature passes';
    case 'finished': {
      const p = view.progress;
      const left = p
        ? [
            p.needsHuman > 0 ? `${p.needsHuman} need${p.needsHuman === 1 ? 's' : ''} you` : '',
            p.blocked > 0 ? `${p.blocked} blocked` : '',
          ].filter(Boolean)
        : [];
      return left.length > 0
        ? `Stopped with work left: ${left.join(', ')}`
        : 'Stopped with work left';
    }
    case 'stopping':
      return 'Stopping';
    case 'failed':
      return 'The run failed';
  }
}

const tokens = (u: Usage): string =>
  `${formatTokens(u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens)} tokens`;

function costTitle(cost: CostFigure): string | undefined {
  if (cost.unknownSessions > 0)
    return 'This model has no known price, so the cost is shown when its session ends.';
  if (cost.estimated)
    return 'Estimated from the token counts at the model’s list price; the exact cost replaces it when the session ends.';
  return undefined;
}

function AgentCardView(props: { card: AgentCard; now: number; projectId: string }): ReactNode {
  const { card, now } = props;
  const stalled = useLedger((s) => s.stalls[props.projectId]?.includes(card.agentId) ?? false);
  return (
    <li
      className={stalled ? 'agent-card stalled' : 'agent-card'}
      title={stalled ? 'No tool call or progress for a while: it may be stalled.' : undefined}
    >
      <div className="agent-card-head">
        <span className={`role role-${card.role}`}>{roleLabel(card.role)}</span>
        <span className="muted mono">{card.agentId}</span>
        <span className="agent-elapsed" title={`Started ${formatClock(card.startedAt)}`}>
          {formatElapsed(now - card.startedAt)}
        </span>
      </div>
      <div className="agent-feature">
        {card.featureId !== null ? (
          <>
            <span className="mono">#{card.featureId}</span> {card.featureName ?? ''}
          </>
        ) : (
          <span className="muted">No feature yet</span>
        )}
      </div>
      <div className="agent-doing" title={card.doing}>
        {card.doing || <span className="muted">Waiting for its first step…</span>}
      </div>
      <div className="agent-usage muted">
        {card.usage && card.cost ? (
          <>
            {tokens(card.usage)} ·{' '}
            <span className="agent-cost" title={costTitle(card.cost)}>
              {formatCostFigure(card.cost)}
            </span>
          </>
        ) : (
          'No usage reported yet'
        )}
      </div>
    </li>
  );
}

export function RunOverview(props: { projectId: string }): ReactNode {
  const view = useProjects((s) => s.runViews[props.projectId]);
  const live = (view?.agents.length ?? 0) > 0;
  const now = useNow(1000, live || view?.rateLimitedUntil != null);
  if (!view) return null;
  const progress = view.progress;
  const phase = phaseLabel(view);
  const rateLimited = view.rateLimitedUntil !== null && view.rateLimitedUntil > now;
  const pct = progress && progress.total > 0 ? (progress.passing / progress.total) * 100 : 0;
  return (
    <section className="panel run-overview" aria-label="Run">
      {rateLimited && view.rateLimitedUntil !== null ? (
        <div className="banner warn" role="status">
          <strong>Rate-limited until {formatClock(view.rateLimitedUntil)}</strong>; new sessions
          resume by themselves.
        </div>
      ) : null}
      {view.providerHold && view.phase === 'waiting-for-provider' ? (
        <div className="banner warn" role="status">
          <strong>
            {providerTroubleWords[view.providerHold.reason]}
            {view.providerHold.since !== null
              ? ` since ${formatClock(view.providerHold.since)}`
              : ''}
          </strong>
          {view.providerHold.until !== null
            ? `; retrying at ${formatClock(view.providerHold.until)}.`
            : '.'}{' '}
          No feature attempt is counted for it.
        </div>
      ) : null}
      {view.lastError ? (
        <div className="banner error" role="status">
          {view.lastError}
        </div>
      ) : null}
      <div className="overview-row">
        <div className="overview-progress">
          {progress && progress.total > 0 ? (
            <>
              <div className="progress-figures">
                <strong>
                  {progress.passing}/{progress.total}
                </strong>{' '}
                features passing ({Math.round(pct)}%)
              </div>
              <div
                className="bar"
                role="progressbar"
                aria-label="Features passing"
                aria-valuemin={0}
                aria-valuemax={progress.total}
                aria-valuenow={progress.passing}
              >
                <span style={{ width: `${pct}%` }} />
              </div>
              <div className="progress-detail muted">
                {progress.inProgress} in progress · {progress.underTest} under test ·{' '}
                {progress.blocked} blocked · {progress.needsHuman} need input
              </div>
            </>
          ) : (
            <div className="muted">
              No features reported yet. The first run writes them from the spec.
            </div>
          )}
        </div>
        <dl className="overview-facts">
          {phase ? (
            <div>
              <dt>Phase</dt>
              <dd>{view.phaseMessage ? `${phase}: ${view.phaseMessage}` : phase}</dd>
            </div>
          ) : null}
          <div>
            <dt>Run cost</dt>
            <dd>
              {view.runCost ? (
                <>
                  <span className="run-cost" title={costTitle(view.runCost)}>
                    {formatCostFigure(view.runCost)}
                  </span>
                  {view.runTotal ? <span className="muted"> ({tokens(view.runTotal)})</span> : null}
                </>
              ) : (
                <span className="muted">none yet</span>
              )}
            </dd>
          </div>
        </dl>
      </div>
      {view.agents.length > 0 ? (
        <ul className="agent-cards" aria-label="Agents working now">
          {view.agents.map((card) => (
            <AgentCardView key={card.agentId} card={card} now={now} projectId={view.projectId} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}
