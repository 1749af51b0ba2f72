/**
 * Pause all, Resume all and Stop all against the real app with three real fixture agents, each
 * with a child and a grandchild (chatty --children 1): once over the WebSocket API of the real
 * `nightshift serve`, once through the tray menu's own items (the pure template built from the
 * app's real states, and runTrayAction with the app's real dispatch; the Electron wiring around
 * them is tested in test/electron/shell-wiring.test.ts). What counts is what the OS says: every
 * process of every tree stopped (state T), running again, then gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentState, Project } from '../../contract/index.ts';
import { isAlive, processInfo, processTree } from '../../core/process-table.ts';
import type { NightshiftApp } from '../../main/app.ts';
import { formatWhen } from '../../main/services/scheduler.ts';
import { runTrayAction, trayTemplate, type TrayItem } from '../../main/electron/tray-menu.ts';
import { caller, createBrowserApp } from '../helpers/browser-app.ts';
import { ApiClient, fixtureAgentCommand, startServe } from '../helpers/serve.ts';

const agentArgs = ['--children', '1', '--interval', '100'];

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every process of each agent's tree (the agent, its child, its grandchild). */
function trees(pids: number[]): number[][] {
  return pids.map((pid) => processTree(pid).map((p) => p.pid));
}

const stateOf = (pid: number) => processInfo(pid)?.state ?? null;
const allFrozen = (tree: number[][]) => tree.flat().every((p) => stateOf(p) === 'T');
const noneFrozen = (tree: number[][]) =>
  tree.flat().every((p) => stateOf(p) !== null && stateOf(p) !== 'T');
const allGone = (tree: number[][]) => tree.flat().every((p) => !isAlive(p));

test('Pause all, Resume all and Stop all over the WebSocket reach three real agents and their trees', async () => {
  const dirs = [1, 2, 3, 4].map(() => mkdtempSync(join(tmpdir(), 'ns-all-')));
  const app = await startServe({
    env: { NIGHTSHIFT_AGENT_COMMAND: JSON.stringify(fixtureAgentCommand('chatty', ...agentArgs)) },
  });
  let api: ApiClient | undefined;
  let tree: number[][] = [];
  try {
    api = await ApiClient.connect(app);
    const client = api;
    const ok = async <T>(command: string, input?: unknown): Promise<T> => {
      const r = await client.call<T>(command, input);
      assert.ok(r.ok, `${command}: ${r.ok ? '' : r.error.message}`);
      return r.value;
    };
    const projects: Project[] = [];
    for (const [i, dir] of dirs.entries())
      projects.push(await ok<Project>('projects.add', { name: `p${i + 1}`, path: dir }));
    const [idle, ...running] = [projects[3], ...projects.slice(0, 3)] as [Project, ...Project[]];
    for (const p of running) await ok('agent.start', { id: p.id });
    const statuses = async () =>
      new Map((await ok<AgentState[]>('agent.statusAll')).map((s) => [s.projectId, s]));
    await until(async () => {
      const now = await statuses();
      return running.every((p) => now.get(p.id)?.status === 'running');
    }, 'three agents running');
    const now = await statuses();
    const agentPids = running.map((p) => now.get(p.id)?.pid as number);
    // Each tree is the agent, its child and the child's grandchild.
    await until(() => trees(agentPids).every((t) => t.length === 3), 'each agent’s children');
    tree = trees(agentPids);

    const paused = await ok<AgentState[]>('agent.pauseAll');
    assert.deepEqual(
      paused.filter((s) => s.projectId !== idle.id).map((s) => s.status),
      ['paused', 'paused', 'paused'],
    );
    assert.equal(
      paused.find((s) => s.projectId === idle.id)?.status,
      'stopped',
      'the idle one is left alone',
    );
    await until(() => allFrozen(tree), 'every process of the three trees to be stopped (T)');

    const resumed = await ok<AgentState[]>('agent.resumeAll');
    assert.deepEqual(
      resumed.filter((s) => s.projectId !== idle.id).map((s) => s.status),
      ['running', 'running', 'running'],
    );
    await until(() => noneFrozen(tree), 'every process of the three trees to run again');

    const stopped = await ok<AgentState[]>('agent.stopAll');
    assert.ok(stopped.length === 4);
    await until(() => allGone(tree), 'every process of the three trees to end');
    const after = await statuses();
    for (const p of projects) assert.equal(after.get(p.id)?.status, 'stopped', p.name);
    assert.equal((await ok<AgentState>('agent.status', { id: idle.id })).pid, null);
  } finally {
    api?.close();
    try {
      await app.stop();
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('the tray menu’s Pause all, Resume all and Stop all run through the real app', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-all-data-'));
  const dirs = [1, 2, 3].map(() => mkdtempSync(join(tmpdir(), 'ns-all-')));
  // The in-process app runs the fixture script without flags; it reads these from its environment.
  process.env.FIXTURE_CHILDREN = '1';
  process.env.FIXTURE_INTERVAL = '100';
  let app: NightshiftApp | undefined;
  let tree: number[][] = [];
  try {
    app = await createBrowserApp(dataDir, fixtureAgentCommand('chatty')[1] as string);
    const real = app;
    const call = caller(real);
    const ids: string[] = [];
    for (const [i, dir] of dirs.entries())
      ids.push((await call<Project>('projects.add', { name: `t${i + 1}`, path: dir })).id);
    /** The tray's items, built from the app's real states as main/electron/tray.ts builds them. */
    const item = (id: string): TrayItem => {
      const statuses = new Map(real.scheduling.scheduler.status().map((s) => [s.projectId, s]));
      const menu = trayTemplate({
        projects: real.registry.list().map((p) => ({
          id: p.id,
          name: p.name,
          agent: real.supervisor.state(p.id),
          schedule: statuses.get(p.id) ?? null,
        })),
        formatTime: formatWhen,
      }).menu;
      const found = menu.find((m) => m.id === id);
      assert.ok(found, `the tray has ${id}`);
      return found;
    };
    const click = async (id: string) => {
      const it = item(id);
      assert.notEqual(it.enabled, false, `${id} is enabled`);
      assert.ok(it.action);
      await runTrayAction(it.action, {
        dispatch: (command, input) => real.dispatch(command, input),
        openApp: () => assert.fail('no window here'),
        quit: () => assert.fail('not quitting'),
      });
    };
    assert.equal(item('pause-all').enabled, false, 'nothing runs yet: Pause all is disabled');
    for (const id of ids) await call('agent.start', { id });
    await until(
      () => ids.every((id) => real.supervisor.state(id).status === 'running'),
      'three agents running',
    );
    const agentPids = ids.map((id) => real.supervisor.state(id).pid as number);
    await until(() => trees(agentPids).every((t) => t.length === 3), 'each agent’s children');
    tree = trees(agentPids);
    assert.equal(item('resume-all').enabled, false, 'nothing is paused: Resume all is disabled');

    /** Clicks `action`: every agent shows `status` at once, and its processes follow. */
    const clickAll = async (
      action: string,
      status: string,
      settled: () => boolean,
      what: string,
    ) => {
      await click(action);
      assert.deepEqual(
        ids.map((id) => real.supervisor.state(id).status),
        [status, status, status],
      );
      await until(settled, what);
    };
    await clickAll(
      'pause-all',
      'paused',
      () => allFrozen(tree),
      'every process of the three trees to be stopped (T)',
    );
    assert.equal(item('pause-all').enabled, false, 'all paused: Pause all is disabled');

    await clickAll(
      'resume-all',
      'running',
      () => noneFrozen(tree),
      'every process of the three trees to run again',
    );

    await click('stop-all');
    await until(() => allGone(tree), 'every process of the three trees to end');
    assert.deepEqual(
      ids.map((id) => real.supervisor.state(id).status),
      ['stopped', 'stopped', 'stopped'],
    );
    assert.equal(item('stop-all').enabled, false, 'nothing runs: Stop all is disabled');
  } finally {
    try {
      await app?.shutdown('stop-agents');
    } finally {
      for (const pid of tree.flat()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      for (const dir of [dataDir, ...dirs]) rmSync(dir, { recursive: true, force: true });
    }
  }
});
