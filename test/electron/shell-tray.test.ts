/**
 * The tray (main/electron/tray.ts, unchanged) against the `electron` stand-in, with the real app
 * core and real fixture agents behind it: each quick action is a click on an item of the Menu
 * the tray built, and what counts is what the supervisor and the OS say afterwards.
 */
import '../helpers/electron-standin/register.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Project } from '../../contract/index.ts';
import { isAlive, processInfo, processTree } from '../../core/process-table.ts';
import type { NightshiftApp } from '../../main/app.ts';
import { caller, createBrowserApp } from '../helpers/browser-app.ts';
import { Tray, type Tray as StandinTray } from '../helpers/electron-standin/index.ts';
import { fixtureAgentCommand } from '../helpers/serve.ts';

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the tray’s Start, Pause, Resume, Stop and Open reach the real supervisor', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-standin-tray-'));
  const projectDir = mkdtempSync(join(tmpdir(), 'ns-standin-tray-project-'));
  // The in-process app runs the fixture without flags; it reads these from its environment.
  process.env.FIXTURE_CHILDREN = '1';
  process.env.FIXTURE_INTERVAL = '100';
  let app: NightshiftApp | undefined;
  let handle: { dispose(): void } | undefined;
  let tree: number[] = [];
  try {
    const { installTray } = await import('../../main/electron/tray.ts');
    app = await createBrowserApp(dataDir, fixtureAgentCommand('chatty')[1] as string);
    const real = app;
    const shown: (string | undefined)[] = [];
    let quits = 0;
    handle = installTray({
      bus: real.bus,
      agents: real.supervisor,
      projects: () => real.registry.list(),
      scheduler: real.scheduling.scheduler,
      dispatch: (command, input) => real.dispatch(command, input),
      showWindow: (projectId) => shown.push(projectId),
      quit: () => quits++,
    });
    const tray = Tray.all.at(-1) as StandinTray;
    const p = await caller(real)<Project>('projects.add', { name: 'traytest', path: projectDir });
    const item = (kind: string) => tray.menu?.find(`project:${p.id}:${kind}`) ?? null;
    const click = async (kind: string) => {
      await until(() => item(kind)?.enabled !== false && item(kind) !== null, `${kind} offered`);
      item(kind)?.click?.();
    };
    const status = () => real.supervisor.state(p.id).status;

    await click('start');
    await until(() => status() === 'running', 'the agent to run');
    const pid = real.supervisor.state(p.id).pid as number;
    await until(() => processTree(pid).length === 3, 'the agent’s child and grandchild');
    tree = processTree(pid).map((x) => x.pid);
    await until(
      () => tray.tooltip === 'Nightshift: 1 running',
      'the tooltip to count the running agent',
    );

    await click('pause');
    await until(() => status() === 'paused', 'paused');
    await until(() => tree.every((x) => processInfo(x)?.state === 'T'), 'the tree frozen');

    await click('resume');
    await until(() => status() === 'running', 'running again');
    await until(() => tree.every((x) => processInfo(x)?.state !== 'T'), 'the tree thawed');

    await click('open');
    assert.deepEqual(shown, [p.id], 'Open shows the window on the project');

    await click('stop');
    await until(() => status() === 'stopped', 'stopped');
    await until(() => tree.every((x) => !isAlive(x)), 'every process of the tree gone');

    tray.menu?.find('quit')?.click?.();
    assert.equal(quits, 1, 'Quit asks the app to quit');
  } finally {
    handle?.dispose();
    try {
      await app?.shutdown('stop-agents');
    } finally {
      for (const x of tree) if (x > 1 && isAlive(x)) process.kill(x, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(projectDir, { recursive: true, force: true });
    }
  }
});
