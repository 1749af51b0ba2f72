/**
 * The Windows process backend. Windows has no process groups and no SIGSTOP: pause is
 * drain-only (`canFreeze` false, reported to the UI as a capability), and ending a tree means
 * `taskkill /T /F`, which tree-kill runs for us. tree-kill spawns its helper without an error
 * handler and ignores the signal on Windows, so it is wrapped here and never called bare.
 */
import treeKill from 'tree-kill';
import {
  type ProcessProbe,
  type Signaller,
  createSignaller,
  osProbe,
} from '../../core/process-table.ts';
import { spawnAgent, watchExit } from './os-process.ts';
import type {
  ExitStatus,
  ProcessBackend,
  RunProcesses,
  SpawnOutcome,
  SpawnSpec,
  TreeSnapshot,
} from './process-backend.ts';

export function killTreeWindows(pid: number): Promise<void> {
  return new Promise((resolve) => {
    try {
      treeKill(pid, 'SIGKILL', () => resolve());
    } catch {
      resolve();
    }
  });
}

export class WindowsProcessBackend implements ProcessBackend {
  readonly canFreeze = false;
  private readonly probe: ProcessProbe;
  private readonly signaller: Signaller;

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

  spawn(spec: SpawnSpec): Promise<SpawnOutcome> {
    return spawnAgent(spec, false);
  }

  /** Only the leader: Windows reports no parent links or environments here. */
  tree(run: RunProcesses): number[] {
    return this.probe.isAlive(run.pid) ? [run.pid] : [];
  }

  snapshot(run: RunProcesses): TreeSnapshot {
    return new Map(this.tree(run).map((pid) => [pid, this.probe.startToken(pid)]));
  }

  freeze(): void {
    // No freeze on Windows; the supervisor drains instead (canFreeze is false).
  }

  thaw(): void {}

  terminate(run: RunProcesses): Promise<void> {
    return killTreeWindows(run.pid);
  }

  kill(run: RunProcesses): void {
    this.signaller.signal(run.pid, 'SIGKILL');
  }

  killRemnants(_run: RunProcesses, snapshot: TreeSnapshot): void {
    for (const [pid, token] of snapshot) {
      if (this.probe.isAlive(pid) && (token === null || this.probe.startToken(pid) === token))
        this.signaller.signal(pid, 'SIGKILL');
    }
  }

  async sweep(): Promise<void> {}

  signalLeftovers(): number[] {
    return [];
  }

  watchExit(pid: number): Promise<ExitStatus> {
    return watchExit(pid, this.probe);
  }
}
