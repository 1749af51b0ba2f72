/**
 * The PreToolUse hooks every session runs under, and the per-session containment settings
 * (sandbox, settings trust) the orchestrator hands to runSession. The hooks are Nightshift's
 * second line behind the OS sandbox: the Bash guard (bash-guard.ts) with this machine's real
 * PATH, filesystem and process table as its ports, and a file-tool hook that keeps Write, Edit
 * and NotebookEdit off the protected paths (protected-paths.ts).
 */
import type {
  HookCallback,
  HookCallbackMatcher,
  SandboxSettings,
} from '@anthropic-ai/claude-agent-sdk';
import { realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { findOnPath } from '../core/sandbox-probe.ts';
import { processInfo } from '../core/process-table.ts';
import { checkBashCommand, type GuardContext } from './bash-guard.ts';
import { isProtectedPath } from './protected-paths.ts';
import { mayFetch, mayRead, type ReadRules } from './containment.ts';

export interface SessionContainment {
  /** The SDK sandbox settings, or null when the run goes unsandboxed (the user allowed it). */
  sandbox: SandboxSettings | null;
  /** Load the project's `.claude/` settings, hooks and permissions. */
  trustProjectSettings: boolean;
  home: string;
  tmpDir: string;
  /** The sessions' PATH (what commands resolve against). */
  pathVar: string;
  /** What Read, Grep and Glob may read (they run in Claude Code, outside the OS sandbox). */
  readRules?: ReadRules;
}

export function realpathOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** True when `pid` is a live descendant of `ancestor` (walking parent links, at most 64 deep). */
export function isDescendantOf(pid: number, ancestor = process.pid): boolean {
  if (!Number.isInteger(pid) || pid <= 1 || pid === ancestor) return false;
  let current = pid;
  for (let hops = 0; hops < 64; hops++) {
    const info = processInfo(current);
    if (!info || info.state === 'Z') return false;
    if (info.ppid === ancestor) return true;
    if (info.ppid <= 1) return false;
    current = info.ppid;
  }
  return false;
}

export function guardContextFor(projectDir: string, c?: SessionContainment): GuardContext {
  const pathVar = c?.pathVar ?? process.env.PATH ?? '';
  return {
    projectDir,
    home: c?.home ?? homedir(),
    tmpDir: c?.tmpDir ?? tmpdir(),
    which: (name) => findOnPath(name, pathVar),
    realpath: realpathOrNull,
    isOwnDescendant: (pid) => isDescendantOf(pid),
  };
}

const deny = (reason: string): ReturnType<HookCallback> =>
  Promise.resolve({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse' as const,
      permissionDecision: 'deny' as const,
      permissionDecisionReason: reason,
    },
  });

/** The sentence a file tool receives for a protected path. */
export const protectedFileRefusal = (path: string): string =>
  `Writing '${path}' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.`;

/** The sentence WebFetch receives for a URL outside the sandbox's network allowlist. */
export const fetchRefusal = (url: string): string =>
  `Fetching '${url}' is refused: sessions reach only the provider, the package registries, localhost and the domains this project allows (project settings → Containment).`;

/** The sentence a file tool receives for a path outside what sessions may read. */
export const readRefusal = (path: string): string =>
  `Reading '${path}' is refused: sessions read the project, toolchains and caches, not the rest of your home folder or credential files.`;

export function guardHooks(projectDir: string, c?: SessionContainment): HookCallbackMatcher[] {
  const ctx = guardContextFor(projectDir, c);
  const bash: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse') return {};
    const command = (input.tool_input as { command?: unknown } | null)?.command;
    if (typeof command !== 'string') return {};
    const reason = checkBashCommand(command, ctx);
    return reason ? deny(reason) : {};
  };
  const files: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse') return {};
    const i = (input.tool_input ?? {}) as { file_path?: unknown; notebook_path?: unknown };
    const target = typeof i.file_path === 'string' ? i.file_path : i.notebook_path;
    if (typeof target !== 'string') return {};
    const abs = isAbsolute(target) ? target : resolve(projectDir, target);
    return isProtectedPath(abs, projectDir, realpathOrNull)
      ? deny(protectedFileRefusal(target))
      : {};
  };
  const rules = c?.readRules;
  const reads: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse' || !rules) return {};
    const i = (input.tool_input ?? {}) as { file_path?: unknown; path?: unknown };
    const target = typeof i.file_path === 'string' ? i.file_path : i.path;
    if (typeof target !== 'string') return {};
    const abs = isAbsolute(target) ? target : resolve(projectDir, target);
    const real = realpathOrNull(abs) ?? abs;
    return mayRead(abs, rules) && mayRead(real, rules) ? {} : deny(readRefusal(target));
  };
  // WebFetch runs in Claude Code, outside the OS sandbox: hold it to the sandbox's domains.
  const domains = c?.sandbox?.network?.allowedDomains;
  const fetches: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse' || !domains) return {};
    const url = (input.tool_input as { url?: unknown } | null)?.url;
    if (typeof url !== 'string') return deny(fetchRefusal(String(url)));
    return mayFetch(url, domains) ? {} : deny(fetchRefusal(url));
  };
  return [
    { matcher: 'WebFetch', hooks: [fetches] },
    { matcher: 'Read|Grep|Glob|NotebookRead', hooks: [reads] },
    { matcher: 'Bash', hooks: [bash] },
    { matcher: 'Write|Edit|MultiEdit|NotebookEdit', hooks: [files] },
  ];
}
