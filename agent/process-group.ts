/**
 * Claim owners and process checks. A claim owner names the host, process, run and agent that
 * holds a feature (`ns:<host>:<pid>:<run>:<agent>`), so a claim whose process is gone can be
 * released at once, while a live one is never taken (the lease covers owners we cannot check).
 */
import { hostname } from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';

const HOST = hostname().replace(/:/g, '_');

export function ownerId(runId: string, agentId: string, pid = process.pid): string {
  return `ns:${HOST}:${pid}:${runId.replace(/:/g, '_')}:${agentId}`;
}

export function parseOwner(
  owner: string,
): { host: string; pid: number; runId: string; agentId: string } | null {
  const m = /^ns:([^:]*):(\d+):([^:]*):(.*)$/.exec(owner);
  if (!m) return null;
  return { host: m[1]!, pid: Number(m[2]), runId: m[3]!, agentId: m[4]! };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when the owner's process is known to be gone: a Nightshift owner on this host whose pid
 * is dead, or one of this very process's own owners that is not live any more.
 */
export function ownerIsDead(owner: string, liveOwners: ReadonlySet<string>): boolean {
  const parsed = parseOwner(owner);
  if (!parsed || parsed.host !== HOST) return false;
  if (parsed.pid === process.pid) return !liveOwners.has(owner);
  return !pidAlive(parsed.pid);
}

/** Linux: the process group of a pid, from /proc (null elsewhere or when unreadable). */
export function processGroupOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]);
  } catch {
    return null;
  }
}

/** Linux: other live members of a process group (zombies excluded). */
export function groupMembers(pgid: number, exclude = process.pid): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === exclude) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[2]) === pgid) out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * When this agent leads its own process group (the supervisor spawns it so), ends whatever is
 * left in the group besides itself, e.g. dev servers an agent started in the background:
 * SIGTERM, then SIGKILL after a grace period. Does nothing when we do not lead our group
 * (started by hand from a shell), so it never touches processes that are not ours.
 */
export async function sweepOwnGroup(graceMs = 1500): Promise<number> {
  const pgid = processGroupOf(process.pid);
  if (pgid === null || pgid !== process.pid) return 0;
  const first = groupMembers(pgid);
  for (const pid of first) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupMembers(pgid).length > 0)
    await new Promise((r) => setTimeout(r, 100));
  for (const pid of groupMembers(pgid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return first.length;
}
