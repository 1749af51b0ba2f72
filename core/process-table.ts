/**
 * Reading the OS process table: who is alive, who descends from whom, which group a process
 * is in, whether it is stopped, and when it started (to tell a live agent from a reused pid).
 * Linux reads /proc directly; macOS asks `ps`; Windows has no process groups and reports less.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R running, S sleeping, T stopped, Z zombie, … */
  state: string;
}

const isLinux = process.platform === 'linux';

function parseProcStat(
  text: string,
): { ppid: number; pgid: number; state: string; start: string } | null {
  // The command name is in parentheses and may contain spaces or parentheses itself.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(' ');
  // fields[0] is state (field 3), [1] ppid, [2] pgrp, … [19] starttime (field 22)
  const state = fields[0];
  const ppid = Number(fields[1]);
  const pgid = Number(fields[2]);
  const start = fields[19];
  if (state === undefined || start === undefined || Number.isNaN(ppid)) return null;
  return { ppid, pgid, state, start };
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie answers kill(0) but is dead for our purposes.
  return processInfo(pid)?.state !== 'Z';
}

export function processInfo(pid: number): ProcessInfo | null {
  if (isLinux) {
    try {
      const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      return stat ? { pid, ppid: stat.ppid, pgid: stat.pgid, state: stat.state } : null;
    } catch {
      return null;
    }
  }
  return listProcesses().find((p) => p.pid === pid) ?? null;
}

/** A stable token for when `pid` started, or null if it is not running / unknown. */
export function processStartToken(pid: number): string | null {
  try {
    if (isLinux) return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.start ?? null;
    if (process.platform === 'win32') return null;
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
    }).trim();
    return out || null;
  } catch {
    return null;
  }
}

export function processCommandLine(pid: number): string | null {
  try {
    if (isLinux) return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    if (process.platform === 'win32') return null;
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

export function listProcesses(): ProcessInfo[] {
  if (isLinux) {
    const out: ProcessInfo[] = [];
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid)) continue;
      try {
        const stat = parseProcStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
        if (stat) out.push({ pid, ppid: stat.ppid, pgid: stat.pgid, state: stat.state });
      } catch {
        // The process ended while we were reading the table.
      }
    }
    return out;
  }
  if (process.platform === 'win32') return [];
  const text = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,stat='], { encoding: 'utf8' });
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([pid, ppid, pgid, stat]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      state: (stat ?? '?').charAt(0),
    }));
}

/**
 * Every live process (other than this one) whose environment holds `name=value`. Descendants
 * inherit the agent's environment, so this finds what neither the group nor the parent links
 * can: a daemon that called setsid() and whose parent has exited (re-parented to init). Linux
 * reads /proc/<pid>/environ (readable for our own processes); macOS asks `ps eww`; Windows: none.
 */
export function processesWithEnv(name: string, value: string): number[] {
  const entry = `${name}=${value}`;
  const found: number[] = [];
  if (isLinux) {
    for (const dir of readdirSync('/proc')) {
      const pid = Number(dir);
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
      try {
        const environ = readFileSync(`/proc/${dir}/environ`, 'latin1');
        if (environ.split('\0').includes(entry) && isAlive(pid)) found.push(pid);
      } catch {
        // Another user's process, or one that ended while we read the table.
      }
    }
    return found;
  }
  if (process.platform === 'win32') return found;
  try {
    const text = execFileSync('ps', ['eww', '-A', '-o', 'pid=,command='], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    for (const line of text.split('\n')) {
      const m = /^\s*(\d+)\s/.exec(line);
      if (!m || !line.includes(` ${entry}`)) continue;
      const pid = Number(m[1]);
      if (pid > 1 && pid !== process.pid && isAlive(pid)) found.push(pid);
    }
  } catch {
    // ps unavailable: the group and the parent links are all we have.
  }
  return found;
}

/**
 * Every live descendant of `rootPid` (children, grandchildren, …) plus every member of its
 * process group: a child that called setsid() left the group but is still a descendant, and a
 * group member whose parent died was re-parented but is still in the group.
 */
export function processTree(rootPid: number, pgid = rootPid): ProcessInfo[] {
  const all = listProcesses();
  const byParent = new Map<number, ProcessInfo[]>();
  for (const p of all) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p);
    byParent.set(p.ppid, list);
  }
  const found = new Map<number, ProcessInfo>();
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift() as number;
    for (const child of byParent.get(pid) ?? []) {
      if (!found.has(child.pid)) {
        found.set(child.pid, child);
        queue.push(child.pid);
      }
    }
  }
  for (const p of all) if (p.pgid === pgid && p.pid !== rootPid) found.set(p.pid, p);
  const root = all.find((p) => p.pid === rootPid);
  if (root) found.set(rootPid, root);
  return [...found.values()].filter((p) => p.state !== 'Z');
}

/** The process-level facts a lock is checked against (the OS, or a fake in unit tests). */
export interface ProcessProbe {
  isAlive(pid: number): boolean;
  /** When the process started (an opaque token), or null where the platform does not say. */
  startToken(pid: number): string | null;
  /** One-letter state (T = stopped), or null when unknown. */
  state(pid: number): string | null;
  commandLine(pid: number): string | null;
  cwd(pid: number): string | null;
  /** Whether its environment holds `name=value`; null when the OS will not tell. */
  envHas(pid: number, name: string, value: string): boolean | null;
}

/** Linux: /proc/<pid>/cwd; macOS: lsof; elsewhere unknown. */
export function processCwd(pid: number): string | null {
  try {
    if (isLinux) return readlinkSync(`/proc/${pid}/cwd`);
    if (process.platform === 'win32') return null;
    const out = execFileSync('lsof', ['-a', '-p', String(pid), '-d', 'cwd', '-Fn'], {
      encoding: 'utf8',
    });
    const line = out.split('\n').find((l) => l.startsWith('n'));
    return line ? line.slice(1) : null;
  } catch {
    return null;
  }
}

/** Linux: /proc/<pid>/environ; macOS: `ps eww`; Windows: unknown (null). */
export function processEnvHas(pid: number, name: string, value: string): boolean | null {
  const entry = `${name}=${value}`;
  try {
    if (isLinux) return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
    if (process.platform === 'win32') return null;
    const out = execFileSync('ps', ['eww', '-o', 'command=', '-p', String(pid)], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    return out.includes(` ${entry}`);
  } catch {
    return null;
  }
}

export const osProbe: ProcessProbe = {
  isAlive,
  startToken: processStartToken,
  state: (pid) => processInfo(pid)?.state ?? null,
  commandLine: processCommandLine,
  cwd: processCwd,
  envHas: processEnvHas,
};

export type KillFunction = (pid: number, signal: NodeJS.Signals) => void;

/**
 * Sends signals, refusing the ones that could reach what is not an agent's: pid ≤ 1 (kill(-1)
 * or kill(0) would reach every process of the user, or our own group), Nightshift's own pid, and
 * its own process group. The kill function is injectable so those refusals are tested without
 * ever risking the real call.
 */
export interface Signaller {
  signal(pid: number, sig: NodeJS.Signals): boolean;
  /** POSIX: the whole group `pgid` (kill(-pgid)); Windows has no groups: the pid itself. */
  signalGroup(pgid: number, sig: NodeJS.Signals): boolean;
}

export function ownProcessGroup(): number | null {
  try {
    if (isLinux) return parseProcStat(readFileSync('/proc/self/stat', 'utf8'))?.pgid ?? null;
    if (process.platform === 'win32') return null;
    const out = execFileSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], {
      encoding: 'utf8',
    }).trim();
    return out ? Number(out) : null;
  } catch {
    return null;
  }
}

export function createSignaller(
  kill: KillFunction = (pid, sig) => process.kill(pid, sig),
  self: { pid: number; pgid: number | null } = { pid: process.pid, pgid: ownProcessGroup() },
  platform: NodeJS.Platform = process.platform,
): Signaller {
  const refused = (pid: number) =>
    !Number.isInteger(pid) || pid <= 1 || pid === self.pid || pid === self.pgid;
  const send = (target: number, sig: NodeJS.Signals) => {
    try {
      kill(target, sig);
      return true;
    } catch {
      return false;
    }
  };
  const signalOne = (pid: number, sig: NodeJS.Signals) => !refused(pid) && send(pid, sig);
  return {
    signal: signalOne,
    signalGroup(pgid, sig) {
      if (platform === 'win32') return signalOne(pgid, sig);
      return !refused(pgid) && send(-pgid, sig);
    },
  };
}

const osSignaller = createSignaller();

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  return osSignaller.signal(pid, sig);
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): boolean {
  return osSignaller.signalGroup(pgid, sig);
}
