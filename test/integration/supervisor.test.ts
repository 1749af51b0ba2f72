import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockPath } from '../../core/run-log.ts';
import { isAlive, processInfo, processTree } from '../../core/process-table.ts';
import {
  assertAllGone,
  groupMembers,
  makeHarness,
  runSettings,
  waitFor,
  waitForStatus,
} from '../helpers/supervisor-harness.ts';

const start = { settings: runSettings, origin: 'manual' as const };

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
    assert.equal(state.exit?.code, 3);
    assert.equal(state.exit?.signal, null);
    assert.ok(state.exit?.lastLines.some((l) => l.includes('about to crash')));
    assert.match(state.message ?? '', /exited with code 3/);
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
    const pids = processTree(a.supervisor.state('shared').pid as number).map((p) => p.pid);
    assert.equal(pids.length, 1, 'only one agent process exists');
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

test('an agent ignoring SIGTERM is killed after the grace period', async () => {
  const h = makeHarness({
    env: { FIXTURE_IGNORE_TERM: '1', FIXTURE_CHILDREN: '1' },
    stopGraceMs: 500,
  });
  h.addProject('stubborn');
  try {
    await h.supervisor.start('stubborn', start);
    const pid = h.supervisor.state('stubborn').pid as number;
    const pids = (
      await waitFor(() => (processTree(pid).length >= 3 ? processTree(pid) : null), 'tree')
    ).map((p) => p.pid);
    const stopped = await h.supervisor.stop('stubborn');
    assert.equal(stopped.ok, true);
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
