/**
 * What a finished session means for its feature, per role. Pure: the session's result, what its
 * tools reported and the feature as the database holds it in; what to write and what to say out.
 * The orchestrator applies the answers (database writes, events) and keeps no rules of its own.
 *
 * Invariants:
 * - only a `feature` fault counts an attempt or a regression failure; a stop, a rate limit, an
 *   unreachable, overloaded or failing provider, a Claude Code that cannot start, and a refusal
 *   of the credentials never do (nor does anything after the credentials were refused);
 * - a coding session stopped by us or by infrastructure trouble resumes its feature first;
 * - a coding session that asked a human counts no attempt and records no error;
 * - a feature that passes reads `passed` however its session ended;
 * - a regression session that ended without testing and without reporting a regression is
 *   reported by how it ended; `maxAttempts` such failures in a row give the feature up for the run.
 */
import type { AgentEventInput } from '../contract/agent-events.ts';
import type { Feature } from '../core/features-db.ts';
import type { ToolContext } from './feature-tools.ts';
import type { SessionEnd, SessionResult } from './session.ts';

export type AgentOutcome = Extract<AgentEventInput, { type: 'agent-finished' }>['outcome'];

/** Whose fault it is that a session ended the way it did. */
export type Fault = 'feature' | 'stopped' | 'rate-limit' | 'auth' | 'infrastructure';

export type SessionReport = ToolContext['report'];

export interface Finished {
  outcome: AgentOutcome;
  message: string;
}

export function faultOf(end: SessionEnd, runAuthFailed: boolean): Fault {
  // Ended by us, or by the budget's hard cap: the feature is not at fault.
  if (end === 'aborted' || end === 'budget') return 'stopped';
  if (end === 'auth-failed' || runAuthFailed) return 'auth';
  if (end === 'rate-limited') return 'rate-limit';
  if (end === 'unavailable') return 'infrastructure';
  return 'feature';
}

/** The event outcome of a session that did not finish its job. */
export function outcomeOfEnd(end: SessionEnd): AgentOutcome {
  switch (end) {
    case 'auth-failed':
    case 'error':
      return 'error';
    case 'timeout':
      return 'timeout';
    case 'aborted':
      return 'aborted';
    case 'rate-limited':
      return 'rate-limited';
    case 'unavailable':
      return 'unavailable';
    default:
      return 'failed';
  }
}

export function initializerOutcome(result: SessionResult, featureCount: number): Finished {
  const outcome =
    result.end === 'completed' ? (featureCount > 0 ? 'done' : 'failed') : outcomeOfEnd(result.end);
  const message = featureCount > 0 ? `Created ${featureCount} features.` : result.message;
  return { outcome, message };
}

/**
 * An expander session: done when it created features (even if it ended early after creating
 * them: they exist), otherwise what its end was. The message names what it added.
 */
export function expanderOutcome(
  result: SessionResult,
  created: { id: number; name: string }[],
): Finished {
  if (created.length === 0)
    return {
      outcome: result.end === 'completed' ? 'done' : outcomeOfEnd(result.end),
      message:
        result.end === 'completed'
          ? 'Expansion added no features (the expander found nothing new in the addendum).'
          : `The expansion did not finish: ${result.message}`,
    };
  const names = created
    .slice(0, 10)
    .map((f) => `#${f.id} ${f.name}`)
    .join(', ');
  const more = created.length > 10 ? `, … and ${created.length - 10} more` : '';
  const n = created.length;
  return {
    outcome: 'done',
    message: `Expansion added ${n} feature${n === 1 ? '' : 's'}: ${names}${more}.`,
  };
}

/** What to write when a coding session's claim is released. */
export interface CodingRelease {
  countAttempt: boolean;
  /** The feature's last error (null keeps the one recorded). */
  error: string | null;
}

export function codingRelease(
  result: SessionResult,
  report: SessionReport,
  fault: Fault,
  passes: boolean,
): CodingRelease {
  if (passes || fault !== 'feature') return { countAttempt: false, error: null };
  if (report.humanInputRequested) return { countAttempt: false, error: null };
  const error = report.skippedReason
    ? `Skipped: ${report.skippedReason}`
    : result.end === 'completed'
      ? `The session ended without marking the feature passing. ${result.message}`
      : result.message;
  return { countAttempt: true, error };
}

export interface CodingFinished extends Finished {
  /** The question to show a human when this session used up the feature's attempts. */
  askHuman: string | null;
  /** Resume the feature first (the session was stopped by us mid-way). */
  resume: boolean;
}

export function codingOutcome(input: {
  featureId: number;
  result: SessionResult;
  report: SessionReport;
  fault: Fault;
  release: CodingRelease;
  /** The feature after the release. */
  after: Feature | null;
  maxAttempts: number;
}): CodingFinished {
  const { featureId, result, report, fault, release, after } = input;
  if (after?.passes)
    return {
      outcome: 'passed',
      message: `Feature #${featureId} passes.`,
      askHuman: null,
      resume: false,
    };
  const outcome = result.end === 'completed' ? 'failed' : outcomeOfEnd(result.end);
  const resume = fault === 'stopped' || fault === 'infrastructure';
  if (report.humanInputRequested)
    return {
      outcome,
      message: `Feature #${featureId} is waiting for human input.`,
      askHuman: null,
      resume,
    };
  if (fault !== 'feature') return { outcome, message: result.message, askHuman: null, resume };
  if (after?.needsHumanInput && release.countAttempt)
    return {
      outcome,
      message: `Feature #${featureId} failed ${after.attempts} times; stopped retrying and set it aside for a human.`,
      askHuman: after.humanInputRequest?.prompt ?? 'Stopped retrying this feature.',
      resume,
    };
  return {
    outcome,
    message: `Feature #${featureId} did not pass (attempt ${after?.attempts ?? '?'} of ${input.maxAttempts}): ${release.error ?? ''}`,
    askHuman: null,
    resume,
  };
}

export interface RegressionFinished extends Finished {
  /** Failed regression sessions of this feature in a row, counting this one. */
  failures: number;
  /** True when this session reached the cap: do not re-test the feature again in this run. */
  givenUp: boolean;
}

export function regressionOutcome(input: {
  featureId: number;
  result: SessionResult;
  report: SessionReport;
  fault: Fault;
  /** The feature after its test claim was released. */
  after: Feature | null;
  failuresBefore: number;
  maxAttempts: number;
}): RegressionFinished {
  const { featureId, result, report, fault, after, failuresBefore, maxAttempts } = input;
  const tested = result.end === 'completed';
  if (tested || report.regressionFound) {
    const failures = tested ? 0 : failuresBefore;
    if (report.regressionFound || !after?.passes)
      return {
        outcome: 'regression',
        message: after?.passes
          ? `Feature #${featureId} had regressed and was fixed.`
          : `Feature #${featureId} regressed; it is back in the queue for a coding agent.`,
        failures,
        givenUp: false,
      };
    return {
      outcome: 'tested-ok',
      message: `Feature #${featureId} still passes.`,
      failures,
      givenUp: false,
    };
  }
  const outcome = outcomeOfEnd(result.end);
  if ((result.end !== 'error' && result.end !== 'timeout') || fault !== 'feature')
    return { outcome, message: result.message, failures: failuresBefore, givenUp: false };
  const failures = failuresBefore + 1;
  if (failures >= maxAttempts)
    return {
      outcome,
      message: `Regression testing of feature #${featureId}${after ? ` "${after.name}"` : ''} failed ${failures} times in a row; it will not be re-tested again in this run. Last problem: ${result.message}`,
      failures,
      givenUp: true,
    };
  return {
    outcome,
    message: `Regression test of feature #${featureId} did not finish (attempt ${failures} of ${maxAttempts}): ${result.message}`,
    failures,
    givenUp: false,
  };
}
