/**
 * `<project>/.nightshift/agent.lock`: taken exclusively *before* the agent is spawned, then
 * completed with the agent's pid, start token and command marker. A lock whose pid is alive
 * with the same start token and marker belongs to a live agent (which a restarted app adopts);
 * anything else is stale and is cleared.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { RunOrigin, RunSettings } from '../contract/index.ts';
import { type ProcessProbe, osProbe } from './process-table.ts';
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
  /** Unreadable but only just written: maybe an older version is still writing it. */
  | { kind: 'being-written' }
  | { kind: 'stale'; reason: string };

/**
 * How long an unreadable lock is given before it counts as stale. Our own locks are never
 * unreadable (they appear complete, see createLockExclusive), but an older Nightshift created
 * the file first and wrote it in a second step.
 */
export const UNREADABLE_GRACE_MS = 5_000;

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
export function lockAgentAlive(lock: LockRecord, probe: ProcessProbe = osProbe): boolean {
  if (lock.pid === null || !probe.isAlive(lock.pid)) return false;
  const token = probe.startToken(lock.pid);
  if (lock.startToken !== null && token !== null && token !== lock.startToken) return false;
  const cmd = probe.commandLine(lock.pid);
  return cmd === null || cmd.includes(lock.marker);
}

export function inspectLock(projectDir: string, probe: ProcessProbe = osProbe): LockInspection {
  const lock = readLock(projectDir);
  if (lock === 'missing') return { kind: 'free' };
  if (lock === 'corrupt') {
    if (lockAgeMs(projectDir) < UNREADABLE_GRACE_MS) return { kind: 'being-written' };
    return { kind: 'stale', reason: 'the lock file was unreadable' };
  }
  if (lock.phase === 'running') {
    return lockAgentAlive(lock, probe)
      ? { kind: 'live-agent', lock }
      : { kind: 'stale', reason: `agent ${lock.pid ?? '?'} is no longer running` };
  }
  // Still spawning: busy while the app that took it is alive (and is who it says it is).
  const ownerAlive =
    probe.isAlive(lock.ownerPid) &&
    (lock.ownerStart === null || probe.startToken(lock.ownerPid) === lock.ownerStart);
  if (ownerAlive) return { kind: 'starting-elsewhere', lock };
  if (lock.pid !== null && lockAgentAlive(lock, probe)) return { kind: 'live-agent', lock };
  return { kind: 'stale', reason: 'the app that was starting the agent is gone' };
}

function lockAgeMs(projectDir: string): number {
  try {
    return Date.now() - statSync(lockPath(projectDir)).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function writeTemp(path: string, record: LockRecord): string {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, JSON.stringify(record, null, 2));
  } finally {
    closeSync(fd);
  }
  return temp;
}

/**
 * Creates the lock exclusively and complete; false if a lock file already exists. The record is
 * written to a temp file first and hard-linked into place: link() fails with EEXIST like an
 * exclusive open, but nobody can ever see the lock empty or half-written (and mistake it for
 * a stale one).
 */
export function createLockExclusive(projectDir: string, record: LockRecord): boolean {
  const path = lockPath(projectDir);
  mkdirSync(dirname(path), { recursive: true });
  const temp = writeTemp(path, record);
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Replaces the content of a lock we hold (atomically, via rename). */
export function updateLock(projectDir: string, record: LockRecord): void {
  const path = lockPath(projectDir);
  renameSync(writeTemp(path, record), path);
}

/** Removes the lock if it still names `runId` (never someone else's, never an unreadable one). */
export function releaseLock(projectDir: string, runId: string): void {
  const lock = readLock(projectDir);
  if (lock === 'missing' || lock === 'corrupt' || lock.runId !== runId) return;
  rmSync(lockPath(projectDir), { force: true });
}

const BREAKER_STALE_MS = 10_000;

/**
 * Removes the lock only if it is (still) stale; true if it did. Two apps that both found the
 * same stale lock must not both clear it: the second would delete the fresh lock the first has
 * just taken, and both would spawn. So clearing happens under a short-lived breaker file, taken
 * exclusively, and the lock is inspected again while holding it.
 */
export function removeStaleLock(projectDir: string, probe: ProcessProbe = osProbe): boolean {
  const path = lockPath(projectDir);
  const breaker = `${path}.break`;
  let fd: number;
  try {
    fd = openSync(breaker, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A breaker is held for microseconds; an old one was left by a process that died holding it.
    try {
      if (Date.now() - statSync(breaker).mtimeMs > BREAKER_STALE_MS)
        rmSync(breaker, { force: true });
    } catch {
      // It went away meanwhile.
    }
    return false;
  }
  try {
    writeSync(fd, String(process.pid));
    closeSync(fd);
    if (inspectLock(projectDir, probe).kind !== 'stale') return false;
    rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(breaker, { force: true });
  }
}
