/**
 * The Windows process backend. Windows has no process groups and no SIGSTOP: pause is
 * drain-only (`canFreeze` false, reported to the UI as a capability), and ending a tree means
 * `taskkill /T /F`, which tree-kill runs for us. tree-kill spawns its helper without an error
 * handler and ignores the signal on Windows, so it is wrapped here and never called bare.
 */
import treeKill from 'tree-kill';
import { OsProcessBackend, spawnAgent } from './os-process.ts';
import type {
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

export class WindowsProcessBackend extends OsProcessBackend implements ProcessBackend {
  readonly canFreeze = false;

  spawn(spec: SpawnSpec): Promise<SpawnOutcome> {
    return spawnAgent(spec, false);
  }

  /** Only the leader: Windows reports no parent links or environments here. */
  tree(run: RunProcesses): number[] {
    return this.probe.isAlive(run.pid) ? [run.pid] : [];
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
    this.killSnapshot(snapshot);
  }

  async sweep(): Promise<void> {}

  signalLeftovers(): number[] {
    return [];
  }
}
