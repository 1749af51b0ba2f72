/**
 * `<project>/.nightshift/agent.lock`: taken exclusively *before* the agent is spawned, then
 * completed with the agent's pid and start token.
 *
 * A lock is a claim, not proof, since every process in the project folder can write it. It names a live
 * agent only when the OS confirms the process (`confirmAgent`): its environment carries the
 * lock's run id, its start time is the recorded one (where the platform reports start times),
 * and its command line or working folder names the project path the caller knows from the
 * registry (never the lock's own `projectDir`). A lock whose process is gone is stale and is
 * cleared; one naming a live process that fails these checks is `unconfirmed`: never adopted,
 * never signalled, and never cleared silently (the user clears it, `clearLock`).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { z } from 'zod';
import { RunOrigin, RunSettings } from '../contract/index.ts';
import { agentEnv } from './launch-protocol.ts';
import { type ProcessProbe, osProbe, ownProcessGroup } from './process-table.ts';
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
  | { kind: 'stale'; reason: string }
  /** A live process the OS does not confirm as this project's agent. */
  | { kind: 'unconfirmed'; lock: LockRecord; reason: string };

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

export type Confirmation = { ok: true } | { ok: false; reason: string };

/**
 * Does the OS confirm that the process a lock names is this project's agent of that run?
 * `projectDir` is the project's path from the registry. The reason, when not, is a clause that
 * completes "The agent lock … cannot be trusted: …".
 */
export function confirmAgent(
  lock: LockRecord,
  projectDir: string,
  probe: ProcessProbe = osProbe,
): Confirmation {
  const pid = lock.pid;
  if (pid === null) return { ok: false, reason: 'it names no process' };
  if (!Number.isInteger(pid) || pid <= 1)
    return { ok: false, reason: `it names pid ${pid}, which is never an agent` };
  if (pid === process.pid || pid === ownProcessGroup())
    return { ok: false, reason: `it names Nightshift itself (pid ${pid})` };
  if (!probe.isAlive(pid)) return { ok: false, reason: `process ${pid} is not running` };
  const env = probe.envHas(pid, agentEnv.runId, lock.runId);
  if (env === null)
    return {
      ok: false,
      reason: `the system does not show whether process ${pid} belongs to the run`,
    };
  if (!env) return { ok: false, reason: `process ${pid} does not carry the lock's run id` };
  const token = probe.startToken(pid);
  if (token !== null && token !== lock.startToken)
    return {
      ok: false,
      reason: `process ${pid} started at another time than the agent it records (the pid was reused)`,
    };
  const cmd = probe.commandLine(pid);
  const cwd = probe.cwd(pid);
  if (!(cmd?.includes(projectDir) ?? false) && !(cwd !== null && samePlace(cwd, projectDir)))
    return {
      ok: false,
      reason: `neither the command line nor the working folder of process ${pid} names ${projectDir}`,
    };
  return { ok: true };
}

/** `dir` is `projectDir` or inside it, comparing real paths (symlinked temp folders, macOS /private). */
function samePlace(dir: string, projectDir: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const rel = relative(real(projectDir), real(dir));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/** What the lock of the project at `projectDir` (its registry path) says, checked with the OS. */
export function inspectLock(projectDir: string, probe: ProcessProbe = osProbe): LockInspection {
  const lock = readLock(projectDir);
  if (lock === 'missing') return { kind: 'free' };
  if (lock === 'corrupt') {
    if (lockAgeMs(projectDir) < UNREADABLE_GRACE_MS) return { kind: 'being-written' };
    return { kind: 'stale', reason: 'the lock file was unreadable' };
  }
  if (lock.phase === 'spawning') {
    // Still spawning: busy while the app that took it is alive and is who it says it is (where
    // the platform reports start times, a lock without the owner's start time proves nothing).
    const ownerToken = lock.ownerPid > 1 ? probe.startToken(lock.ownerPid) : null;
    const ownerAlive =
      lock.ownerPid > 1 &&
      probe.isAlive(lock.ownerPid) &&
      (ownerToken === null || ownerToken === lock.ownerStart);
    if (ownerAlive) return { kind: 'starting-elsewhere', lock };
    if (lock.pid === null)
      return { kind: 'stale', reason: 'the app that was starting the agent is gone' };
  }
  const pid = lock.pid;
  // A pid that cannot be an agent is never looked up, let alone called dead or alive.
  const impossible = pid === null || !Number.isInteger(pid) || pid <= 1;
  if (!impossible && !probe.isAlive(pid))
    return { kind: 'stale', reason: `agent ${pid} is no longer running` };
  const confirmed = confirmAgent(lock, projectDir, probe);
  return confirmed.ok
    ? { kind: 'live-agent', lock }
    : { kind: 'unconfirmed', lock, reason: confirmed.reason };
}

/** The sentence the panel shows for an unconfirmed lock. */
export function unconfirmedLockMessage(projectName: string, reason: string): string {
  return `The agent lock of ${projectName} cannot be trusted: ${reason}. Nightshift will not attach to, pause or stop that process. Clear the lock to start a new agent; nothing else is touched.`;
}

/**
 * The user's "clear the lock": removes a lock that names no confirmed live agent (stale,
 * unreadable or unconfirmed). Signals nothing. Refuses while a confirmed agent runs or another
 * app is starting one.
 */
export function clearLock(
  projectDir: string,
  probe: ProcessProbe = osProbe,
): { cleared: boolean; refusal?: 'live-agent' | 'starting-elsewhere' | 'being-written' } {
  const found = inspectLock(projectDir, probe);
  if (found.kind === 'free') return { cleared: false };
  if (
    found.kind === 'live-agent' ||
    found.kind === 'starting-elsewhere' ||
    found.kind === 'being-written'
  )
    return { cleared: false, refusal: found.kind };
  rmSync(lockPath(projectDir), { force: true });
  return { cleared: true };
}

/** The lock autocoder and AutoForge take on a project: `pid` or `pid:createTime`. */
const foreignLockPlaces = [
  { dir: '.autoforge', tool: 'AutoForge' },
  { dir: '.autocoder', tool: 'autocoder' },
  { dir: '', tool: 'autocoder or AutoForge' },
] as const;

/** A live agent of autocoder or AutoForge holding its own lock on the project, if any. */
export function foreignAgentLock(
  projectDir: string,
  probe: ProcessProbe = osProbe,
): { tool: string; pid: number; path: string } | null {
  for (const place of foreignLockPlaces) {
    const path = join(projectDir, place.dir, '.agent.lock');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const m = /^\s*(\d+)(?::[\d.]+)?\s*$/.exec(text);
    const pid = m ? Number(m[1]) : NaN;
    if (Number.isInteger(pid) && pid > 1 && probe.isAlive(pid))
      return { tool: place.tool, pid, path };
  }
  return null;
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
