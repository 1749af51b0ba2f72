/**
 * One fault trial: the app core runs in its own Node process with 3 projects whose (fixture)
 * agents run; it is SIGKILLed; a new app core starts on the same data directory. It must adopt
 * all 3 agents (same pids, shown as adopted), stop each on command so that nothing of them is
 * left, and leave the registry and settings file byte-identical. Used by
 * test/faults/app-core-kill.test.ts (3 trials) and bench/soak/app-core-kill.ts (20).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AgentState, Result } from '../../contract/index.ts';
import { isAlive, processTree } from '../../core/process-table.ts';
import { fixtureAgentCommand, repoRoot } from './serve.ts';
import { groupMembers, waitFor } from './supervisor-harness.ts';

export interface TrialFigures {
  /** Agents the restarted core showed as adopted, with the same pids (must be 3). */
  adopted: number;
  /** From spawning the new core to its first answer, with the agents adopted. */
  restartMs: number;
  /** Stopping the 3 adopted agents on command. */
  stopMs: number;
  /** Processes of the agents alive after the stops (must be 0). */
  survivors: number;
  /** Registry/settings file unchanged byte for byte. */
  identical: boolean;
}

interface Core {
  child: ChildProcess;
  call<T>(name: string, input?: unknown): Promise<T>;
}

async function startCore(dataDir: string): Promise<Core> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'test/helpers/app-core-process.ts'), dataDir],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        NIGHTSHIFT_AGENT_COMMAND: JSON.stringify(fixtureAgentCommand()),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const waiting = new Map<number, (r: Result<unknown>) => void>();
  let ready: (() => void) | null = null;
  let buffer = '';
  let errors = '';
  child.stderr?.on('data', (b: Buffer) => (errors += b.toString()));
  child.stdout?.on('data', (b: Buffer) => {
    buffer += b.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const msg = JSON.parse(buffer.slice(0, nl)) as {
        ready?: number;
        id?: number;
        result?: Result<unknown>;
      };
      buffer = buffer.slice(nl + 1);
      if (msg.ready) ready?.();
      else if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result as Result<unknown>);
    }
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the app core did not start:\n${errors}`)),
      30_000,
    );
    ready = () => {
      clearTimeout(timer);
      resolve();
    };
    child.on('exit', () => reject(new Error(`the app core exited:\n${errors}`)));
  });
  let next = 0;
  return {
    child,
    call<T>(name: string, input: unknown = {}) {
      const id = ++next;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} got no answer`)), 30_000);
        waiting.set(id, (r) => {
          clearTimeout(timer);
          if (r.ok) resolve(r.value as T);
          else reject(new Error(`${name}: ${r.error.message}`));
        });
        child.stdin?.write(`${JSON.stringify({ id, name, input })}\n`);
      });
    },
  };
}

function killCore(core: Core | null): void {
  if (core?.child.pid && core.child.exitCode === null) core.child.kill('SIGKILL');
}

export async function runKillTrial(): Promise<TrialFigures> {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-kill-'));
  const dataDir = join(root, 'data');
  let first: Core | null = null;
  let second: Core | null = null;
  const agentPids: number[] = [];
  try {
    first = await startCore(dataDir);
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const dir = join(root, name);
      mkdirSync(dir);
      ids.push((await first.call<{ id: string }>('projects.add', { name, path: dir })).id);
    }
    for (const id of ids) {
      const state = await first.call<AgentState>('agent.start', { id });
      agentPids.push(state.pid as number);
    }
    // Each agent is working (it has written its first lines) before the core dies.
    await waitFor(
      () => agentPids.every((pid) => processTree(pid).length >= 1 && isAlive(pid)),
      'three live agents',
    );
    const registryFile = join(dataDir, 'nightshift.json');
    const before = readFileSync(registryFile);
    first.child.kill('SIGKILL');
    await waitFor(
      () => first?.child.exitCode !== null || first?.child.signalCode !== null,
      'the core to die',
    );
    const orphansAlive = agentPids.every((pid) => isAlive(pid));

    const t0 = performance.now();
    second = await startCore(dataDir);
    const states = await second.call<AgentState[]>('agent.statusAll');
    const restartMs = performance.now() - t0;
    const adopted = states.filter(
      (s) => s.adopted && s.pid !== null && agentPids.includes(s.pid) && s.status === 'running',
    ).length;

    const t1 = performance.now();
    for (const id of ids) await second.call<AgentState>('agent.stop', { id });
    const stopMs = performance.now() - t1;
    const survivors = agentPids.filter(
      (pid) => isAlive(pid) || groupMembers(pid).length > 0,
    ).length;
    const identical = existsSync(registryFile) && readFileSync(registryFile).equals(before);
    return { adopted: orphansAlive ? adopted : 0, restartMs, stopMs, survivors, identical };
  } finally {
    killCore(first);
    killCore(second);
    // Whatever happened, nothing this trial started stays alive.
    for (const pid of agentPids)
      for (const p of [...processTree(pid).map((x) => x.pid), pid])
        if (p > 1 && p !== process.pid && isAlive(p)) process.kill(p, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}
