/**
 * The Electron shell: lifecycle, the single-instance lock, the window, IPC, and quitting
 * according to the user's choice (stop agents, or leave them running to be adopted next launch).
 */
import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import { createApp, type NightshiftApp } from '../app.ts';
import { createDiagnostics } from '../services/diagnostics.ts';
import { orchestratorPreflight } from '../../core/run-preflight.ts';
import { NavigationQueue } from './navigation-queue.ts';
import { openElectronStore, safeStorageSecrets } from './electron-store-adapter.ts';
import { installAppMenu } from './app-menu.ts';
import { installIpcRouter } from './ipc-router.ts';
import { installLoginItem, launchedHidden } from './login-item.ts';
import { electronNotificationPort } from './notifications.ts';
import { installPowerManagement } from './power.ts';
import { APP_ORIGIN, registerAppScheme, serveAppProtocol } from './protocol.ts';
import { installSecurityRules } from './security.ts';
import { installTray } from './tray.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';

const here = import.meta.dirname;
let mainWindow: BrowserWindow | null = null;
let nightshift: NightshiftApp | null = null;
let quitting = false;
// Held at module level: a tray that is garbage-collected disappears.
let trayHandle: ReturnType<typeof installTray> | null = null;
// "Open <project>" may have to create the window: the page hears app.navigate once it loaded.
const navigation = new NavigationQueue((projectId) =>
  nightshift?.bus.emit('app.navigate', { projectId }),
);

registerAppScheme();
installSecurityRules();

if (!app.requestSingleInstanceLock()) {
  // Another Nightshift owns the agents; it focuses its window (see 'second-instance').
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  void app.whenReady().then(boot, (error: unknown) => {
    dialog.showErrorBox('Nightshift could not start', String(error));
    app.exit(1);
  });
}

function createWindow(): BrowserWindow {
  const dataDir = app.getPath('userData');
  const saved = loadWindowState(dataDir);
  const win = new BrowserWindow({
    ...saved.bounds,
    minWidth: 860,
    minHeight: 520,
    show: false,
    title: 'Nightshift',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  if (saved.maximized) win.maximize();
  trackWindowState(win, dataDir);
  navigation.loading();
  // The renderer subscribes to events in its entry module, which has run by did-finish-load.
  win.webContents.on('did-start-loading', () => navigation.loading());
  win.webContents.on('did-finish-load', () => navigation.loaded());
  win.webContents.on('render-process-gone', () => navigation.loading());
  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (!quitting && nightshift?.settings.get().closeToTray) {
      // Agents keep working; the tray stays.
      event.preventDefault();
      win.hide();
    }
  });
  win.on('closed', () => {
    if (mainWindow === win) {
      mainWindow = null;
      navigation.closed();
    }
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

export function showWindow(projectId?: string): void {
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow();
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
  if (projectId) navigation.navigate(projectId);
}

async function boot(): Promise<void> {
  const dataDir = app.getPath('userData');
  const diagnostics = createDiagnostics(dataDir);
  serveAppProtocol(join(here, '../renderer'));
  nightshift = await createApp({
    shell: 'electron',
    version: app.getVersion(),
    dataDir,
    openStore: async () => openElectronStore(dataDir),
    secrets: safeStorageSecrets(dataDir),
    diagnostics,
    // The agent runs on Electron's own Node, from the same bundle folder.
    agentCommand: () => ({ command: process.execPath, args: [join(here, 'agent.js')] }),
    preflight: orchestratorPreflight,
    // Agents run as this binary in Node mode: this is why the RunAsNode fuse stays enabled
    // (electron-builder.yml). A child spawned this way can be detached into its own process
    // group (whole-tree pause, group stop) and outlive the app; utilityProcess can do neither.
    baseAgentEnv: { ELECTRON_RUN_AS_NODE: '1' },
    notifications: electronNotificationPort(),
    // Shows (or creates) the window; the navigation waits for its page (NavigationQueue).
    focusApp: (projectId) => showWindow(projectId ?? undefined),
    pickFolder: async () => {
      const options = {
        title: 'Choose the project folder',
        properties: ['openDirectory', 'createDirectory'] as Array<
          'openDirectory' | 'createDirectory'
        >,
      };
      const result = mainWindow
        ? await dialog.showOpenDialog(mainWindow, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
  });
  installIpcRouter(nightshift, () => mainWindow);
  const ns = nightshift;
  const log = (level: 'info' | 'warn' | 'error', message: string) =>
    diagnostics.log(level, message);
  trayHandle = installTray({
    bus: ns.bus,
    agents: ns.supervisor,
    projects: () => ns.registry.list(),
    scheduler: ns.scheduling.scheduler,
    dispatch: ns.dispatch,
    showWindow,
    quit: () => app.quit(),
    log,
    inboxCount: () => ns.ledger.ledger.inbox().length,
  });
  installPowerManagement({
    bus: ns.bus,
    scheduler: ns.scheduling.scheduler,
    checkZone: () => ns.scheduling.checkZone(),
    log,
  });
  // Tray labels show local times: rebuild them in the new zone (the scheduler re-planned).
  ns.scheduling.onZoneChange(() => trayHandle?.refresh());
  installAppMenu({
    bus: ns.bus,
    projects: () => ns.registry.list(),
    dispatch: ns.dispatch,
    showWindow,
    quit: () => app.quit(),
  });
  installLoginItem({ bus: ns.bus, startAtLogin: () => ns.settings.get().startAtLogin, log });
  // Launched at login: stay in the tray until the user opens the window.
  mainWindow = launchedHidden() ? null : createWindow();

  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    // With close-to-tray on, the app lives in the tray; otherwise closing the window quits.
    if (!nightshift?.settings.get().closeToTray) app.quit();
  });
  app.on('before-quit', (event) => {
    if (quitting || !nightshift) return;
    event.preventDefault();
    quitting = true;
    trayHandle?.dispose();
    void nightshift.shutdown().finally(() => app.exit(0));
  });
}
