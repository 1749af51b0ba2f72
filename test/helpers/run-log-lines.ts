/**
 * Run-log lines as the agent writes them (events wrapped in run-log records), for tests that
 * read real run-log files into the ledger.
 */
import { formatAgentEventLine, type AgentEventInput } from '../../contract/agent-events.ts';
import { formatRunLogRecord } from '../../core/run-log.ts';

export const usage = (costUsd: number) => ({
  inputTokens: 1000,
  outputTokens: 100,
  cacheReadTokens: 10,
  cacheWriteTokens: 5,
  costUsd,
});

export function record(e: AgentEventInput, ts: number): string {
  return formatRunLogRecord(formatAgentEventLine(e, ts), ts);
}

export function session(i: number, agentId: string, ts: number): string[] {
  return [
    record(
      { type: 'agent-started', agentId, role: 'coding', featureId: i, featureName: `F${i}` },
      ts,
    ),
    record({ type: 'activity', agentId, kind: 'tool', summary: 'Read a.ts' }, ts + 1),
    record({ type: 'cost', agentId, usage: usage(0), runTotal: usage(0) }, ts + 2),
    record(
      {
        type: 'agent-finished',
        agentId,
        role: 'coding',
        featureId: i,
        sessionId: `s${i}`,
        outcome: i % 2 ? 'passed' : 'failed',
        message: 'done',
        usage: usage(0.25),
        turns: 4,
        end: 'completed',
        subtype: 'success',
      },
      ts + 3,
    ),
  ];
}
