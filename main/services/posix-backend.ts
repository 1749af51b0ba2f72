/**
 * The POSIX process backend: each agent leads its own process group. Freeze is SIGSTOP to the
 * group and then to every process of the run that left it (setsid); stop is SIGTERM, SIGKILL
 * after the grace period, and a sweep of everything the run left behind.
 *
 * Nothing is signalled on the strength of a pid alone. The group is signalled only while the
 * OS confirms it is the run's (its leader, or once the leader is gone one of its members,
 * carries the run id in its environment: Linux never reuses a pid while a group of that id has
 * members), and a process outside the group only when it carries the run id itself, or was
 * seen as part of the run with the same start time.
 */
import { listProcesses, processTree, processesWithEnv } from '../../core/process-table.ts';
import { agentEnv } from '../../core/launch-protocol.ts';
import { delay, OsProcessBackend, spawnAgent } from './os-process.ts';
import type {
  ProcessBackend,
  RunProcesses,
  SpawnOutcome,
  SpawnSpec,
  TreeSnapshot,
} from './process-backend.ts';

export class PosixProcessBackend extends OsProcessBackend implements ProcessBackend {
  readonly canFreeze = true;

  spawn(spec: SpawnSpec): Promise<SpawnOutcome> {
    return spawnAgent(spec, true);
  }

  /** Does the OS confirm that the group led by `run.pid` is this run's? */
  groupConfirmed(run: RunProcesses): boolean {
    if (this.probe.isAlive(run.pid))
      return this.probe.envHas(run.pid, agentEnv.runId, run.runId) === true;
    return listProcesses().some(
      (p) =>
        p.pgid === run.pid &&
        p.state !== 'Z' &&
        this.probe.envHas(p.pid, agentEnv.runId, run.runId) === true,
    );
  }

  /**
   * Every process of a run: the agent's descendants and group (processTree) when the OS
   * confirms the leader, plus any process that carries the run's id in its environment, which
   * finds daemons that called setsid() and were orphaned (neither the group nor a parent link
   * leads to them any more).
   */
  tree(run: RunProcesses): number[] {
    const pids = new Set<number>();
    if (this.groupConfirmed(run)) for (const p of processTree(run.pid)) pids.add(p.pid);
    for (const pid of processesWithEnv(agentEnv.runId, run.runId)) pids.add(pid);
    return [...pids];
  }

  private group(run: RunProcesses, sig: NodeJS.Signals): void {
    if (this.groupConfirmed(run)) this.signaller.signalGroup(run.pid, sig);
  }

  freeze(run: RunProcesses): void {
    // The group first, then whatever left it, so nothing can spawn new work during the walk.
    this.group(run, 'SIGSTOP');
    for (const pid of this.tree(run)) this.signaller.signal(pid, 'SIGSTOP');
  }

  thaw(run: RunProcesses): void {
    for (const pid of this.tree(run)) this.signaller.signal(pid, 'SIGCONT');
    this.group(run, 'SIGCONT');
  }

  async terminate(run: RunProcesses, how: { frozen: boolean; snapshot: TreeSnapshot }) {
    this.group(run, 'SIGTERM');
    if (how.frozen) {
      // A stopped process keeps SIGTERM pending; continue it so it is delivered now.
      for (const pid of how.snapshot.keys()) this.signaller.signal(pid, 'SIGCONT');
      this.group(run, 'SIGCONT');
    }
  }

  kill(run: RunProcesses): void {
    this.group(run, 'SIGKILL');
  }

  killRemnants(run: RunProcesses, snapshot: TreeSnapshot): void {
    this.killSnapshot(snapshot);
    this.group(run, 'SIGKILL');
  }

  async sweep(run: RunProcesses): Promise<void> {
    const killed = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const members = this.tree(run).filter((pid) => pid !== run.pid || this.probe.isAlive(pid));
      if (members.length === 0) break;
      this.group(run, 'SIGKILL');
      for (const pid of members) {
        this.signaller.signal(pid, 'SIGKILL');
        killed.add(pid);
      }
      await delay(20);
    }
    await this.awaitGone(run, killed);
  }

  /**
   * A SIGKILLed process is not gone at once: while the kernel tears it down its environment can
   * no longer be read, so the checks above stop seeing it a moment before it leaves the process
   * table. Stop must return only when nothing of the run is alive, so wait (signalling nothing:
   * this only looks) until the group and every process killed above have gone, for at most 5 s.
   */
  private async awaitGone(run: RunProcesses, killed: ReadonlySet<number>): Promise<void> {
    for (let i = 0; i < 250; i++) {
      const alive = listProcesses().some(
        (p) => p.state !== 'Z' && (p.pgid === run.pid || killed.has(p.pid)),
      );
      if (!alive) return;
      await delay(20);
    }
  }

  signalLeftovers(run: RunProcesses, sig: 'SIGTERM' | 'SIGKILL'): number[] {
    const leftovers = this.tree(run).filter((pid) => pid !== run.pid);
    if (leftovers.length === 0) return [];
    this.group(run, sig);
    for (const pid of leftovers) this.signaller.signal(pid, sig);
    return leftovers;
  }
}
