/**
 * What the POSIX and Windows process backends share: spawning an agent with its output piped,
 * watching a process we did not spawn, the process probe (core/process-table), and the base
 * class that answers the probe's questions and kills what a snapshot holds.
 */
import { execa } from 'execa';
import { messageOf } from '../../contract/index.ts';
import {
  createSignaller,
  osProbe,
  type ProcessProbe,
  type Signaller,
} from '../../core/process-table.ts';
import type {
  AgentChild,
  ExitStatus,
  RunProcesses,
  SpawnOutcome,
  SpawnSpec,
  TreeSnapshot,
} from './process-backend.ts';

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

/**
 * The half of a ProcessBackend that is the same on every OS: questions to the probe, the
 * snapshot of a run's tree, and killing what a snapshot holds. A snapshot's process is killed
 * only while it is still the same process (same start token), never on the strength of a pid.
 */
export abstract class OsProcessBackend {
  protected readonly probe: ProcessProbe;
  protected readonly signaller: Signaller;

  constructor(options: { probe?: ProcessProbe; signaller?: Signaller } = {}) {
    this.probe = options.probe ?? osProbe;
    this.signaller = options.signaller ?? createSignaller();
  }

  isAlive = (pid: number) => this.probe.isAlive(pid);
  startToken = (pid: number) => this.probe.startToken(pid);
  state = (pid: number) => this.probe.state(pid);
  commandLine = (pid: number) => this.probe.commandLine(pid);
  cwd = (pid: number) => this.probe.cwd(pid);
  envHas = (pid: number, name: string, value: string) => this.probe.envHas(pid, name, value);

  abstract tree(run: RunProcesses): number[];

  snapshot(run: RunProcesses): TreeSnapshot {
    return new Map(this.tree(run).map((pid) => [pid, this.probe.startToken(pid)]));
  }

  protected killSnapshot(snapshot: TreeSnapshot): void {
    for (const [pid, token] of snapshot) {
      if (this.probe.isAlive(pid) && (token === null || this.probe.startToken(pid) === token))
        this.signaller.signal(pid, 'SIGKILL');
    }
  }

  watchExit(pid: number): Promise<ExitStatus> {
    return watchExit(pid, this.probe);
  }
}
