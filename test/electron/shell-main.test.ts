/**
 * The Electron shell's wiring (main/electron/main.ts, unchanged) run in plain Node against the
 * recording stand-in for `electron` (test/helpers/electron-standin/), with the real app core
 * behind it: real store and secrets files in a temp userData, the real supervisor, scheduler and
 * notifier. Runs where no Electron binary exists; test/electron/launch.test.ts and
 * window-controls.test.ts cover the same ground with the real binary where there is one.
 *
 * The agent command main.ts builds (Electron's Node running out/main/agent.js) has no bundle
 * next to the sources, so an agent started here exits at once with code 1: a real crash, which is
 * what the notification test needs.
 */
import '../helpers/electron-standin/register.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  commandChannel,
  commandNames,
  commands,
  eventChannel,
  type AgentState,
  type Project,
  type Result,
} from '../../contract/index.ts';
import { isAlive } from '../../core/process-table.ts';
import { scheduleOpenNow } from '../fixtures/open-schedule.ts';
import {
  app,
  BrowserWindow,
  callsOf,
  ipcMain,
  Notification,
  powerSaveBlocker,
  preventable,
  protocol,
  session,
  Tray,
  WebFrameMain,
  type BrowserWindow as StandinWindow,
} from '../helpers/electron-standin/index.ts';

const userData = mkdtempSync(join(tmpdir(), 'ns-standin-main-'));
const projectDirs: string[] = [];
const agentPids = new Set<number>();
let win: StandinWindow;

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** ipcRenderer.invoke from our window's main frame (the only sender the router trusts). */
async function call<T>(name: string, input?: unknown): Promise<Result<T>> {
  return (await ipcMain.invoke(
    commandChannel(name as (typeof commandNames)[number]),
    input,
    win.webContents.mainFrame,
  )) as Result<T>;
}
async function ok<T>(name: string, input?: unknown): Promise<T> {
  const r = await call<T>(name, input);
  assert.ok(r.ok, `${name}: ${r.ok ? '' : r.error.message}`);
  return r.value;
}
function project(withSpec: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'ns-standin-project-'));
  if (withSpec) writeFileSync(join(dir, 'app_spec.txt'), 'A tiny app.');
  projectDirs.push(dir);
  return dir;
}

const savedKey = process.env.ANTHROPIC_API_KEY;
before(async () => {
  // Start checks for credentials before anything else; the agent itself never gets this far.
  process.env.ANTHROPIC_API_KEY = 'sk-ant-test-dummy-key-0000000000';
  app.paths.userData = userData;
  await import('../../main/electron/main.ts');
  assert.equal(BrowserWindow.all.length, 0, 'no window before the app is ready');
  app.markReady();
  await until(
    () => BrowserWindow.all.length === 1 && Tray.all.length === 1 && ipcMain.handlers.size > 0,
    'boot: the window, the tray and the IPC router',
  );
  win = BrowserWindow.all[0] as StandinWindow;
});

after(async () => {
  try {
    // Quitting as the user would (close-to-tray off closes the app); main.ts stops the agents.
    if (app.exitCode === null) {
      app.quit();
      await until(() => app.exitCode !== null, 'the app to exit', 20_000);
    }
    for (const pid of agentPids) assert.equal(isAlive(pid), false, `agent ${pid} is gone`);
  } finally {
    if (savedKey === undefined) delete process.env.ANTHROPIC_API_KEY;
    else process.env.ANTHROPIC_API_KEY = savedKey;
    for (const dir of [userData, ...projectDirs]) rmSync(dir, { recursive: true, force: true });
  }
});

test('the app scheme is made privileged before ready and the window is locked down', () => {
  const [schemes, when] = callsOf('protocol.registerSchemesAsPrivileged')[0] as [
    { scheme: string; privileges: Record<string, boolean> }[],
    { ready: boolean },
  ];
  assert.equal(when.ready, false, 'registered before the app was ready (Electron requires it)');
  assert.equal(schemes[0]?.scheme, 'app');
  assert.equal(schemes[0]?.privileges.secure, true);
  assert.ok(protocol.handlers.has('app'), 'app:// is served once ready');
  const prefs = win.options.webPreferences as Record<string, unknown>;
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.webSecurity, true);
  assert.match(String(prefs.preload), /preload[/\\]index\.cjs$/);
  assert.equal(win.url, 'app://nightshift/index.html');
  assert.equal(win.isVisible(), true, 'shown once ready-to-show');
});

test('app:// serves only its own host, always with the CSP', async () => {
  const handler = protocol.handlers.get('app');
  assert.ok(handler);
  const other = await handler(new Request('app://elsewhere/index.html'));
  assert.equal(other.status, 404);
  const page = await handler(new Request('app://nightshift/index.html'));
  assert.match(page.headers.get('Content-Security-Policy') ?? '', /default-src 'self'/);
  assert.equal(page.headers.get('X-Content-Type-Options'), 'nosniff');
});

test('every contract command has a handler that reaches the real app from our main frame', async () => {
  for (const name of commandNames) {
    assert.ok(ipcMain.handlers.has(commandChannel(name)), `a handler for ${name}`);
  }
  assert.equal(ipcMain.handlers.size, commandNames.length, 'and no other handler');
  // With no input, each command answers as the real dispatch does: a value where the contract
  // takes no input, the real validation's refusal elsewhere.
  for (const name of commandNames) {
    const r = await call(name, undefined);
    const takesNothing = commands[name].input.safeParse(undefined).success;
    assert.equal(r.ok, takesNothing, `${name}: ${r.ok ? 'ok' : r.error.message}`);
    if (!r.ok) assert.equal(r.error.code, 'invalid-input', name);
  }
  const info = await ok<{ shell: string; dataDir: string }>('app.info');
  assert.equal(info.shell, 'electron');
  assert.equal(info.dataDir, userData);
  assert.equal(callsOf('dialog.showOpenDialog').length, 1, 'projects.pickFolder opened the dialog');
});

test('the sender check refuses other frames, other origins and no frame, and nothing changes', async () => {
  const before = await ok<Project[]>('projects.list');
  const dir = project(false);
  const refused = async (why: string, sender: WebFrameMain | null) => {
    const r = (await ipcMain.invoke(
      commandChannel('projects.add'),
      { name: 'evil', path: dir },
      sender,
    )) as Result<unknown>;
    assert.equal(r.ok, false, why);
    if (!r.ok) {
      assert.equal(r.error.code, 'forbidden', why);
      assert.equal(r.error.message, 'This request did not come from the Nightshift window.');
    }
  };
  await refused('an iframe showing our page', new WebFrameMain('app://nightshift/index.html'));
  const ours = win.webContents.mainFrame;
  win.webContents.mainFrame = new WebFrameMain('https://evil.example/');
  try {
    await refused('our window’s main frame at another origin', win.webContents.mainFrame);
  } finally {
    win.webContents.mainFrame = ours;
  }
  await refused('no frame', null);
  assert.deepEqual(await ok<Project[]>('projects.list'), before, 'no project was added');
});

test('the desktop app keeps secrets encrypted by safeStorage in secrets.enc.json, never in plain', async () => {
  const key = 'sk-ant-desktop-secret-0123456789';
  const before = callsOf('safeStorage.encryptString').length;
  const view = await ok<{ secrets: { apiKey: { set: boolean } } }>('settings.update', {
    apiKey: key,
  });
  assert.equal(view.secrets.apiKey.set, true);
  assert.ok(!JSON.stringify(view).includes(key), 'the answer holds no key');
  assert.ok(callsOf('safeStorage.encryptString').length > before, 'encrypted by safeStorage');
  const file = join(userData, 'secrets.enc.json');
  assert.ok(existsSync(file));
  const stored = readFileSync(file, 'utf8');
  assert.ok(!stored.includes(key) && !stored.includes(Buffer.from(key).toString('base64')));
  assert.equal(existsSync(join(userData, 'secrets.json')), false, 'no plain secrets file');
  await ok('settings.update', { apiKey: null });
});

test('main’s events reach the window on their channels; the tray menu follows the projects', async () => {
  const sentBefore = win.webContents.sent.length;
  const added = await ok<Project>('projects.add', { name: 'wired', path: project(false) });
  await until(
    () =>
      win.webContents.sent
        .slice(sentBefore)
        .some((m) => m.channel === eventChannel('projects.changed')),
    'projects.changed to reach the window',
  );
  const tray = Tray.all[0];
  await until(() => tray?.menu?.find(`project:${added.id}`) !== null, 'the tray to list it');
  assert.match(tray?.menu?.find(`project:${added.id}`)?.label ?? '', /wired/);
});

test('closing the window hides it to the tray; the tray and a second launch bring it back', async () => {
  assert.equal(win.close(), false, 'close is cancelled while close-to-tray is on');
  assert.equal(win.isVisible(), false);
  assert.equal(win.isDestroyed(), false);
  Tray.all[0]?.emit('click');
  assert.equal(win.isVisible(), true, 'a click on the tray icon shows it');
  assert.equal(BrowserWindow.all.length, 1, 'the same window, not a new one');
  // The tray's "Open Nightshift" item does the same.
  win.hide();
  Tray.all[0]?.menu?.find('open')?.click?.();
  assert.equal(win.isVisible(), true);
  // A second launch (single-instance lock) shows, restores and focuses the running window.
  win.minimize();
  win.hide();
  win.focused = false;
  app.emit('second-instance', preventable(), ['nightshift'], '/');
  assert.equal(win.isVisible(), true);
  assert.equal(win.isMinimized(), false);
  assert.equal(win.focused, true);
});

test('a crash notification’s click shows the window and navigates to the project', async () => {
  const crashy = await ok<Project>('projects.add', { name: 'crashy', path: project(true) });
  const started = await ok<AgentState>('agent.start', { id: crashy.id });
  if (started.pid) agentPids.add(started.pid);
  await until(
    () => Notification.all.some((n) => n.shown && /crashy/.test(n.options.title)),
    'a desktop notification about the crash',
  );
  const note = Notification.all.find((n) => /crashy/.test(n.options.title)) as Notification;
  win.hide();
  const sentBefore = win.webContents.sent.length;
  note.emit('click');
  assert.equal(win.isVisible(), true, 'the click brings the window forward');
  await until(
    () =>
      win.webContents.sent
        .slice(sentBefore)
        .some(
          (m) =>
            m.channel === eventChannel('app.navigate') &&
            (m.payload as { projectId: string }).projectId === crashy.id,
        ),
    'app.navigate to the crashed project',
  );
});

test('keep-awake is held exactly while a scheduled window is open', async () => {
  assert.equal(powerSaveBlocker.held.size, 0, 'no window open: the machine may sleep');
  const p = await ok<Project>('projects.add', { name: 'nights', path: project(false) });
  const fields = scheduleOpenNow();
  const s = await ok<{ id: string }>('schedules.add', { id: p.id, schedule: fields });
  await until(() => powerSaveBlocker.held.size === 1, 'the blocker to be held');
  assert.deepEqual([...powerSaveBlocker.held.values()], ['prevent-app-suspension']);
  await ok('schedules.update', {
    id: p.id,
    scheduleId: s.id,
    schedule: { ...fields, enabled: false },
  });
  await until(() => powerSaveBlocker.held.size === 0, 'the blocker to be released');
  await ok('schedules.update', { id: p.id, scheduleId: s.id, schedule: fields });
  await until(() => powerSaveBlocker.held.size === 1, 'held again');
  await ok('schedules.remove', { id: p.id, scheduleId: s.id });
  await until(() => powerSaveBlocker.held.size === 0, 'released with the schedule gone');
  assert.equal(
    callsOf('powerSaveBlocker.start').length,
    callsOf('powerSaveBlocker.stop').length,
    'every start has its stop',
  );
});

test('security rules: no navigation or redirect away, no webviews, no windows, no permissions', async () => {
  const contents = win.webContents;
  for (const name of ['will-navigate', 'will-redirect']) {
    const away = preventable();
    contents.emit(name, away, 'https://evil.example/');
    assert.equal(away.defaultPrevented, true, `${name} away is refused`);
    const inside = preventable();
    contents.emit(name, inside, 'app://nightshift/index.html#/p');
    assert.equal(inside.defaultPrevented, false, `${name} inside the app is allowed`);
  }
  const webview = preventable();
  contents.emit('will-attach-webview', webview, {}, {});
  assert.equal(webview.defaultPrevented, true);
  const open = contents.windowOpenHandler;
  assert.ok(open, 'a window-open handler is set');
  const before = callsOf('shell.openExternal').length;
  assert.deepEqual(open({ url: 'https://github.com/anthropics' }), { action: 'deny' });
  assert.deepEqual(open({ url: 'https://evil.example/' }), { action: 'deny' });
  assert.deepEqual(open({ url: 'http://github.com/' }), { action: 'deny' });
  assert.deepEqual(callsOf('shell.openExternal').slice(before), [
    ['https://github.com/anthropics'],
  ]);
  const { permissionRequestHandler, permissionCheckHandler } = session.defaultSession;
  assert.ok(permissionRequestHandler && permissionCheckHandler);
  for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
    const answer = await new Promise<boolean>((r) =>
      permissionRequestHandler(contents, permission, r),
    );
    assert.equal(answer, false, permission);
  }
  assert.equal(permissionCheckHandler(contents, 'media'), false);
});

test('with close-to-tray off, closing the window quits and the quit stops the agents', async () => {
  await ok('settings.update', { closeToTray: false });
  assert.equal(win.close(), true);
  assert.equal(win.isDestroyed(), true);
  await until(() => app.exitCode !== null, 'the app to exit', 20_000);
  assert.equal(app.exitCode, 0);
  assert.ok(app.quitRequested >= 1, 'window-all-closed asked the app to quit');
});
