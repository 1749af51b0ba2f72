/**
 * The process port of the supervisor: everything it asks of the operating system about an
 * agent's process tree. The POSIX implementation spawns each agent as the leader of its own
 * process group and freezes with SIGSTOP; the Windows one has neither groups nor a freeze
 * (`canFreeze` false) and ends trees with `taskkill /T /F`. Unit tests drive a fake.
 *
 * Invariant for implementations: a signal reaches only processes of the run — the group whose
 * leader the OS confirms carries the run id, and processes that carry it themselves — never
 * pid ≤ 1, Nightshift itself or its own group (see `createSignaller`).
 */
import type { ProcessProbe } from '../../core/process-table.ts';

export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

/** A run's processes as the backend knows them: its leader (= group id on POSIX) and run id. */
export interface RunProcesses {
  pid: number;
  runId: string;
}

export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** An agent we spawned: its output pipes and its exit. */
export interface AgentChild {
  pid: number;
  exited: Promise<ExitStatus>;
  onData(stream: 'stdout' | 'stderr', listener: (chunk: Buffer) => void): void;
  onEnd(stream: 'stdout' | 'stderr', listener: () => void): void;
  /** Closes our end of its pipes; it keeps running and writes its run log itself. */
  detach(): void;
}

export type SpawnOutcome = { ok: true; child: AgentChild } | { ok: false; message: string };

/** Pids with the start token each had when seen, so a reused pid is never signalled. */
export type TreeSnapshot = Map<number, string | null>;

export interface ProcessBackend extends ProcessProbe {
  /** Whether pause can freeze the whole tree (false: pause is drain-only). */
  readonly canFreeze: boolean;
  /** Spawns in its own process group, stdin closed, output piped; never killed on our exit. */
  spawn(spec: SpawnSpec): Promise<SpawnOutcome>;
  /** Every live process of the run: group, descendants, and carriers of its run id. */
  tree(run: RunProcesses): number[];
  snapshot(run: RunProcesses): TreeSnapshot;
  /** Stops every process of the run where it is (SIGSTOP). */
  freeze(run: RunProcesses): void;
  thaw(run: RunProcesses): void;
  /**
   * Asks the run to end (SIGTERM to the group; SIGCONT too when it was frozen, so the pending
   * SIGTERM is delivered). Windows: ends the tree outright.
   */
  terminate(run: RunProcesses, how: { frozen: boolean; snapshot: TreeSnapshot }): Promise<void>;
  /** SIGKILL to the group: the grace period is over. */
  kill(run: RunProcesses): void;
  /** SIGKILL to every process of the snapshot still alive (same start token) and the group. */
  killRemnants(run: RunProcesses, snapshot: TreeSnapshot): void;
  /** Waits (bounded) until no process of the run is left, killing stragglers. */
  sweep(run: RunProcesses): Promise<void>;
  /** Signals what is left of a run whose leader exited (a dev server started with &). */
  signalLeftovers(run: RunProcesses, sig: 'SIGTERM' | 'SIGKILL'): number[];
  /** Resolves when a process we did not spawn (an adopted agent) is gone. */
  watchExit(pid: number): Promise<ExitStatus>;
}
