/**
 * Reading the OS process table: who is alive, who descends from whom, which group a process
 * is in, whether it is stopped, and when it started (to tell a live agent from a reused pid).
 * Linux reads /proc directly; macOS asks `ps`; Windows has no process groups and reports less.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

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
      if (!Number.isInteger(pid) || pid === process.pid) continue;
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
      if (pid !== process.pid && isAlive(pid)) found.push(pid);
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

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pgid: number, sig: NodeJS.Signals): boolean {
  if (process.platform === 'win32') return signal(pgid, sig);
  return signal(-pgid, sig);
}
