import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lockPath } from '../../core/run-log.ts';
import { agentEnv } from '../../core/launch-protocol.ts';
import { isAlive, processInfo, processTree } from '../../core/process-table.ts';
import {
  assertAllGone,
  groupMembers,
  makeHarness,
  runSettings,
  waitFor,
  waitForStatus,
  type Harness,
} from '../helpers/supervisor-harness.ts';

const start = { settings: runSettings, origin: 'manual' as const };

/**
 * Every agent process on the machine working in `projectDir`: a process whose environment
 * carries the run marker (NIGHTSHIFT_RUN_ID) and whose command line names the folder (only this
 * test's temp folder, so only this test's processes).
 */
function agentsIn(projectDir: string): { pid: number; runId: string }[] {
  const found: { pid: number; runId: string }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      const marker = env.find((e) => e.startsWith(`${agentEnv.runId}=`));
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (marker && cmd.includes(projectDir))
        found.push({ pid, runId: marker.slice(agentEnv.runId.length + 1) });
    } catch {
      // Ended while we read, or not ours to read.
    }
  }
  return found;
}

function runLogText(projectDir: string): string {
  const dir = join(projectDir, '.nightshift', 'runs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

test('start streams redacted UTF-8 lines to listeners and the run log; stop leaves nothing', async () => {
  const h = makeHarness();
  const p = h.addProject('alpha');
  const lines: string[] = [];
  h.supervisor.onLog((id, batch) => {
    if (id === 'alpha') lines.push(...batch.map((l) => l.text));
  });
  try {
    const started = await h.supervisor.start('alpha', start);
    assert.equal(started.ok, true, JSON.stringify(started));
    const pid = h.supervisor.state('alpha').pid as number;
    assert.ok(existsSync(lockPath(p.path)), 'the lock exists while running');
    await waitFor(() => lines.some((l) => l.includes('line 3 ')), 'log lines');
    const args = lines.find((l) => l.startsWith('args:')) ?? '';
    assert.match(
      args,
      /--project-dir \S+ --model claude-opus-4-6 --concurrency 2 --regression-agents 1/,
    );
    assert.ok(
      lines.some((l) => l.includes('✓ ünïcode')),
      'UTF-8 survives',
    );
    const secret = lines.find((l) => l.startsWith('pretend secret')) ?? '';
    assert.ok(!secret.includes('sk-ant-fixture'), secret);
    assert.match(secret, /\[REDACTED\]/);
    assert.ok(h.supervisor.logs('alpha').length >= 3, 'late subscribers get the ring buffer');
    const tagged = h.supervisor.logs('alpha').find((l) => l.text.includes('from one session'));
    assert.equal(tagged?.agent, 'coding-1', 'session lines carry their agent for filtering');

    const stopped = await h.supervisor.stop('alpha');
    assert.equal(stopped.ok, true);
    assert.equal(h.supervisor.state('alpha').status, 'stopped');
    assert.equal(isAlive(pid), false);
    assert.deepEqual(groupMembers(pid), []);
    assert.equal(existsSync(lockPath(p.path)), false, 'lock removed after stop');
    const log = runLogText(p.path);
    assert.ok(log.includes('line 1 from fixture'), 'run log written');
    assert.ok(!log.includes('sk-ant-fixture'), 'run log redacted');
  } finally {
    await h.dispose();
  }
});

test('pause freezes every process of the tree; resume thaws it; stop from paused kills all', async () => {
  const h = makeHarness({ env: { FIXTURE_CHILDREN: '3' } });
  h.addProject('tree');
  try {
    await h.supervisor.start('tree', start);
    const pid = h.supervisor.state('tree').pid as number;
    // 1 agent + 3 children + 3 grandchildren
    const tree = await waitFor(() => {
      const t = processTree(pid);
      return t.length >= 7 ? t : null;
    }, 'the full tree');
    const pids = tree.map((p) => p.pid);

    const paused = await h.supervisor.pause('tree');
    assert.equal(paused.ok, true);
    assert.equal(h.supervisor.state('tree').status, 'paused');
    assert.equal(h.supervisor.state('tree').pauseKind, 'frozen');
    await waitFor(
      () => pids.every((x) => processInfo(x)?.state === 'T'),
      'every process in state T',
    );

    const resumed = await h.supervisor.resume('tree');
    assert.equal(resumed.ok, true);
    assert.equal(h.supervisor.state('tree').status, 'running');
    await waitFor(() => pids.every((x) => processInfo(x)?.state !== 'T'), 'no process stopped');

    await h.supervisor.pause('tree');
    await waitFor(() => pids.every((x) => processInfo(x)?.state === 'T'), 'frozen again');
    const stopped = await h.supervisor.stop('tree');
    assert.equal(stopped.ok, true);
    assert.equal(h.supervisor.state('tree').status, 'stopped');
    await assertAllGone(pids);
    assert.deepEqual(groupMembers(pid), []);
  } finally {
    await h.dispose();
  }
});

test('a crash is detected with its exit code and last lines', async () => {
  const h = makeHarness({ env: { FIXTURE_CRASH_AFTER: '300' } });
  const p = h.addProject('crashy');
  try {
    await h.supervisor.start('crashy', start);
    const state = await waitForStatus(h.supervisor, 'crashy', 'crashed');
    assert.equal(state.exit?.code, 4);
    assert.equal(state.exit?.signal, null);
    assert.ok(state.exit?.lastLines.some((l) => l.includes('about to crash')));
    assert.match(state.message ?? '', /exited with code 4/);
    assert.equal(existsSync(lockPath(p.path)), false, 'lock released after a crash');
    // Crashed → Start works again.
    const again = await h.supervisor.start('crashy', start);
    assert.equal(again.ok, true);
  } finally {
    await h.dispose();
  }
});

test('two supervisors cannot run one project', async () => {
  const a = makeHarness();
  const project = a.addProject('shared');
  const b = makeHarness({ projects: new Map([['shared', project]]) });
  try {
    const first = await a.supervisor.start('shared', start);
    assert.equal(first.ok, true);
    const second = await b.supervisor.start('shared', start);
    assert.equal(second.ok, false);
    if (!second.ok) assert.equal(second.error.code, 'busy');
    // b attached to the live agent instead of starting a second one.
    assert.equal(b.supervisor.state('shared').pid, a.supervisor.state('shared').pid);
    // Counted system-wide by the run marker, not in a's tree: a second agent anywhere shows.
    if (process.platform !== 'linux') return; // the count reads /proc
    const agents = agentsIn(project.path);
    assert.deepEqual(
      agents,
      [{ pid: a.supervisor.state('shared').pid, runId: a.supervisor.state('shared').runId }],
      'only one agent process exists',
    );
  } finally {
    await a.dispose();
    await b.supervisor.shutdown('leave-running');
  }
});

test('a supervisor restarted mid-run adopts the agent: status, new lines, pause and stop work', async () => {
  const first = makeHarness();
  const project = first.addProject('adopt');
  await first.supervisor.start('adopt', start);
  const pid = first.supervisor.state('adopt').pid as number;
  await first.supervisor.shutdown('leave-running');
  assert.ok(isAlive(pid), 'the agent outlives the app that started it');

  const second = makeHarness({ projects: new Map([['adopt', project]]) });
  try {
    const lines: string[] = [];
    second.supervisor.onLog((_id, batch) => lines.push(...batch.map((l) => l.text)));
    second.supervisor.adoptExisting([project]);
    const state = second.supervisor.state('adopt');
    assert.equal(state.status, 'running');
    assert.equal(state.origin, 'manual', 'the origin recorded in the lock');
    assert.equal(state.adopted, true);
    assert.equal(state.pid, pid);
    await waitFor(
      () => lines.some((l) => l.includes('from fixture')),
      'lines written after adoption',
    );
    const paused = await second.supervisor.pause('adopt');
    assert.equal(paused.ok, true);
    await waitFor(() => processInfo(pid)?.state === 'T', 'adopted agent frozen');
    const stopped = await second.supervisor.stop('adopt');
    assert.equal(stopped.ok, true);
    assert.equal(isAlive(pid), false);
    assert.equal(existsSync(lockPath(project.path)), false);
  } finally {
    await second.dispose();
    await first.dispose();
  }
});

test('drain finishes current work and then shows paused; resume continues', async () => {
  const h = makeHarness();
  h.addProject('drain');
  try {
    await h.supervisor.start('drain', start);
    const drained = await h.supervisor.drain('drain');
    assert.equal(drained.ok, true);
    assert.equal(h.supervisor.state('drain').status, 'draining');
    const paused = await waitForStatus(h.supervisor, 'drain', 'paused');
    assert.equal(paused.pauseKind, 'drained');
    const resumed = await h.supervisor.resume('drain');
    assert.equal(resumed.ok, true);
    assert.equal(h.supervisor.state('drain').status, 'running');
  } finally {
    await h.dispose();
  }
});

/** Starts project `id`'s agent (the fixture with FIXTURE_CHILDREN) and answers it and its tree of three. */
async function startWithChildren(h: Harness, id: string): Promise<{ pid: number; pids: number[] }> {
  await h.supervisor.start(id, start);
  const pid = h.supervisor.state(id).pid as number;
  const tree = await waitFor(
    () => (processTree(pid).length >= 3 ? processTree(pid) : null),
    'the agent and its children',
  );
  return { pid, pids: tree.map((p) => p.pid) };
}

test('an agent ignoring SIGTERM is killed after the grace period: SIGTERM first, the kill waited', async () => {
  const grace = 1_500;
  const signals = join(mkdtempSync(join(tmpdir(), 'nightshift-signals-')), 'signals.log');
  const h = makeHarness({
    env: { FIXTURE_IGNORE_TERM: '1', FIXTURE_CHILDREN: '1', FIXTURE_SIGNAL_LOG: signals },
    stopGraceMs: grace,
  });
  h.addProject('stubborn');
  try {
    const { pid, pids } = await startWithChildren(h, 'stubborn');
    const stopping = h.supervisor.stop('stubborn');
    // The agent records the SIGTERM it got (and ignores it); SIGKILL cannot be recorded, so
    // the kill shows as the agent being gone.
    const termAt = await waitFor(() => {
      const line = existsSync(signals) ? readFileSync(signals, 'utf8').split('\n')[0] : '';
      return line?.endsWith(' SIGTERM') ? Number(line.split(' ')[0]) : null;
    }, 'the agent to record SIGTERM');
    await new Promise((r) => setTimeout(r, grace / 2));
    assert.ok(isAlive(pid), 'half-way through the grace period the agent still runs');
    const stopped = await stopping;
    const goneAt = Date.now();
    assert.equal(stopped.ok, true);
    assert.equal(isAlive(pid), false);
    assert.ok(
      goneAt - termAt >= grace - 50,
      `the kill came ${goneAt - termAt} ms after SIGTERM, not before the ${grace} ms grace period`,
    );
    assert.equal(
      readFileSync(signals, 'utf8').trim().split('\n').length,
      1,
      'exactly one SIGTERM, then the kill',
    );
    assert.ok(
      h.supervisor.logs('stubborn').some((l) => /did not stop within 2 s; forcing it/.test(l.text)),
    );
    assert.equal(h.supervisor.state('stubborn').status, 'stopped');
    await assertAllGone(pids);
  } finally {
    await h.dispose();
  }
});

test('a stale lock of a dead agent is cleared and start works; a bad command fails in words', async () => {
  const h = makeHarness();
  const p = h.addProject('stale');
  try {
    mkdirSync(join(p.path, '.nightshift'), { recursive: true });
    writeFileSync(
      lockPath(p.path),
      JSON.stringify({
        version: 1,
        phase: 'running',
        ownerPid: 999999,
        ownerStart: null,
        runId: 'old',
        projectDir: p.path,
        pid: 999998,
        pgid: 999998,
        startToken: 'x',
        marker: p.path,
        runLog: '/nonexistent',
        settings: runSettings,
        origin: 'manual',
        startedAt: new Date().toISOString(),
      }),
    );
    const started = await h.supervisor.start('stale', start);
    assert.equal(started.ok, true, JSON.stringify(started));
    await h.supervisor.stop('stale');
    const missing = await h.supervisor.start('nope', start);
    assert.equal(missing.ok, false);
    if (!missing.ok) assert.match(missing.error.message, /not registered/);
    const idle = await h.supervisor.pause('stale');
    assert.equal(idle.ok, false);
    if (!idle.ok) assert.match(idle.error.message, /not running/);
  } finally {
    await h.dispose();
  }
});

test('the launch contract reaches the agent: exact flags, cwd = project, stdin closed', async () => {
  const h = makeHarness({ agent: 'launch-probe' });
  const p = h.addProject('probe');
  try {
    const settings = {
      model: 'claude-sonnet-4-5',
      yolo: true,
      codingAgents: 4,
      regressionAgents: 3,
    };
    const started = await h.supervisor.start('probe', { settings, origin: 'manual' });
    assert.equal(started.ok, true, JSON.stringify(started));
    const texts = () => h.supervisor.logs('probe').map((l) => l.text);
    await waitFor(() => texts().some((t) => t.startsWith('probe stdin:')), 'the stdin verdict');
    const argv = texts().find((t) => t.startsWith('probe argv: ')) ?? '';
    assert.deepEqual(JSON.parse(argv.slice('probe argv: '.length)), [
      '--project-dir',
      p.path,
      '--model',
      'claude-sonnet-4-5',
      '--yolo',
      '--concurrency',
      '4',
      '--regression-agents',
      '3',
    ]);
    const cwd = texts().find((t) => t.startsWith('probe cwd: ')) ?? '';
    assert.equal(realpathSync(cwd.slice('probe cwd: '.length)), realpathSync(p.path));
    assert.ok(texts().includes('probe stdin: eof'), texts().join('\n'));
    await h.supervisor.stop('probe');

    // Without YOLO the flag is absent, not "--yolo false".
    await h.supervisor.start('probe', { settings: { ...settings, yolo: false }, origin: 'manual' });
    await waitFor(() => texts().some((t) => t.startsWith('probe argv: ')), 'argv again');
    const again = texts().find((t) => t.startsWith('probe argv: ')) ?? '';
    assert.ok(!again.includes('--yolo'), again);
  } finally {
    await h.dispose();
  }
});

/**
 * Starts the fixture `agent` as project `id` twice, and stops it once while running and once
 * while paused. `escapees` waits for the processes that left the agent's group (checking how they
 * left) and answers them: pause must freeze them with the agent, stop must end them all.
 */
async function stopFromRunningAndPaused(
  agent: string,
  id: string,
  escapees: (h: Harness, agentPid: number) => Promise<number[]>,
  frozen: string,
): Promise<void> {
  const h = makeHarness({ agent, stopGraceMs: 1_000 });
  h.addProject(id);
  try {
    for (const from of ['running', 'paused'] as const) {
      const started = await h.supervisor.start(id, start);
      assert.equal(started.ok, true, JSON.stringify(started));
      const agentPid = h.supervisor.state(id).pid as number;
      const all = [agentPid, ...(await escapees(h, agentPid))];
      if (from === 'paused') {
        assert.equal((await h.supervisor.pause(id)).ok, true);
        await waitFor(() => all.every((x) => processInfo(x)?.state === 'T'), frozen);
      }
      const stopped = await h.supervisor.stop(id);
      assert.equal(stopped.ok, true);
      assert.equal(h.supervisor.state(id).status, 'stopped');
      await assertAllGone(all);
    }
  } finally {
    await h.dispose();
  }
}

test('stop sweeps a descendant that left the process group, from running and from paused', async () => {
  await stopFromRunningAndPaused(
    'escaper',
    'escape',
    async (h, agent) => {
      const pidOf = (label: string) => {
        const line = h.supervisor.logs('escape').find((l) => l.text.startsWith(`${label} `));
        return line ? Number(line.text.split(' ')[1]) : null;
      };
      const [escaped, grandchild, ordinary] = await waitFor(() => {
        const pids = ['escaped', 'grandchild', 'ordinary'].map(pidOf);
        return pids.every((x) => x !== null && isAlive(x))
          ? (pids as [number, number, number])
          : null;
      }, 'the fixture to report its children');
      assert.notEqual(processInfo(escaped)?.pgid, agent, 'the escaped child left the group');
      assert.notEqual(processInfo(grandchild)?.pgid, agent);
      return [escaped, grandchild, ordinary];
    },
    'the whole tree, escaped child included, frozen',
  );
});

test('an orphaned daemon (setsid, parent gone) is frozen by pause and ended by stop', async () => {
  await stopFromRunningAndPaused(
    'daemonizer',
    'daemon',
    async (h, agent) => {
      const texts = () => h.supervisor.logs('daemon').map((l) => l.text);
      const daemon = await waitFor(() => {
        const line = texts().find((t) => t.startsWith('daemon '));
        const pid = line ? Number(line.split(' ')[1]) : null;
        return pid !== null && isAlive(pid) && texts().includes('intermediate exited') ? pid : null;
      }, 'the fixture to start its daemon');
      const info = processInfo(daemon);
      assert.notEqual(info?.pgid, agent, 'the daemon left the group');
      assert.notEqual(info?.ppid, agent, 'the daemon is not a child of the agent');
      assert.ok(
        !processTree(agent).some((p) => p.pid === daemon),
        'neither the group nor parent links lead to the daemon',
      );
      return [daemon];
    },
    'the daemon frozen with the agent',
  );
});

test('the ring buffer keeps the last 5,000 lines for late subscribers; log events are batched', async () => {
  const h = makeHarness({ agent: 'numbered' });
  h.addProject('flood');
  const batches = new Map<string, number>();
  const seen = new Map<string, string[]>();
  h.supervisor.onLog((id, batch) => {
    batches.set(id, (batches.get(id) ?? 0) + 1);
    seen.set(id, [...(seen.get(id) ?? []), ...batch.map((l) => l.text)]);
  });
  try {
    await h.supervisor.start('flood', start);
    const last = () => h.supervisor.logs('flood').at(-1)?.text;
    await waitFor(() => last() === 'numbered line 6000', 'all 6,000 lines', 20_000);
    // Lines reach subscribers in batches, a flush interval after the ring has them.
    await waitFor(() => seen.get('flood')?.length === 6_000, 'every line delivered', 5_000);
    const kept = h.supervisor.logs('flood');
    assert.equal(kept.length, 5_000);
    assert.equal(kept[0]?.text, 'numbered line 1001');
    kept.forEach((l, i) => assert.equal(l.text, `numbered line ${1001 + i}`));
    assert.ok(
      kept.every((l, i) => i === 0 || l.seq === (kept[i - 1]?.seq ?? 0) + 1),
      'sequence numbers are consecutive',
    );
    assert.deepEqual(
      seen.get('flood')?.slice(-5_000),
      kept.map((l) => l.text),
      'live subscribers and the replay agree',
    );
    await h.supervisor.stop('flood');

    // 2,000 lines written as fast as the pipe takes them arrive in order, in few batches.
    const quick = makeHarness({ agent: 'numbered', env: { FIXTURE_LINES: '2000' } });
    quick.addProject('burst');
    const counted: string[] = [];
    let events = 0;
    quick.supervisor.onLog((_id, batch) => {
      events++;
      counted.push(...batch.map((l) => l.text));
    });
    try {
      await quick.supervisor.start('burst', start);
      await waitFor(() => counted.length >= 2_000, '2,000 lines', 20_000);
      assert.deepEqual(
        counted,
        Array.from({ length: 2_000 }, (_, i) => `numbered line ${i + 1}`),
      );
      assert.ok(events < 100, `${events} agent.log events for 2,000 lines`);
    } finally {
      await quick.dispose();
    }
  } finally {
    await h.dispose();
  }
});

test('an adopted agent that had already drained shows paused after current work, and Resume works', async () => {
  const first = makeHarness();
  const project = first.addProject('drained');
  await first.supervisor.start('drained', start);
  await first.supervisor.drain('drained');
  await waitForStatus(first.supervisor, 'drained', 'paused');
  const pid = first.supervisor.state('drained').pid as number;
  await first.supervisor.shutdown('leave-running');

  const second = makeHarness({ projects: new Map([['drained', project]]) });
  try {
    second.supervisor.adoptExisting([project]);
    const state = second.supervisor.state('drained');
    assert.equal(state.status, 'paused', state.message ?? '');
    assert.equal(state.pauseKind, 'drained');
    assert.equal(state.pid, pid);
    const resumed = await second.supervisor.resume('drained');
    assert.equal(resumed.ok, true, JSON.stringify(resumed));
    assert.equal(second.supervisor.state('drained').status, 'running');
    const before = second.supervisor.logs('drained').length;
    await waitFor(
      () => second.supervisor.logs('drained').length > before + 2,
      'new work after resume',
    );
    assert.equal((await second.supervisor.stop('drained')).ok, true);
    assert.equal(isAlive(pid), false);
  } finally {
    await second.dispose();
    await first.dispose();
  }
});

test('an adopted agent that dies without finishing its run is reported crashed; a clean end is stopped', async () => {
  for (const how of ['SIGKILL', 'SIGTERM'] as const) {
    const first = makeHarness();
    const project = first.addProject(`ends-${how}`);
    await first.supervisor.start(project.id, start);
    const pid = first.supervisor.state(project.id).pid as number;
    await first.supervisor.shutdown('leave-running');
    const second = makeHarness({ projects: new Map([[project.id, project]]) });
    try {
      second.supervisor.adoptExisting([project]);
      assert.equal(second.supervisor.state(project.id).status, 'running');
      await waitFor(
        () => second.supervisor.logs(project.id).some((l) => l.text.includes('from fixture')),
        'some lines',
      );
      process.kill(pid, how);
      if (how === 'SIGKILL') {
        const state = await waitForStatus(second.supervisor, project.id, 'crashed');
        assert.match(
          state.message ?? '',
          /exit status unknown; the agent ended without finishing its run/,
        );
        assert.equal(state.exit?.code, null);
        assert.ok(
          state.exit?.lastLines.some((l) => l.includes('from fixture')),
          'the last lines are kept',
        );
      } else {
        const state = await waitForStatus(second.supervisor, project.id, 'stopped');
        assert.equal(state.exit, null);
      }
      assert.equal(existsSync(lockPath(project.path)), false);
    } finally {
      await second.dispose();
      await first.dispose();
    }
  }
});

test('Pause freezes a draining agent; Resume returns it to draining, and it then shows paused', async () => {
  const h = makeHarness({ env: { FIXTURE_DRAIN_DELAY: '1500', FIXTURE_CHILDREN: '1' } });
  h.addProject('freeze-drain');
  try {
    const { pids } = await startWithChildren(h, 'freeze-drain');
    await h.supervisor.drain('freeze-drain');
    assert.equal(h.supervisor.state('freeze-drain').status, 'draining');
    const paused = await h.supervisor.pause('freeze-drain');
    assert.equal(paused.ok, true, JSON.stringify(paused));
    assert.equal(h.supervisor.state('freeze-drain').pauseKind, 'frozen');
    await waitFor(() => pids.every((x) => processInfo(x)?.state === 'T'), 'frozen tree');
    const resumed = await h.supervisor.resume('freeze-drain');
    assert.equal(resumed.ok, true);
    assert.equal(h.supervisor.state('freeze-drain').status, 'draining');
    const done = await waitForStatus(h.supervisor, 'freeze-drain', 'paused');
    assert.equal(done.pauseKind, 'drained');
  } finally {
    await h.dispose();
  }
});
