/**
 * One fault trial: the app core runs in its own Node process (standing in for Electron's main)
 * with 3 projects, each running the real orchestrator (agent/cli.ts, the real Claude Agent SDK
 * and Claude Code) against the local fake Anthropic server. When every project's features.db
 * has a feature claimed (`in_progress`, its coding session blocked in a Bash call), the core is
 * SIGKILLed; a new core starts on the same data directory. It must adopt all 3 agents (same
 * pids, shown as adopted); then either the blocked calls are let go and every run finishes with
 * all features passing, or each agent is stopped on command. Afterwards no feature is left
 * claimed in any features.db (the real SQLite files are read), nothing of the agents is alive,
 * and the registry and settings file is byte-identical. Used by test/faults/app-core-kill.test.ts
 * (3 trials) and bench/soak/app-core-kill.ts (20).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isActiveStatus, type AgentState, type Result } from '../../contract/index.ts';
import { findFeaturesDb } from '../../core/project-paths.ts';
import { isAlive } from '../../core/process-table.ts';
import { fakeProviderEnv } from '../fixtures/agent-harness.ts';
import { callTool, type FakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { readRawRows } from '../fixtures/reference-db.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { repoRoot } from './serve.ts';
import { groupMembers, waitFor } from './supervisor-harness.ts';

/** How the adopted runs end: the blocked sessions are let go, or Stop is pressed. */
export type TrialEnding = 'finish' | 'stop';

export interface TrialFigures {
  ending: TrialEnding;
  /** Projects whose features.db had a feature claimed when the core was killed (must be 3). */
  claimedAtKill: number;
  /** Agents the restarted core showed as adopted, with the same pids (must be 3). */
  adopted: number;
  /** From spawning the new core to its first answer, with the agents adopted. */
  restartMs: number;
  /** From the restart's answer until the 3 runs had ended (finished, or stopped on command). */
  endMs: number;
  /** Features passing / total over the 3 projects at the end (all, when the runs finish). */
  passing: number;
  total: number;
  /** Features with `in_progress` (or a test claim) still set in any features.db (must be 0). */
  leftInProgress: number;
  /** Processes of the agents (their groups, or running in a project folder) alive at the end. */
  survivors: number;
  /** Registry/settings file unchanged byte for byte. */
  identical: boolean;
}

interface Core {
  child: ChildProcess;
  call<T>(name: string, input?: unknown): Promise<T>;
}

async function startCore(dataDir: string, env: NodeJS.ProcessEnv): Promise<Core> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'test/helpers/app-core-process.ts'), dataDir],
    { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] },
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
        const timer = setTimeout(() => reject(new Error(`${name} got no answer`)), 60_000);
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

/** The file a blocked coding session waits for, in the project folder (its working directory). */
const GATE = 'go-on';

/**
 * Coding sessions claim their feature, then run a Bash command that waits for the gate file
 * before implementing it: the claim is held, for certain, until the trial says otherwise.
 */
const gatedBrain = () =>
  scriptedBrain({
    intercept: (_request, session) =>
      session.role === 'coding' && session.step === 1
        ? callTool('Bash', {
            command: `node -e "const fs = require('fs'); setInterval(() => { if (fs.existsSync('${GATE}')) process.exit(0); }, 100)" && echo "feature ${session.featureId}" > feature-${session.featureId}.txt`,
            description: 'Wait for the build',
            timeout: 600000,
          })
        : null,
  });

interface Row {
  in_progress: unknown;
  testing_in_progress?: unknown;
  passes: unknown;
}

/** The features rows of a project, read from the real SQLite file ([] before it exists). */
function featureRows(projectDir: string): Row[] {
  const path = findFeaturesDb(projectDir);
  if (!path) return [];
  try {
    return readRawRows(path) as unknown as Row[];
  } catch {
    // Not created yet (no table): nothing claimed.
    return [];
  }
}

const claimed = (r: Row): boolean => !!Number(r.in_progress) || !!Number(r.testing_in_progress);

/** Live processes in a project: working in its folder or naming it on their command line. */
function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!(pid > 1) || pid === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const state = /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
      if (state !== 'Z' && (cwd === dir || cwd.startsWith(`${dir}/`) || cmd.includes(dir)))
        out.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

export async function runKillTrial(options: {
  fake: FakeAnthropic;
  ending: TrialEnding;
}): Promise<TrialFigures> {
  const { fake, ending } = options;
  const root = mkdtempSync(join(tmpdir(), 'nightshift-kill-'));
  const dataDir = join(root, 'data');
  // The core's agents inherit this environment: Claude Code talks only to the fake server.
  const env = fakeProviderEnv(fake.url, join(root, 'home'));
  const dirs = ['one', 'two', 'three'].map((name) => join(root, name));
  let first: Core | null = null;
  let second: Core | null = null;
  const agentPids: number[] = [];
  fake.setBrain(gatedBrain());
  try {
    first = await startCore(dataDir, env);
    const ids: string[] = [];
    for (const dir of dirs) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'app_spec.txt'), 'A small app\n- Layout\n- Login [after: 0]\n');
      const name = dir.slice(root.length + 1);
      ids.push((await first.call<{ id: string }>('projects.add', { name, path: dir })).id);
    }
    for (const id of ids) {
      const state = await first.call<AgentState>('agent.start', { id });
      agentPids.push(state.pid as number);
    }
    // Every project's first coding session holds its claim (blocked at the gate) when the core
    // dies: the initializer has made the backlog and a feature is in progress in each database.
    await waitFor(
      () => dirs.every((d) => featureRows(d).some(claimed)),
      'a claimed feature in each of the 3 projects',
      240_000,
    );
    const claimedAtKill = dirs.filter((d) => featureRows(d).some(claimed)).length;
    const registryFile = join(dataDir, 'nightshift.json');
    const before = readFileSync(registryFile);
    first.child.kill('SIGKILL');
    await waitFor(
      () => first?.child.exitCode !== null || first?.child.signalCode !== null,
      'the core to die',
    );
    const orphansAlive = agentPids.every((pid) => isAlive(pid));

    const t0 = performance.now();
    second = await startCore(dataDir, env);
    const states = await second.call<AgentState[]>('agent.statusAll');
    const restartMs = performance.now() - t0;
    const adopted = states.filter(
      (s) => s.adopted && s.pid !== null && agentPids.includes(s.pid) && s.status === 'running',
    ).length;

    const t1 = performance.now();
    if (ending === 'finish') {
      for (const dir of dirs) writeFileSync(join(dir, GATE), '');
      const deadline = Date.now() + 300_000;
      for (;;) {
        const now = await second.call<AgentState[]>('agent.statusAll');
        if (now.every((s) => !isActiveStatus(s.status))) break;
        if (Date.now() > deadline)
          throw new Error(`The adopted runs did not finish: ${JSON.stringify(now)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } else {
      for (const id of ids) await second.call<AgentState>('agent.stop', { id });
    }
    const endMs = performance.now() - t1;
    const alive = () => [
      ...agentPids.flatMap((pid) => [...(isAlive(pid) ? [pid] : []), ...groupMembers(pid)]),
      ...dirs.flatMap(processesIn),
    ];
    // A process reparented while its group ended may take a moment to be reaped.
    await waitFor(() => alive().length === 0, 'nothing of the agents to be left', 10_000).catch(
      () => undefined,
    );
    const survivors = new Set(alive()).size;
    const rows = dirs.flatMap(featureRows);
    const identical = existsSync(registryFile) && readFileSync(registryFile).equals(before);
    return {
      ending,
      claimedAtKill,
      adopted: orphansAlive ? adopted : 0,
      restartMs,
      endMs,
      passing: rows.filter((r) => !!Number(r.passes)).length,
      total: rows.length,
      leftInProgress: rows.filter(claimed).length,
      survivors,
      identical,
    };
  } finally {
    killCore(first);
    killCore(second);
    // Whatever happened, nothing this trial started stays alive: the agents, Claude Code and
    // the commands it ran all work in (or name) a project folder of this trial.
    for (const pid of new Set([...agentPids, ...dirs.flatMap(processesIn)]))
      if (pid > 1 && pid !== process.pid && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}
