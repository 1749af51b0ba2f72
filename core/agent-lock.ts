/**
 * `<project>/.nightshift/agent.lock`: taken exclusively *before* the agent is spawned, then
 * completed with the agent's pid, start token and command marker. A lock whose pid is alive
 * with the same start token and marker belongs to a live agent (which a restarted app adopts);
 * anything else is stale and is cleared.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { RunOrigin, RunSettings } from '../contract/index.ts';
import { isAlive, processCommandLine, processStartToken } from './process-table.ts';
import { lockPath } from './run-log.ts';

export const LockRecord = z.object({
  version: z.literal(1),
  phase: z.enum(['spawning', 'running']),
  /** The process that took the lock (the app), so a half-taken lock of a live app stays busy. */
  ownerPid: z.number(),
  ownerStart: z.string().nullable(),
  runId: z.string(),
  projectDir: z.string(),
  pid: z.number().nullable(),
  pgid: z.number().nullable(),
  startToken: z.string().nullable(),
  /** A string the agent's command line must contain (its project dir flag). */
  marker: z.string(),
  runLog: z.string(),
  settings: RunSettings,
  origin: RunOrigin,
  startedAt: z.string(),
});
export type LockRecord = z.infer<typeof LockRecord>;

export type LockInspection =
  | { kind: 'free' }
  | { kind: 'live-agent'; lock: LockRecord }
  | { kind: 'starting-elsewhere'; lock: LockRecord }
  | { kind: 'stale'; reason: string };

export function readLock(projectDir: string): LockRecord | 'missing' | 'corrupt' {
  let text: string;
  try {
    text = readFileSync(lockPath(projectDir), 'utf8');
  } catch {
    return 'missing';
  }
  try {
    const parsed = LockRecord.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'corrupt';
  } catch {
    return 'corrupt';
  }
}

/** Is the process recorded in this lock the agent that wrote it (not a reused pid)? */
export function lockAgentAlive(lock: LockRecord): boolean {
  if (lock.pid === null || !isAlive(lock.pid)) return false;
  const token = processStartToken(lock.pid);
  if (lock.startToken !== null && token !== null && token !== lock.startToken) return false;
  const cmd = processCommandLine(lock.pid);
  return cmd === null || cmd.includes(lock.marker);
}

export function inspectLock(projectDir: string): LockInspection {
  const lock = readLock(projectDir);
  if (lock === 'missing') return { kind: 'free' };
  if (lock === 'corrupt') return { kind: 'stale', reason: 'the lock file was unreadable' };
  if (lock.phase === 'running') {
    return lockAgentAlive(lock)
      ? { kind: 'live-agent', lock }
      : { kind: 'stale', reason: `agent ${lock.pid ?? '?'} is no longer running` };
  }
  // Still spawning: busy while the app that took it is alive (and is who it says it is).
  const ownerAlive =
    isAlive(lock.ownerPid) &&
    (lock.ownerStart === null || processStartToken(lock.ownerPid) === lock.ownerStart);
  if (ownerAlive) return { kind: 'starting-elsewhere', lock };
  if (lock.pid !== null && lockAgentAlive(lock)) return { kind: 'live-agent', lock };
  return { kind: 'stale', reason: 'the app that was starting the agent is gone' };
}

/** Creates the lock exclusively; false if a lock file already exists. */
export function createLockExclusive(projectDir: string, record: LockRecord): boolean {
  const path = lockPath(projectDir);
  mkdirSync(dirname(path), { recursive: true });
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(record, null, 2));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Replaces the content of a lock we hold (atomically, via rename). */
export function updateLock(projectDir: string, record: LockRecord): void {
  const path = lockPath(projectDir);
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(record, null, 2));
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Removes the lock if it still names `runId` (never someone else's). */
export function releaseLock(projectDir: string, runId: string): void {
  const lock = readLock(projectDir);
  if (lock === 'missing') return;
  if (lock !== 'corrupt' && lock.runId !== runId) return;
  rmSync(lockPath(projectDir), { force: true });
}

export function removeStaleLock(projectDir: string): void {
  rmSync(lockPath(projectDir), { force: true });
}
