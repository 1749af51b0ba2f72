/**
 * What the POSIX and Windows process backends share: spawning an agent with its output piped,
 * watching a process we did not spawn, and the process probe (core/process-table).
 */
import { execa } from 'execa';
import { messageOf } from '../../contract/index.ts';
import { osProbe, type ProcessProbe } from '../../core/process-table.ts';
import type { AgentChild, ExitStatus, SpawnOutcome, SpawnSpec } from './process-backend.ts';

export async function spawnAgent(spec: SpawnSpec, ownGroup: boolean): Promise<SpawnOutcome> {
  let child: ReturnType<typeof execa>;
  try {
    child = execa(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      // Own process group, so pause and stop reach the whole tree.
      detached: ownGroup,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      // The agent may outlive us (quit behaviour "leave running"): never kill it on our exit.
      cleanup: false,
      windowsHide: true,
      encoding: 'buffer',
    });
  } catch (error) {
    return { ok: false, message: `The agent could not be started: ${messageOf(error)}` };
  }
  // Node reports a failed spawn (ENOENT, EACCES) by leaving pid undefined.
  if (child.pid === undefined) {
    const result = await child;
    return {
      ok: false,
      message: `The agent could not be started (${spec.command}): ${result.originalMessage || result.shortMessage}`,
    };
  }
  const running = child;
  const streams = { stdout: running.stdout, stderr: running.stderr };
  streams.stdout?.on('error', () => undefined);
  streams.stderr?.on('error', () => undefined);
  const agent: AgentChild = {
    pid: child.pid,
    exited: running.then((r) => ({ code: r.exitCode ?? null, signal: r.signal ?? null })),
    onData: (stream, listener) => void streams[stream]?.on('data', listener),
    onEnd: (stream, listener) => void streams[stream]?.on('end', listener),
    detach() {
      streams.stdout?.destroy();
      streams.stderr?.destroy();
    },
  };
  return { ok: true, child: agent };
}

/** Polls until `pid` is gone (a process that is not our child sends us no exit event). */
export function watchExit(pid: number, probe: ProcessProbe = osProbe): Promise<ExitStatus> {
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (!probe.isAlive(pid)) {
        clearInterval(timer);
        resolve({ code: null, signal: null });
      }
    }, 250);
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
