/**
 * Run logs: one JSON object per line under `<project>/.nightshift/runs/<runId>.jsonl`.
 * The supervisor appends each (redacted) output line; when an agent outlives the app that
 * started it (its stdout pipe is gone), the agent appends the same records itself, so an app
 * that adopts it later tails one file either way.
 */
import { join } from 'node:path';

export interface RunLogRecord {
  ts: number;
  line: string;
}

export const nightshiftDir = (projectDir: string): string => join(projectDir, '.nightshift');
export const runsDir = (projectDir: string): string => join(nightshiftDir(projectDir), 'runs');
export const runLogPath = (projectDir: string, runId: string): string =>
  join(runsDir(projectDir), `${runId}.jsonl`);
export const lockPath = (projectDir: string): string =>
  join(nightshiftDir(projectDir), 'agent.lock');
/** Present while the agent should finish current work and start nothing new. */
export const drainFlagPath = (projectDir: string): string =>
  join(nightshiftDir(projectDir), 'drain');

export function formatRunLogRecord(line: string, ts = Date.now()): string {
  return `${JSON.stringify({ ts, line } satisfies RunLogRecord)}\n`;
}

export function parseRunLogRecord(text: string): RunLogRecord | null {
  try {
    const v = JSON.parse(text) as Partial<RunLogRecord>;
    return typeof v.ts === 'number' && typeof v.line === 'string'
      ? { ts: v.ts, line: v.line }
      : null;
  } catch {
    return null;
  }
}

/** Environment variables the supervisor gives every agent process. */
export const agentEnv = {
  runId: 'NIGHTSHIFT_RUN_ID',
  runLog: 'NIGHTSHIFT_RUN_LOG',
  sessionTimeoutMinutes: 'NIGHTSHIFT_SESSION_TIMEOUT_MIN',
  maxFeatureAttempts: 'NIGHTSHIFT_MAX_ATTEMPTS',
  claudeExecutable: 'NIGHTSHIFT_CLAUDE_PATH',
  /** Minutes without a tool call or progress before a session is ended as stalled. */
  stallKillMinutes: 'NIGHTSHIFT_STALL_KILL_MIN',
} as const;
