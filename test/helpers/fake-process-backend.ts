/**
 * A ProcessBackend with no real processes, for driving the supervisor's state machine (and the
 * scheduler over it) in fake time. The port is the edge: this stands in for the operating
 * system, not for any of our modules. Every call is recorded with the clock's time, so tests
 * assert order and timing (SIGTERM, then SIGKILL a grace period later).
 *
 * A fake process answers SIGTERM as told (`onTerm`): exit 0 like the real agent, or ignore it.
 */
import type { Clock } from '../../main/services/clock.ts';
import type {
  AgentChild,
  ExitStatus,
  ProcessBackend,
  RunProcesses,
  SpawnOutcome,
  SpawnSpec,
  TreeSnapshot,
} from '../../main/services/process-backend.ts';

export interface FakeProcess {
  pid: number;
  alive: boolean;
  state: 'S' | 'T';
  env: Record<string, string>;
  cwd: string;
  commandLine: string;
  startToken: string;
  onTerm: 'exit' | 'ignore';
  /** Extra pids of its tree (children) that the backend reports. */
  children: number[];
  exit(status: ExitStatus): void;
  /** Writes a line to its stdout (spawned processes only). */
  print(line: string): void;
}

export type BackendCall =
  | { at: number; op: 'spawn'; spec: SpawnSpec; pid: number | null }
  | { at: number; op: 'freeze' | 'thaw' | 'kill' | 'sweep'; pid: number }
  | { at: number; op: 'terminate'; pid: number; frozen: boolean }
  | { at: number; op: 'killRemnants'; pid: number; snapshot: number[] }
  | { at: number; op: 'leftovers'; pid: number; signal: 'SIGTERM' | 'SIGKILL'; pids: number[] };

export class FakeProcessBackend implements ProcessBackend {
  readonly canFreeze: boolean;
  readonly calls: BackendCall[] = [];
  readonly processes = new Map<number, FakeProcess>();
  /** The next spawn fails with this sentence, while set. */
  failSpawnWith: string | null = null;
  /** How the next spawned process answers SIGTERM. */
  nextOnTerm: 'exit' | 'ignore' = 'exit';
  private nextPid = 40_000;
  private readonly clock: Clock;

  constructor(clock: Clock, options: { canFreeze?: boolean } = {}) {
    this.clock = clock;
    this.canFreeze = options.canFreeze ?? true;
  }

  ops(): string[] {
    return this.calls.map((c) => c.op);
  }

  /** A live process that was not spawned here (for adoption and forged locks). */
  addProcess(p: Partial<FakeProcess> & { env?: Record<string, string> }): FakeProcess {
    return this.makeProcess(p, () => undefined);
  }

  // ── ProcessProbe ─────────────────────────────────────────────────────────────────────────
  isAlive = (pid: number) => this.processes.get(pid)?.alive === true;
  startToken = (pid: number) => this.live(pid)?.startToken ?? null;
  state = (pid: number) => this.live(pid)?.state ?? null;
  commandLine = (pid: number) => this.live(pid)?.commandLine ?? null;
  cwd = (pid: number) => this.live(pid)?.cwd ?? null;
  envHas = (pid: number, name: string, value: string) => {
    const p = this.live(pid);
    return p ? p.env[name] === value : null;
  };

  // ── ProcessBackend ───────────────────────────────────────────────────────────────────────
  async spawn(spec: SpawnSpec): Promise<SpawnOutcome> {
    if (this.failSpawnWith) {
      this.calls.push({ at: this.clock.now(), op: 'spawn', spec, pid: null });
      return { ok: false, message: this.failSpawnWith };
    }
    const data: Record<'stdout' | 'stderr', ((b: Buffer) => void)[]> = { stdout: [], stderr: [] };
    const ends: Record<'stdout' | 'stderr', (() => void)[]> = { stdout: [], stderr: [] };
    let resolveExit: (s: ExitStatus) => void = () => undefined;
    const exited = new Promise<ExitStatus>((r) => (resolveExit = r));
    const proc = this.makeProcess(
      {
        env: spec.env,
        cwd: spec.cwd,
        commandLine: [spec.command, ...spec.args].join(' '),
        onTerm: this.nextOnTerm,
      },
      (status) => {
        for (const s of ['stdout', 'stderr'] as const) for (const l of ends[s]) l();
        resolveExit(status);
      },
      (line) => {
        for (const l of data.stdout) l(Buffer.from(`${line}\n`));
      },
    );
    this.calls.push({ at: this.clock.now(), op: 'spawn', spec, pid: proc.pid });
    const child: AgentChild = {
      pid: proc.pid,
      exited,
      onData: (stream, listener) => void data[stream].push(listener),
      onEnd: (stream, listener) => void ends[stream].push(listener),
      detach: () => {
        data.stdout = [];
        data.stderr = [];
      },
    };
    return { ok: true, child };
  }

  tree(run: RunProcesses): number[] {
    const p = this.processes.get(run.pid);
    if (!p) return [];
    return [run.pid, ...p.children].filter((pid) => this.isAlive(pid));
  }

  snapshot(run: RunProcesses): TreeSnapshot {
    return new Map(this.tree(run).map((pid) => [pid, this.startToken(pid)]));
  }

  freeze(run: RunProcesses): void {
    this.calls.push({ at: this.clock.now(), op: 'freeze', pid: run.pid });
    for (const pid of this.tree(run)) (this.processes.get(pid) as FakeProcess).state = 'T';
  }

  thaw(run: RunProcesses): void {
    this.calls.push({ at: this.clock.now(), op: 'thaw', pid: run.pid });
    for (const pid of this.tree(run)) (this.processes.get(pid) as FakeProcess).state = 'S';
  }

  async terminate(run: RunProcesses, how: { frozen: boolean }): Promise<void> {
    this.calls.push({ at: this.clock.now(), op: 'terminate', pid: run.pid, frozen: how.frozen });
    const p = this.processes.get(run.pid);
    if (p?.alive && p.onTerm === 'exit') p.exit({ code: 0, signal: null });
  }

  kill(run: RunProcesses): void {
    this.calls.push({ at: this.clock.now(), op: 'kill', pid: run.pid });
    this.killAll(run);
  }

  killRemnants(run: RunProcesses, snapshot: TreeSnapshot): void {
    this.calls.push({
      at: this.clock.now(),
      op: 'killRemnants',
      pid: run.pid,
      snapshot: [...snapshot.keys()],
    });
    this.killAll(run);
  }

  async sweep(run: RunProcesses): Promise<void> {
    this.calls.push({ at: this.clock.now(), op: 'sweep', pid: run.pid });
  }

  signalLeftovers(run: RunProcesses, signal: 'SIGTERM' | 'SIGKILL'): number[] {
    const p = this.processes.get(run.pid);
    const pids = (p?.children ?? []).filter((pid) => this.isAlive(pid));
    this.calls.push({ at: this.clock.now(), op: 'leftovers', pid: run.pid, signal, pids });
    if (signal === 'SIGKILL') for (const pid of pids) this.processes.get(pid)?.exit(killed);
    return pids;
  }

  watchExit(pid: number): Promise<ExitStatus> {
    const p = this.processes.get(pid);
    if (!p || !p.alive) return Promise.resolve({ code: null, signal: null });
    return new Promise((resolve) => {
      const exit = p.exit;
      // An adopted process is not our child: its exit status is lost.
      p.exit = (status) => {
        exit(status);
        resolve({ code: null, signal: null });
      };
    });
  }

  private killAll(run: RunProcesses): void {
    for (const pid of this.tree(run)) this.processes.get(pid)?.exit(killed);
  }

  private live(pid: number): FakeProcess | null {
    const p = this.processes.get(pid);
    return p?.alive ? p : null;
  }

  private makeProcess(
    p: Partial<FakeProcess>,
    onExit: (status: ExitStatus) => void,
    print: (line: string) => void = () => undefined,
  ): FakeProcess {
    const pid = p.pid ?? this.nextPid++;
    const proc: FakeProcess = {
      pid,
      alive: true,
      state: 'S',
      env: {},
      cwd: '/',
      commandLine: 'fake',
      startToken: `start-${pid}`,
      onTerm: 'exit',
      children: [],
      ...p,
      exit(status) {
        if (!proc.alive) return;
        proc.alive = false;
        onExit(status);
      },
      print: (line) => {
        if (proc.alive) print(line);
      },
    };
    this.processes.set(pid, proc);
    return proc;
  }
}

const killed: ExitStatus = { code: null, signal: 'SIGKILL' };
