/**
 * The supervisor's run state machine in fake time, over a fake ProcessBackend (the OS is the
 * edge): start, pause, drain, stop with its grace period, crash, adoption and spawn failures.
 * Locks, drain flags and run logs are real files in a temp folder. The same behaviours run
 * against real processes in test/integration/supervisor.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentState, LogLine, RunSettings } from '../../contract/index.ts';
import { createLockExclusive, readLock, type LockRecord } from '../../core/agent-lock.ts';
import { agentEnv, launchArgs } from '../../core/launch-protocol.ts';
import { drainFlagPath, formatRunLogRecord, lockPath, runLogPath } from '../../core/run-log.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { AgentSupervisor, type SupervisedProject } from '../../main/services/supervisor.ts';
import { FakeProcessBackend } from '../helpers/fake-process-backend.ts';

const settings: RunSettings = {
  model: 'claude-opus-4-6',
  yolo: false,
  codingAgents: 2,
  regressionAgents: 1,
};
const GRACE = 10_000;

/** Lets promise chains and file callbacks run (no fake time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

function setup(options: { canFreeze?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-sm-'));
  const clock = new FakeClock(Date.parse('2026-01-05T22:00:00Z'));
  const backend = new FakeProcessBackend(clock, options);
  const projects = new Map<string, SupervisedProject>();
  const add = (id: string): SupervisedProject => {
    const path = join(root, id);
    mkdirSync(path);
    const p = { id, name: id, path };
    projects.set(id, p);
    return p;
  };
  const makeSupervisor = () =>
    new AgentSupervisor({
      lookup: (id) => projects.get(id) ?? null,
      agentCommand: () => ({ command: 'agent', args: ['--entry'] }),
      agentEnv: () => ({ PATH: '/bin' }),
      secrets: () => ['hunter2-secret'],
      diagnostics: createDiagnostics(null),
      backend,
      clock,
      stopGraceMs: GRACE,
      flushMs: 50,
    });
  const supervisor = makeSupervisor();
  const states: AgentState[] = [];
  supervisor.onState((s) => states.push(s));
  const batches: LogLine[][] = [];
  supervisor.onLog((_id, lines) => batches.push(lines));
  const start = (id: string) => supervisor.start(id, { settings, origin: 'manual' });
  const pidOf = (id: string) => supervisor.state(id).pid as number;
  const dispose = () => rmSync(root, { recursive: true, force: true });
  return {
    root,
    clock,
    backend,
    projects,
    add,
    supervisor,
    makeSupervisor,
    states,
    batches,
    start,
    pidOf,
    dispose,
  };
}

type Setup = ReturnType<typeof setup>;

/** Runs `body` on a fresh setup (see setup) and removes its project folders afterwards. */
async function withSetup(
  body: (t: Setup) => Promise<void>,
  options: { canFreeze?: boolean } = {},
): Promise<void> {
  const t = setup(options);
  try {
    await body(t);
  } finally {
    t.dispose();
  }
}

test('start: lock before spawn, launch protocol flags and run id, then running with the pid in the lock', async () => {
  await withSetup(async (t) => {
    const p = t.add('alpha');
    const r = await t.start('alpha');
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(
      t.states.map((s) => s.status),
      ['starting', 'running'],
    );
    const spawn = t.backend.calls[0];
    assert.equal(spawn?.op, 'spawn');
    if (spawn?.op !== 'spawn') return;
    assert.deepEqual(spawn.spec.args, ['--entry', ...launchArgs(p.path, settings)]);
    assert.equal(spawn.spec.cwd, p.path);
    const state = t.supervisor.state('alpha');
    assert.equal(spawn.spec.env[agentEnv.runId], state.runId);
    assert.equal(spawn.spec.env[agentEnv.runLog], runLogPath(p.path, state.runId as string));
    assert.equal(state.startedAt, '2026-01-05T22:00:00.000Z', 'the clock’s time');
    const lock = readLock(p.path) as LockRecord;
    assert.equal(lock.phase, 'running');
    assert.equal(lock.pid, state.pid);
    assert.equal(lock.startToken, `start-${state.pid}`);
    const again = await t.start('alpha');
    assert.equal(again.ok, false);
    if (!again.ok) assert.match(again.error.message, /already running/);
  });
});

test('output is redacted, written to the run log, and reaches listeners one flush interval later', async () => {
  await withSetup(async (t) => {
    const p = t.add('alpha');
    await t.start('alpha');
    const proc = t.backend.processes.get(t.pidOf('alpha'));
    proc?.print('hello hunter2-secret world');
    proc?.print('[coding-1] from a session');
    proc?.print(
      JSON.stringify({ nsEvent: 1, ts: 1, type: 'error', agentId: null, message: 'Boom.' }),
    );
    await settle();
    assert.equal(t.batches.length, 0, 'nothing before the flush interval');
    t.clock.advance(49);
    assert.equal(t.batches.length, 0);
    t.clock.advance(1);
    assert.equal(t.batches.length, 1, 'one batch for three lines');
    const texts = t.batches[0]?.map((l) => l.text);
    assert.equal(texts?.[0], 'hello [REDACTED] world');
    assert.equal(t.batches[0]?.[1]?.agent, 'coding-1');
    assert.deepEqual(t.batches[0]?.[2], {
      seq: 3,
      ts: t.clock.now() - 50,
      text: 'Boom.',
      level: 'error',
    });
    assert.deepEqual(t.supervisor.logs('alpha'), t.batches[0]);
    await t.supervisor.stop('alpha');
    const log = readFileSync(
      runLogPath(p.path, t.supervisor.state('alpha').runId as string),
      'utf8',
    );
    assert.ok(log.includes('hello [REDACTED] world'));
    assert.ok(!log.includes('hunter2-secret'));
  });
});

test('pause freezes the tree and resume thaws it; pause of an idle project is refused', async () => {
  await withSetup(async (t) => {
    t.add('alpha');
    const idle = await t.supervisor.pause('alpha');
    assert.equal(idle.ok, false);
    await t.start('alpha');
    const pid = t.pidOf('alpha');
    assert.equal((await t.supervisor.pause('alpha')).ok, true);
    assert.equal(t.supervisor.state('alpha').pauseKind, 'frozen');
    assert.equal(t.backend.state(pid), 'T');
    assert.equal((await t.supervisor.resume('alpha')).ok, true);
    assert.equal(t.supervisor.state('alpha').status, 'running');
    assert.equal(t.backend.state(pid), 'S');
    assert.deepEqual(t.backend.ops().slice(1), ['freeze', 'thaw']);
  });
});

test('without a freeze (Windows) pause drains instead', async () => {
  await withSetup(
    async (t) => {
      const p = t.add('alpha');
      await t.start('alpha');
      assert.equal(t.supervisor.state('alpha').canFreeze, false);
      const r = await t.supervisor.pause('alpha');
      assert.equal(r.ok, true);
      assert.equal(t.supervisor.state('alpha').status, 'draining');
      assert.ok(existsSync(drainFlagPath(p.path)));
      assert.ok(!t.backend.ops().includes('freeze'));
    },
    { canFreeze: false },
  );
});

test('drain writes the flag; the agent’s "drained" shows paused; resume removes the flag', async () => {
  await withSetup(async (t) => {
    const p = t.add('alpha');
    await t.start('alpha');
    await t.supervisor.drain('alpha');
    assert.equal(t.supervisor.state('alpha').status, 'draining');
    assert.ok(existsSync(drainFlagPath(p.path)));
    t.backend.processes.get(t.pidOf('alpha'))?.print(
      JSON.stringify({
        nsEvent: 1,
        ts: 1,
        type: 'run-state',
        phase: 'drained',
        message: 'Idle.',
      }),
    );
    await settle();
    assert.equal(t.supervisor.state('alpha').status, 'paused');
    assert.equal(t.supervisor.state('alpha').pauseKind, 'drained');
    await t.supervisor.resume('alpha');
    assert.equal(t.supervisor.state('alpha').status, 'running');
    assert.equal(existsSync(drainFlagPath(p.path)), false);
  });
});

test('stop: SIGTERM first, SIGKILL exactly one grace period later when the agent ignores it', async () => {
  await withSetup(async (t) => {
    const p = t.add('alpha');
    t.backend.nextOnTerm = 'ignore';
    await t.start('alpha');
    const t0 = t.clock.now();
    const stopping = t.supervisor.stop('alpha');
    await settle();
    assert.equal(t.supervisor.state('alpha').status, 'stopping');
    assert.deepEqual(t.backend.ops().slice(1), ['terminate']);
    t.clock.advance(GRACE - 1);
    await settle();
    assert.ok(!t.backend.ops().includes('kill'), 'no SIGKILL before the grace period is over');
    t.clock.advance(1);
    const r = await stopping;
    assert.equal(r.ok, true);
    assert.deepEqual(t.backend.ops().slice(1), ['terminate', 'kill', 'killRemnants', 'sweep']);
    const term = t.backend.calls.find((c) => c.op === 'terminate');
    const kill = t.backend.calls.find((c) => c.op === 'kill');
    assert.equal(term?.at, t0);
    assert.equal((kill?.at ?? 0) - t0, GRACE, 'the kill waited the whole grace period');
    assert.equal(t.supervisor.state('alpha').status, 'stopped');
    assert.equal(existsSync(lockPath(p.path)), false, 'the lock is released');
    assert.ok(
      t.supervisor.logs('alpha').some((l) => /did not stop within 10 s; forcing it/.test(l.text)),
    );
    assert.equal(t.clock.pending(), 0, 'no timer left behind');
  });
});

test('stop: an agent that ends on SIGTERM is never SIGKILLed as a group; a frozen one is continued', async () => {
  await withSetup(async (t) => {
    t.add('alpha');
    await t.start('alpha');
    const r = await t.supervisor.stop('alpha');
    assert.equal(r.ok, true);
    assert.ok(!t.backend.ops().includes('kill'));
    assert.equal(
      t.supervisor.state('alpha').message,
      'Agent stopped. Nothing of it is left running.',
    );
    assert.equal(t.clock.pending(), 0, 'the grace timer was cancelled');

    await t.start('alpha');
    await t.supervisor.pause('alpha');
    await t.supervisor.stop('alpha');
    const terms = t.backend.calls.filter((c) => c.op === 'terminate');
    assert.deepEqual(
      terms.map((c) => c.op === 'terminate' && c.frozen),
      [false, true],
    );
  });
});

test('a crash is reported with its code and last lines; leftovers get SIGTERM, then SIGKILL 2 s later', async () => {
  await withSetup(async (t) => {
    const p = t.add('alpha');
    await t.start('alpha');
    const proc = t.backend.processes.get(t.pidOf('alpha'));
    const child = t.backend.addProcess({});
    proc?.children.push(child.pid);
    proc?.print('about to crash');
    await settle();
    const crashAt = t.clock.now();
    proc?.exit({ code: 1, signal: null });
    await settle();
    const term = t.backend.calls.find((c) => c.op === 'leftovers');
    assert.deepEqual(term?.op === 'leftovers' && term.pids, [child.pid]);
    assert.equal(t.supervisor.state('alpha').status, 'running', 'not reported before the sweep');
    t.clock.advance(2_000);
    await settle();
    const kill = t.backend.calls.filter((c) => c.op === 'leftovers')[1];
    assert.equal(kill?.op === 'leftovers' && kill.signal, 'SIGKILL');
    assert.equal((kill?.at ?? 0) - crashAt, 2_000);
    assert.equal(child.alive, false);
    const state = t.supervisor.state('alpha');
    assert.equal(state.status, 'crashed');
    assert.equal(state.exit?.code, 1);
    assert.ok(state.exit?.lastLines.includes('about to crash'));
    assert.match(state.message ?? '', /exited with code 1/);
    assert.equal(existsSync(lockPath(p.path)), false);
    assert.equal((await t.start('alpha')).ok, true, 'Start works again after a crash');
  });
});

test('a failed spawn releases the lock and says why; a missing folder is refused before any lock', async () => {
  await withSetup(async (t) => {
    const p = t.add('alpha');
    t.backend.failSpawnWith = 'The agent could not be started (agent): ENOENT.';
    const r = await t.start('alpha');
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.message, 'The agent could not be started (agent): ENOENT.');
    assert.equal(t.supervisor.state('alpha').status, 'stopped');
    assert.equal(existsSync(lockPath(p.path)), false);
    t.projects.set('gone', { id: 'gone', name: 'gone', path: join(t.root, 'nope') });
    const gone = await t.supervisor.start('gone', { settings, origin: 'manual' });
    assert.equal(gone.ok, false);
    if (!gone.ok) assert.match(gone.error.message, /does not exist any more/);
    assert.equal(t.backend.calls.length, 1, 'nothing spawned for the missing folder');
  });
});

function writeLiveLock(p: SupervisedProject, pid: number, runId: string, phase = 'working') {
  const runLog = runLogPath(p.path, runId);
  const lock: LockRecord = {
    version: 1,
    phase: 'running',
    ownerPid: 999_999,
    ownerStart: null,
    runId,
    projectDir: p.path,
    pid,
    pgid: pid,
    startToken: `start-${pid}`,
    marker: p.path,
    runLog,
    settings,
    origin: 'schedule',
    startedAt: '2026-01-05T21:00:00.000Z',
  };
  assert.ok(createLockExclusive(p.path, lock));
  mkdirSync(join(p.path, '.nightshift', 'runs'), { recursive: true });
  appendFileSync(runLog, formatRunLogRecord('an earlier line', 1));
  appendFileSync(
    runLog,
    formatRunLogRecord(
      JSON.stringify({ nsEvent: 1, ts: 1, type: 'run-state', phase, message: `Phase ${phase}.` }),
      2,
    ),
  );
  return runLog;
}

test('adopt: a confirmed live agent is shown with its lock’s origin; its run log is followed; its end is read from the log', async () => {
  await withSetup(async (t) => {
    for (const [id, lastPhase, expected] of [
      ['clean', 'stopping', 'stopped'],
      ['died', 'working', 'crashed'],
    ] as const) {
      const p = t.add(id);
      const runId = `run-${id}`;
      const proc = t.backend.addProcess({
        env: { [agentEnv.runId]: runId },
        cwd: p.path,
        commandLine: `node agent --project-dir ${p.path}`,
      });
      const runLog = writeLiveLock(p, proc.pid, runId);
      t.supervisor.adoptExisting([p]);
      const state = t.supervisor.state(id);
      assert.equal(state.status, 'running');
      assert.equal(state.adopted, true);
      assert.equal(state.origin, 'schedule');
      assert.equal(state.pid, proc.pid);
      assert.deepEqual(
        t.supervisor.logs(id).map((l) => l.text),
        ['an earlier line', 'Phase working.'],
        'the view is rebuilt from the run log',
      );
      appendFileSync(runLog, formatRunLogRecord('written after adoption', 3));
      appendFileSync(
        runLog,
        formatRunLogRecord(
          JSON.stringify({
            nsEvent: 1,
            ts: 4,
            type: 'run-state',
            phase: lastPhase,
            message: 'Last.',
          }),
          4,
        ),
      );
      t.clock.advance(200);
      assert.ok(t.supervisor.logs(id).some((l) => l.text === 'written after adoption'));
      proc.exit({ code: 0, signal: null });
      await settle();
      assert.equal(t.supervisor.state(id).status, expected, id);
      assert.equal(existsSync(lockPath(p.path)), false);
    }
  });
});

test('adopt: pause, resume and stop reach the adopted process through the backend', async () => {
  await withSetup(async (t) => {
    const p = t.add('alpha');
    const proc = t.backend.addProcess({
      env: { [agentEnv.runId]: 'run-a' },
      cwd: p.path,
      commandLine: `node agent --project-dir ${p.path}`,
      state: 'T',
    });
    writeLiveLock(p, proc.pid, 'run-a');
    t.supervisor.adoptExisting([p]);
    assert.equal(t.supervisor.state('alpha').pauseKind, 'frozen', 'a frozen agent shows paused');
    await t.supervisor.resume('alpha');
    assert.equal(proc.state, 'S');
    const stopping = t.supervisor.stop('alpha');
    await settle();
    t.clock.advance(GRACE);
    assert.equal((await stopping).ok, true);
    assert.equal(proc.alive, false);
    assert.equal(t.supervisor.state('alpha').status, 'stopped');
  });
});
