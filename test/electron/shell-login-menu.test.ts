/**
 * The desktop shell (main/electron/main.ts, unchanged) launched the way the login item launches
 * it (`--hidden`), on the recording `electron` stand-in with the real app core behind it: it
 * stays in the tray, its window comes back at the saved size and position (and a relaunch in a
 * second process restores the size it was left at), Settings' Start at login writes the XDG
 * autostart entry, the application menu's shortcuts reach the real app, and a wake from sleep
 * notices a new time zone at once. Runs where no Electron binary exists.
 */
import '../helpers/electron-standin/register.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  commandChannel,
  eventChannel,
  type commandNames,
  type Project,
  type Result,
  type ScheduleStatus,
} from '../../contract/index.ts';
import {
  app,
  BrowserWindow,
  ipcMain,
  Menu,
  powerMonitor,
  Tray,
  type BrowserWindow as StandinWindow,
  type MenuItemOptions,
} from '../helpers/electron-standin/index.ts';

const userData = mkdtempSync(join(tmpdir(), 'ns-standin-login-'));
const xdg = mkdtempSync(join(tmpdir(), 'ns-standin-xdg-'));
const projectDir = mkdtempSync(join(tmpdir(), 'ns-standin-login-project-'));
const saved = { x: 140, y: 90, width: 1000, height: 700, maximized: false };
const env = { TZ: process.env.TZ, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
const argv = [...process.argv];

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const win = (): StandinWindow => {
  const w = BrowserWindow.all[0];
  if (!w) throw new Error('no window yet');
  return w;
};
/** An IPC call from our window's main frame (the only sender the router trusts). */
async function ok<T>(name: (typeof commandNames)[number], input?: unknown): Promise<T> {
  const r = (await ipcMain.invoke(commandChannel(name), input, win().webContents.mainFrame)) as
    Result<T> | undefined;
  assert.ok(r?.ok, `${name}: ${r && !r.ok ? r.error.message : ''}`);
  return r.value;
}
/** A menu item by label, anywhere in the menu. */
function item(items: readonly MenuItemOptions[], label: string): MenuItemOptions | null {
  for (const i of items) {
    if (i.label === label) return i;
    const inner = i.submenu ? item(i.submenu, label) : null;
    if (inner) return inner;
  }
  return null;
}

before(async () => {
  // The machine's zone is UTC until the wake test "travels".
  process.env.TZ = 'UTC';
  process.env.XDG_CONFIG_HOME = xdg;
  // The login item launches Nightshift with --hidden (main/electron/login-item.ts).
  process.argv.push('--hidden');
  // A packaged app registers the login item; a development build only says it would.
  app.isPackaged = true;
  app.paths.userData = userData;
  writeFileSync(join(userData, 'window-state.json'), JSON.stringify(saved));
  await import('../../main/electron/main.ts');
  app.markReady();
  await until(
    () => Tray.all.length === 1 && ipcMain.handlers.size > 0 && Menu.applicationMenu !== null,
    'boot: the tray, the IPC router and the app menu',
  );
});

after(async () => {
  try {
    if (app.exitCode === null) {
      app.quit();
      await until(() => app.exitCode !== null, 'the app to exit', 20_000);
    }
  } finally {
    process.argv.splice(0, process.argv.length, ...argv);
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    for (const dir of [userData, xdg, projectDir]) rmSync(dir, { recursive: true, force: true });
  }
});

test('launched at login (--hidden) it starts in the tray with no window; Open shows it at the saved size and position', async () => {
  assert.equal(BrowserWindow.all.length, 0, 'no window: it lives in the tray');
  assert.equal(Tray.all[0]?.tooltip.startsWith('Nightshift'), true);
  Tray.all[0]?.menu?.find('open')?.click?.();
  await until(() => BrowserWindow.all.length === 1, 'the window to open');
  assert.equal(win().isVisible(), true);
  const { x, y, width, height } = win().options;
  assert.deepEqual({ x, y, width, height }, { x: 140, y: 90, width: 1000, height: 700 });
});

test('the window’s size and position are saved as they change and restored by the next launch', async () => {
  win().bounds = { x: 300, y: 200, width: 1100, height: 760 };
  win().emit('resize');
  win().emit('move');
  const file = join(userData, 'window-state.json');
  await until(() => JSON.parse(readFileSync(file, 'utf8')).width === 1100, 'the bounds saved');
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
    x: 300,
    y: 200,
    width: 1100,
    height: 760,
    maximized: false,
  });
  // A second launch, in a process of its own, creates its window with those bounds. It gets
  // its own copy of the data (one app per data directory: the lock would refuse a second).
  const copy = mkdtempSync(join(tmpdir(), 'ns-standin-relaunch-'));
  try {
    writeFileSync(join(copy, 'window-state.json'), readFileSync(file));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, '../fixtures/standin-relaunch.ts'), copy],
      { timeout: 60_000, env: { ...process.env, XDG_CONFIG_HOME: copy } },
    );
    const options = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<
      string,
      number
    >;
    assert.deepEqual(
      { x: options.x, y: options.y, width: options.width, height: options.height },
      { x: 300, y: 200, width: 1100, height: 760 },
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('Start at login writes the autostart entry that launches Nightshift hidden; turning it off removes it', async () => {
  const entry = join(xdg, 'autostart', 'nightshift.desktop');
  assert.equal(existsSync(entry), false, 'off by default');
  await ok('settings.update', { startAtLogin: true });
  await until(() => existsSync(entry), 'the autostart entry');
  const text = readFileSync(entry, 'utf8');
  assert.match(text, /^\[Desktop Entry\]\n/);
  const exec = /^Exec=(.*)$/m.exec(text)?.[1] ?? '';
  assert.ok(exec.endsWith(' --hidden'), `starts hidden: ${exec}`);
  assert.ok(exec.startsWith(process.execPath), `starts this executable: ${exec}`);
  await ok('settings.update', { startAtLogin: false });
  await until(() => !existsSync(entry), 'the entry removed');
});

test('the application menu’s shortcuts reach the real app: Skip next (all), open a project, show the window', async () => {
  const p = await ok<Project>('projects.add', { name: 'menu-project', path: projectDir });
  // A daily window at 03:00 UTC: there is always a next one to skip.
  await ok('schedules.add', {
    id: p.id,
    schedule: {
      days: [1, 2, 3, 4, 5, 6, 7],
      startTime: '03:00',
      timeZone: 'UTC',
      durationMinutes: 30,
      enabled: true,
      run: {},
    },
  });
  const menu = () => Menu.applicationMenu?.items ?? [];
  await until(() => item(menu(), 'menu-project') !== null, 'the Projects menu to list it');
  const open = item(menu(), 'menu-project');
  assert.equal(open?.accelerator, 'CmdOrCtrl+1');
  const skip = item(menu(), 'Skip Next Window (All Projects)');
  assert.equal(skip?.accelerator, 'CmdOrCtrl+Shift+K');
  skip?.click?.();
  const skipped = async () =>
    (await ok<ScheduleStatus[]>('schedules.status')).find((s) => s.projectId === p.id)?.skipNext;
  const deadline = Date.now() + 10_000;
  while (!(await skipped()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(await skipped(), true, 'the real scheduler skips the next window');

  win().hide();
  const sentBefore = win().webContents.sent.length;
  open?.click?.();
  assert.equal(win().isVisible(), true, 'the project’s shortcut shows the window');
  await until(
    () =>
      win()
        .webContents.sent.slice(sentBefore)
        .some(
          (m) =>
            m.channel === eventChannel('app.navigate') &&
            (m.payload as { projectId: string }).projectId === p.id,
        ),
    'app.navigate to the project',
  );
  win().hide();
  const show = item(menu(), 'Show Nightshift');
  assert.equal(show?.accelerator, 'CmdOrCtrl+0');
  show?.click?.();
  assert.equal(win().isVisible(), true);
  for (const [label, accelerator] of [
    ['Pause All', 'CmdOrCtrl+Shift+P'],
    ['Resume All', 'CmdOrCtrl+Shift+R'],
    ['Stop All', 'CmdOrCtrl+Shift+S'],
    ['Quit', 'Ctrl+Q'],
  ] as const)
    assert.equal(item(menu(), label)?.accelerator, accelerator, label);
});

test('a wake from sleep notices a new time zone at once: the tray shows the next window in local time', async () => {
  const p = (await ok<Project[]>('projects.list')).find((x) => x.name === 'menu-project');
  assert.ok(p, 'the project from the menu test');
  const skipLabel = () => Tray.all[0]?.menu?.find(`project:${p.id}:skip-next`)?.label ?? '';
  await until(() => /03:00/.test(skipLabel()), 'the tray to show 03:00 (UTC)');
  const log = join(userData, 'logs', 'nightshift.log');
  // The machine arrives in Tokyo (UTC+9) while asleep; it wakes.
  process.env.TZ = 'Asia/Tokyo';
  powerMonitor.emit('resume');
  assert.match(
    readFileSync(log, 'utf8'),
    /time zone changed from UTC \(UTC\+00:00\) to Asia\/Tokyo \(UTC\+09:00\)/,
    'noticed at once, not at the next minute',
  );
  await until(() => /12:00/.test(skipLabel()), 'the tray to show 12:00 (Tokyo)');
  // The schedule keeps its own zone: the window itself did not move.
  const status = (await ok<ScheduleStatus[]>('schedules.status')).find((s) => s.projectId === p.id);
  assert.equal(new Date(status?.nextWindow?.start ?? 0).toISOString().slice(11, 16), '03:00');
});

test('without a wake, a time-zone change is noticed within a minute (the scheduler’s tick)', async () => {
  const log = join(userData, 'logs', 'nightshift.log');
  const changes = () =>
    readFileSync(log, 'utf8').match(/time zone changed from Asia\/Tokyo .* to UTC /g)?.length ?? 0;
  assert.equal(changes(), 0);
  const changedAt = Date.now();
  process.env.TZ = 'UTC';
  // The real timer, not a fake clock: at most one minute, plus a little for a loaded machine.
  await until(() => changes() === 1, 'the change to be noticed', 70_000);
  const p = (await ok<Project[]>('projects.list')).find((x) => x.name === 'menu-project');
  const skipLabel = () => Tray.all[0]?.menu?.find(`project:${p?.id}:skip-next`)?.label ?? '';
  await until(() => /03:00/.test(skipLabel()), 'the tray back at 03:00 (UTC)');
  process.stdout.write(`# zone change noticed after ${Date.now() - changedAt} ms\n`);
});
