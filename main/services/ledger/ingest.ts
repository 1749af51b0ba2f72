/**
 * Ingestion of run logs (`<project>/.nightshift/runs/<run>.jsonl`) into the ledger.
 *
 * Invariants:
 * - Idempotent: every row written is keyed by the run id and the byte offset of the line it came
 *   from, and every write is an upsert of the same values, so re-reading a file, a grown file or
 *   a file another app already read never doubles a session.
 * - Only complete lines are read; `log_offset` remembers the end of the last one, so an ingest
 *   is incremental and a line being written is read on the next pass. A file shorter than the
 *   offset (replaced) is read again from the start, which the keys make harmless.
 * - The run log is the source of truth for sessions; the supervisor's view (origin, settings,
 *   why it stopped) is added by `recordRunStart`/`endRun` in the ledger service.
 */
import { basename } from 'node:path';
import type { AgentEvent, RunPhase, SessionOutcome } from '../../../contract/index.ts';
import { parseAgentEventLine } from '../../../contract/index.ts';
import { parseRunLogRecord } from '../../../core/run-log.ts';
import { readRunLogLines } from '../run-log-reader.ts';
import type { LedgerDb } from './ledger-db.ts';

type Finished = Extract<AgentEvent, { type: 'agent-finished' }>;

/** The ledger's outcome for a session, from what the agent reported. */
export function sessionOutcome(e: Finished): SessionOutcome {
  switch (e.end) {
    case 'auth-failed':
      return 'auth';
    case 'rate-limited':
      return 'rate-limit';
    case 'aborted':
      return 'aborted';
    case 'stalled':
      return 'stalled';
    case 'budget':
      return 'budget';
    default:
      break;
  }
  if (e.subtype === 'error_max_budget_usd') return 'budget';
  switch (e.outcome) {
    case 'passed':
    case 'tested-ok':
    case 'done':
      return 'passed';
    case 'aborted':
      return 'aborted';
    case 'rate-limited':
      return 'rate-limit';
    // A session that ended with an error but no result (the process or the API failed) is not
    // the feature's fault; one with an error result (turn limit, execution error) is.
    case 'error':
      return e.end === 'error' && (e.subtype ?? null) !== null ? 'failed' : 'infrastructure';
    default:
      return 'failed';
  }
}

export interface IngestSummary {
  runId: string;
  /** Lines applied in this pass. */
  events: number;
  sessionsStarted: number;
  sessionsFinished: number;
  humanInputs: { featureId: number; featureName: string; prompt: string; ts: number }[];
  /** The last run phase read in this pass (terminal ones end the run). */
  phase: RunPhase | null;
  phaseMessage: string | null;
}

export interface IngestTarget {
  projectId: string;
  projectName: string;
  path: string;
}

export const runIdOfLog = (path: string): string => basename(path).replace(/\.jsonl$/, '');

/** Ingests whatever of one run log the ledger has not read yet. */
export function ingestRunLog(ledger: LedgerDb, target: IngestTarget): IngestSummary {
  const runId = runIdOfLog(target.path);
  const summary: IngestSummary = {
    runId,
    events: 0,
    sessionsStarted: 0,
    sessionsFinished: 0,
    humanInputs: [],
    phase: null,
    phaseMessage: null,
  };
  ledger.tx(() => {
    const row = ledger.get('SELECT log_offset, model FROM runs WHERE run_id = ?', runId);
    let model = (row?.model as string | null | undefined) ?? null;
    const offset = Number(row?.log_offset ?? 0);
    let ensured = row !== undefined;
    const ensureRun = (ts: number) => {
      if (ensured) return;
      ensured = true;
      ledger.run(
        `INSERT INTO runs (run_id, project_id, project_name, started_at, log_path, last_ts)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(run_id) DO NOTHING`,
        runId,
        target.projectId,
        target.projectName,
        ts,
        target.path,
        ts,
      );
      model = (ledger.get('SELECT model FROM runs WHERE run_id = ?', runId)?.model ?? null) as
        string | null;
    };
    let lastTs: number | null = null;
    const read = readRunLogLines(target.path, offset, (text, at) => {
      const record = parseRunLogRecord(text);
      if (!record) return;
      ensureRun(record.ts);
      lastTs = record.ts;
      const event = parseAgentEventLine(record.line);
      if (!event) return;
      summary.events++;
      applyEvent(ledger, target.projectId, runId, model, event, at, summary);
    });
    if (!read) return;
    if (ensured)
      ledger.run(
        `UPDATE runs SET log_offset = ?, log_path = ?, last_ts = MAX(COALESCE(last_ts, 0), ?)
         WHERE run_id = ?`,
        read.end,
        target.path,
        lastTs ?? 0,
        runId,
      );
  });
  return summary;
}

function applyEvent(
  ledger: LedgerDb,
  projectId: string,
  runId: string,
  model: string | null,
  event: AgentEvent,
  at: number,
  summary: IngestSummary,
): void {
  switch (event.type) {
    case 'agent-started': {
      const changes = ledger.run(
        `INSERT INTO sessions (run_id, seq, project_id, agent_id, role, feature_id, feature_name,
           model, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(run_id, seq) DO NOTHING`,
        runId,
        at,
        projectId,
        event.agentId,
        event.role,
        event.featureId,
        event.featureName,
        model,
        event.ts,
      );
      summary.sessionsStarted += changes;
      return;
    }
    case 'agent-finished': {
      const open = openSession(ledger, runId, event.agentId, at);
      let seq = open;
      if (seq === null) {
        // Its start is not in the log (cut off): the finish line stands for the whole session.
        seq = at;
        ledger.run(
          `INSERT INTO sessions (run_id, seq, project_id, agent_id, role, feature_id, model, started_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(run_id, seq) DO NOTHING`,
          runId,
          seq,
          projectId,
          event.agentId,
          event.role,
          event.featureId,
          model,
          event.ts,
        );
      }
      const u = event.usage;
      ledger.run(
        `UPDATE sessions SET ended_at = ?, finish_seq = ?, outcome = ?, raw_outcome = ?, message = ?,
           turns = ?, input_tokens = ?, output_tokens = ?, cache_read_tokens = ?,
           cache_write_tokens = ?, cost_usd = ?, commits_json = ?, checkpoint_ref = ?
         WHERE run_id = ? AND seq = ?`,
        event.ts,
        at,
        sessionOutcome(event),
        event.outcome,
        event.message,
        event.turns,
        u?.inputTokens ?? 0,
        u?.outputTokens ?? 0,
        u?.cacheReadTokens ?? 0,
        u?.cacheWriteTokens ?? 0,
        u ? u.costUsd : null,
        JSON.stringify(event.commits ?? []),
        event.checkpointRef ?? null,
        runId,
        seq,
      );
      summary.sessionsFinished++;
      return;
    }
    case 'cost': {
      // Tokens so far of a session still running (its end replaces them with the SDK's figures).
      const seq = openSession(ledger, runId, event.agentId, at);
      if (seq === null) return;
      ledger.run(
        `UPDATE sessions SET input_tokens = ?, output_tokens = ?, cache_read_tokens = ?,
           cache_write_tokens = ? WHERE run_id = ? AND seq = ? AND finish_seq IS NULL`,
        event.usage.inputTokens,
        event.usage.outputTokens,
        event.usage.cacheReadTokens,
        event.usage.cacheWriteTokens,
        runId,
        seq,
      );
      return;
    }
    case 'progress':
      ledger.run(
        'UPDATE runs SET passing = ?, total_features = ? WHERE run_id = ?',
        event.progress.passing,
        event.progress.total,
        runId,
      );
      return;
    case 'run-state':
      ledger.run('UPDATE runs SET last_phase = ? WHERE run_id = ?', event.phase, runId);
      summary.phase = event.phase;
      summary.phaseMessage = event.message;
      if (event.phase === 'complete' || event.phase === 'finished' || event.phase === 'failed') {
        const reason =
          event.phase === 'complete'
            ? 'complete'
            : event.phase === 'finished'
              ? 'work-left'
              : /credential|sign-in|api key|401|403/i.test(event.message)
                ? 'auth'
                : 'failed';
        ledger.run(
          `UPDATE runs SET ended_at = COALESCE(ended_at, ?),
             end_reason = CASE WHEN end_reason IS NULL OR end_reason IN ('stopped', 'crashed', 'lost')
               THEN ? ELSE end_reason END,
             end_message = CASE WHEN end_reason IS NULL OR end_reason IN ('stopped', 'crashed', 'lost')
               THEN ? ELSE end_message END
           WHERE run_id = ?`,
          event.ts,
          reason,
          event.message,
          runId,
        );
      }
      return;
    case 'human-input': {
      const changes = ledger.run(
        `INSERT INTO feature_marks (run_id, seq, feature_id, feature_name, kind, ts)
         VALUES (?, ?, ?, ?, 'human-input', ?) ON CONFLICT(run_id, seq) DO NOTHING`,
        runId,
        at,
        event.featureId,
        event.featureName,
        event.ts,
      );
      if (changes)
        summary.humanInputs.push({
          featureId: event.featureId,
          featureName: event.featureName,
          prompt: event.prompt,
          ts: event.ts,
        });
      return;
    }
    default:
      return;
  }
}

/** The session of this agent that a line at `at` belongs to: the last one started before it. */
function openSession(ledger: LedgerDb, runId: string, agentId: string, at: number): number | null {
  const row = ledger.get(
    `SELECT seq FROM sessions WHERE run_id = ? AND agent_id = ? AND seq < ?
       AND (finish_seq IS NULL OR finish_seq >= ?) ORDER BY seq DESC LIMIT 1`,
    runId,
    agentId,
    at,
    at,
  );
  return row ? Number(row.seq) : null;
}
