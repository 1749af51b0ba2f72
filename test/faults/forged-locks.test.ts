/**
 * Forged agent locks: a lock is a claim any process in the project folder can write. With the
 * real supervisor and the real OS, a lock naming an unrelated live process (a decoy this test
 * starts), Nightshift itself, or a reused pid is never adopted, never shown as the agent and
 * never signalled: the decoy stays alive and is never stopped (state T). The panel gets a
 * sentence and the lock stays until the user clears it. pid ≤ 1 and negative groups are tested
 * only through an injected signal function that records calls; no real kill(-1) is risked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSettings } from '../../contract/index.ts';
import { type LockRecord, confirmAgent, inspectLock } from '../../core/agent-lock.ts';
import { agentEnv } from '../../core/launch-protocol.ts';
import {
  createSignaller,
  isAlive,
  processInfo,
  processStartToken,
  type Signaller,
} from '../../core/process-table.ts';
import { lockPath, runLogPath } from '../../core/run-log.ts';
import { PosixProcessBackend } from '../../main/services/posix-backend.ts';
import type { SupervisedProject } from '../../main/services/supervisor.ts';
import { makeHarness, runSettings, waitFor, type Harness } from '../helpers/supervisor-harness.ts';

const posix = process.platform !== 'win32';

interface DecoyOptions {
  cwd?: string;
  env?: Record<string, string>;
  args?: string[];
}

/** A sleeping process of our own, optionally in the project folder and carrying a run id. */
function startDecoy(options: DecoyOptions = {}) {
  const child = spawn(
    process.execPath,
    ['-e', 'setInterval(() => {}, 1000)', ...(options.args ?? [])],
    {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', ...(options.env ?? {}) },
      stdio: 'ignore',
    },
  );
  return child;
}

async function decoyPid(child: ChildProcess): Promise<number> {
  const pid = child.pid as number;
  await waitFor(() => processStartToken(pid) !== null, 'the decoy to run', 5_000);
  return pid;
}

/**
 * The real supervisor's harness with the project `name`, and a decoy started with the options
 * `decoy` gives for that project: `body` gets them with the decoy's pid. The decoy is killed and
 * the harness disposed of afterwards.
 */
async function withDecoy(
  name: string,
  decoy: (project: SupervisedProject) => DecoyOptions,
  body: (h: Harness, project: SupervisedProject, pid: number) => Promise<void>,
): Promise<void> {
  const h = makeHarness();
  const p = h.addProject(name);
  const child = startDecoy(decoy(p));
  try {
    await body(h, p, await decoyPid(child));
  } finally {
    child.kill('SIGKILL');
    await h.dispose();
  }
}

function forge(projectDir: string, lock: Partial<LockRecord>): void {
  mkdirSync(join(projectDir, '.nightshift'), { recursive: true });
  const record: LockRecord = {
    version: 1,
    phase: 'running',
    ownerPid: 999_999,
    ownerStart: null,
    runId: 'forged-run',
    projectDir,
    pid: null,
    pgid: null,
    startToken: null,
    marker: projectDir,
    runLog: runLogPath(projectDir, 'forged-run'),
    settings: runSettings satisfies RunSettings,
    origin: 'manual',
    startedAt: new Date().toISOString(),
    ...lock,
  };
  writeFileSync(lockPath(projectDir), JSON.stringify(record));
}

function assertUntouched(pid: number, what: string): void {
  assert.ok(isAlive(pid), `${what} is alive`);
  assert.notEqual(processInfo(pid)?.state, 'T', `${what} was never stopped`);
}

test('a forged lock naming an unrelated live process: not adopted, not signalled, refused with a sentence until cleared', async () => {
  // The strongest forgery short of the run id: the decoy sits in the project folder, names it
  // on its command line, and the lock records its true start time.
  await withDecoy(
    'forged',
    (p) => ({ cwd: p.path, args: [p.path] }),
    async (h, p, pid) => {
      forge(p.path, { pid, pgid: pid, startToken: processStartToken(pid) });
      h.supervisor.adoptExisting([p]);
      const state = h.supervisor.state('forged');
      assert.equal(state.status, 'stopped');
      assert.equal(state.pid, null, 'the decoy is not shown as the agent');
      assert.match(
        state.lockProblem ?? '',
        /cannot be trusted: process \d+ does not carry the lock's run id\./,
      );
      assert.match(state.lockProblem ?? '', /Clear the lock/);
      assert.ok(existsSync(lockPath(p.path)), 'the lock is not deleted silently');

      for (const action of ['pause', 'stop', 'resume', 'drain'] as const) {
        const r = await h.supervisor[action]('forged');
        assert.equal(r.ok, false, action);
      }
      const start = await h.supervisor.start('forged', { settings: runSettings, origin: 'manual' });
      assert.equal(start.ok, false);
      if (!start.ok) {
        assert.equal(start.error.code, 'conflict');
        assert.match(start.error.message, /^The agent lock of forged cannot be trusted: .*\.$/);
      }
      assertUntouched(pid, 'the decoy');

      const cleared = await h.supervisor.clearLock('forged');
      assert.equal(cleared.ok, true, JSON.stringify(cleared));
      assert.equal(existsSync(lockPath(p.path)), false);
      assert.equal(h.supervisor.state('forged').lockProblem, null);
      const again = await h.supervisor.start('forged', { settings: runSettings, origin: 'manual' });
      assert.equal(again.ok, true, JSON.stringify(again));
      assert.notEqual(h.supervisor.state('forged').pid, pid);
      assert.equal((await h.supervisor.stop('forged')).ok, true);
      assertUntouched(pid, 'the decoy, after a real agent ran and was stopped');
    },
  );
});

test('a process carrying the run id but outside the project folder is not confirmed', async () => {
  await withDecoy(
    'elsewhere',
    () => ({ env: { [agentEnv.runId]: 'forged-run' } }),
    async (h, p, pid) => {
      forge(p.path, { pid, pgid: pid, startToken: processStartToken(pid) });
      const found = inspectLock(p.path);
      assert.equal(found.kind, 'unconfirmed');
      if (found.kind === 'unconfirmed')
        assert.match(
          found.reason,
          /neither the command line nor the working folder of process \d+ names/,
        );
      h.supervisor.adoptExisting([p]);
      assert.equal(h.supervisor.state('elsewhere').pid, null);
      assertUntouched(pid, 'the decoy');
    },
  );
});

test('a reused pid (the run id and folder match, the start time does not) is not confirmed', async () => {
  await withDecoy(
    'reused',
    (p) => ({ cwd: p.path, env: { [agentEnv.runId]: 'forged-run' } }),
    async (h, p, pid) => {
      forge(p.path, { pid, pgid: pid, startToken: 'a start time long ago' });
      const found = inspectLock(p.path);
      assert.equal(found.kind, 'unconfirmed');
      if (found.kind === 'unconfirmed') assert.match(found.reason, /the pid was reused/);
      h.supervisor.adoptExisting([p]);
      const start = await h.supervisor.start('reused', { settings: runSettings, origin: 'manual' });
      assert.equal(start.ok, false);
      assertUntouched(pid, 'the process that reused the pid');
      // The same process with its true start time is confirmed: the checks are what decide.
      forge(p.path, { pid, pgid: pid, startToken: processStartToken(pid) });
      assert.equal(inspectLock(p.path).kind, 'live-agent');
    },
  );
});

test('a lock naming Nightshift itself, or pid 1, 0 or a negative one, is never confirmed', async () => {
  const h = makeHarness();
  const p = h.addProject('self');
  try {
    const self = { pid: process.pid, startToken: processStartToken(process.pid) };
    forge(p.path, { ...self, pgid: process.pid });
    const found = inspectLock(p.path);
    assert.equal(found.kind, 'unconfirmed');
    if (found.kind === 'unconfirmed') assert.match(found.reason, /names Nightshift itself/);
    h.supervisor.adoptExisting([p]);
    assert.equal(h.supervisor.state('self').pid, null);
    assert.match(h.supervisor.state('self').lockProblem ?? '', /Nightshift itself/);
    for (const pid of [1, 0, -1, -4242]) {
      forge(p.path, { pid, pgid: pid, startToken: null });
      const inspected = inspectLock(p.path);
      assert.equal(inspected.kind, 'unconfirmed', `pid ${pid}`);
      if (inspected.kind === 'unconfirmed')
        assert.match(inspected.reason, new RegExp(`names pid ${pid}, which is never an agent`));
    }
  } finally {
    await h.dispose();
  }
});

test('a forged "still spawning" lock naming a live process without its start time does not hold the project', async () => {
  await withDecoy(
    'spawning',
    () => ({}),
    async (h, p, pid) => {
      forge(p.path, { phase: 'spawning', ownerPid: pid, ownerStart: null, pid: null });
      assert.equal(inspectLock(p.path).kind, 'stale', 'an owner the OS cannot match is no owner');
      forge(p.path, { phase: 'spawning', ownerPid: pid, ownerStart: processStartToken(pid) });
      assert.equal(inspectLock(p.path).kind, 'starting-elsewhere', 'a matching owner still counts');
      forge(p.path, { phase: 'spawning', ownerPid: pid, ownerStart: null, pid: null });
      const r = await h.supervisor.start('spawning', { settings: runSettings, origin: 'manual' });
      assert.equal(r.ok, true, JSON.stringify(r));
      assertUntouched(pid, 'the decoy named as the owner');
    },
  );
});

test('autocoder’s or AutoForge’s own lock with a live pid refuses Start, naming the tool', async () => {
  await withDecoy(
    'shared-with-autoforge',
    () => ({}),
    async (h, p, pid) => {
      for (const [dir, tool] of [
        ['.autoforge', 'AutoForge'],
        ['.autocoder', 'autocoder'],
        ['', 'autocoder or AutoForge'],
      ] as const) {
        mkdirSync(join(p.path, dir), { recursive: true });
        const file = join(p.path, dir, '.agent.lock');
        writeFileSync(file, `${pid}:1767654000.25`);
        const r = await h.supervisor.start('shared-with-autoforge', {
          settings: runSettings,
          origin: 'manual',
        });
        assert.equal(r.ok, false, tool);
        if (!r.ok)
          assert.equal(
            r.error.message,
            `${tool} is running its own agent on shared-with-autoforge (pid ${pid}, lock ${file}). Stop it there first: one project runs one agent.`,
          );
        assert.equal(existsSync(lockPath(p.path)), false, 'no lock of ours was taken');
        assert.ok(existsSync(file), 'their lock is left alone');
        writeFileSync(file, '999998');
      }
      assertUntouched(pid, 'the other tool’s agent');
      // Their lock naming a dead pid does not hold us.
      const r = await h.supervisor.start('shared-with-autoforge', {
        settings: runSettings,
        origin: 'manual',
      });
      assert.equal(r.ok, true, JSON.stringify(r));
    },
  );
});

function recorder(): {
  calls: [number, string][];
  kill: (pid: number, sig: NodeJS.Signals) => void;
} {
  const calls: [number, string][] = [];
  return { calls, kill: (pid, sig) => void calls.push([pid, sig]) };
}

test('the signaller refuses pid ≤ 1, negative or odd pids, Nightshift itself and its own group', () => {
  const r = recorder();
  const s = createSignaller(r.kill, { pid: 5_000, pgid: 4_000 }, 'linux');
  for (const pid of [1, 0, -1, -2, 5_000, 4_000, Number.NaN, 1.5]) {
    assert.equal(s.signal(pid, 'SIGKILL'), false, `signal(${pid})`);
    assert.equal(s.signalGroup(pid, 'SIGKILL'), false, `signalGroup(${pid})`);
  }
  assert.deepEqual(r.calls, [], 'not one call reached the kill function');
  assert.equal(s.signal(1_234, 'SIGTERM'), true);
  assert.equal(s.signalGroup(1_234, 'SIGSTOP'), true);
  assert.deepEqual(r.calls, [
    [1_234, 'SIGTERM'],
    [-1_234, 'SIGSTOP'],
  ]);
  // Windows has no groups: a "group" signal is the pid itself, under the same refusals.
  const w = recorder();
  const win = createSignaller(w.kill, { pid: 5_000, pgid: null }, 'win32');
  assert.equal(win.signalGroup(1, 'SIGKILL'), false);
  assert.equal(win.signalGroup(77, 'SIGKILL'), true);
  assert.deepEqual(w.calls, [[77, 'SIGKILL']]);
});

test(
  'the POSIX backend asks no signal for a run whose leader the OS does not confirm',
  { skip: !posix },
  async () => {
    const decoy = startDecoy();
    try {
      const pid = await decoyPid(decoy);
      const calls: string[] = [];
      const recording: Signaller = {
        signal: (p, sig) => (calls.push(`${p} ${sig}`), true),
        signalGroup: (p, sig) => (calls.push(`-${p} ${sig}`), true),
      };
      const backend = new PosixProcessBackend({ signaller: recording });
      for (const run of [
        { pid, runId: 'not-its-run' },
        { pid: 1, runId: 'x' },
        { pid: -7, runId: 'x' },
        { pid: process.pid, runId: 'x' },
      ]) {
        assert.deepEqual(backend.tree(run), [], `tree of ${run.pid}`);
        const snapshot = backend.snapshot(run);
        backend.freeze(run);
        backend.thaw(run);
        await backend.terminate(run, { frozen: true, snapshot });
        backend.kill(run);
        backend.killRemnants(run, snapshot);
        await backend.sweep(run);
        assert.deepEqual(backend.signalLeftovers(run, 'SIGKILL'), []);
      }
      assert.deepEqual(calls, [], 'the backend asked for no signal at all');
      assertUntouched(pid, 'the decoy');
      // A lock-free check of the rule itself: the decoy is not any run's agent.
      const forged = {
        pid,
        runId: 'r',
        startToken: processStartToken(pid),
      } as unknown as LockRecord;
      assert.equal(confirmAgent(forged, process.cwd()).ok, false);
    } finally {
      decoy.kill('SIGKILL');
    }
  },
);
