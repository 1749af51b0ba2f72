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

/** Present while the initializer's backlog is not known to be complete (survives a crash). */
export const initializingFlagPath = (projectDir: string): string =>
  join(nightshiftDir(projectDir), 'initializing');

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
