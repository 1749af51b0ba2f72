/**
 * Can the OS sandbox (the Claude Agent SDK's: bubblewrap + socat on Linux, Seatbelt on macOS)
 * start on this machine? Used before a run starts (main: refuse, or run unsandboxed when the user
 * allowed it) and by the agent (whether to ask the SDK for it). The answer is a sentence the
 * project view shows after "Sandbox: off: ".
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export type SandboxProbe = { available: true } | { available: false; reason: string };

export function findOnPath(name: string, pathVar = process.env.PATH ?? ''): string | null {
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

let cached: SandboxProbe | null = null;

/** Probes once per process (a bubblewrap start takes a few ms; the answer does not change). */
export function probeSandbox(
  platform: NodeJS.Platform = process.platform,
  pathVar = process.env.PATH ?? '',
): SandboxProbe {
  if (platform === process.platform && pathVar === (process.env.PATH ?? '') && cached)
    return cached;
  const result = probeUncached(platform, pathVar);
  if (platform === process.platform && pathVar === (process.env.PATH ?? '')) cached = result;
  return result;
}

function probeUncached(platform: NodeJS.Platform, pathVar: string): SandboxProbe {
  if (platform === 'darwin')
    return findOnPath('sandbox-exec', `${pathVar}${delimiter}/usr/bin`)
      ? { available: true }
      : { available: false, reason: 'macOS sandbox-exec was not found.' };
  if (platform !== 'linux')
    return {
      available: false,
      reason: `the OS sandbox is not supported on ${platform === 'win32' ? 'Windows' : platform}.`,
    };
  const bwrap = findOnPath('bwrap', pathVar);
  const socat = findOnPath('socat', pathVar);
  const missing = [bwrap ? null : 'bubblewrap (bwrap)', socat ? null : 'socat'].filter(Boolean);
  if (missing.length > 0)
    return {
      available: false,
      reason: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not installed (Debian/Ubuntu: apt install bubblewrap socat).`,
    };
  // Installed is not enough: user namespaces may be off (containers, hardened kernels).
  const run = spawnSync(
    bwrap!,
    ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-net', '--', 'true'],
    { timeout: 5000, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  if (run.status !== 0) {
    const why = (run.stderr || run.error?.message || `exit ${String(run.status)}`).trim();
    return {
      available: false,
      reason: `bubblewrap cannot create a sandbox here (${why.split('\n')[0]!.slice(0, 160)}).`,
    };
  }
  return { available: true };
}
