/**
 * "Start at login" (a setting): macOS and Windows through Electron's login item settings, Linux
 * through an XDG autostart entry. Started at login, Nightshift opens hidden in the tray
 * (`--hidden`; main.ts checks it before showing the window).
 */
import { app } from 'electron';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { autostartDesktopEntry } from './app-menu-template.ts';
import type { EventBus } from '../services/event-bus.ts';

export const HIDDEN_FLAG = '--hidden';

export interface LoginItemDeps {
  bus: EventBus;
  startAtLogin(): boolean;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
}

function linuxAutostartFile(): string {
  const config = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  return join(config, 'autostart', 'nightshift.desktop');
}

export function applyLoginItem(enabled: boolean): void {
  if (process.platform === 'linux') {
    const file = linuxAutostartFile();
    if (enabled) {
      mkdirSync(join(file, '..'), { recursive: true });
      // An AppImage runs from a temporary mount: start the AppImage file itself.
      const exec = process.env.APPIMAGE ?? process.execPath;
      writeFileSync(file, autostartDesktopEntry(exec, [HIDDEN_FLAG]));
    } else if (existsSync(file)) {
      rmSync(file, { force: true });
    }
    return;
  }
  app.setLoginItemSettings({
    openAtLogin: enabled,
    args: enabled ? [HIDDEN_FLAG] : [],
  });
}

/** Whether this launch came from the login item (then stay in the tray). */
export function launchedHidden(): boolean {
  return (
    process.argv.includes(HIDDEN_FLAG) ||
    (process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin)
  );
}

/** Call once when ready: installLoginItem({ bus, startAtLogin: () => settings.get().startAtLogin, log }). */
export function installLoginItem(deps: LoginItemDeps): { dispose(): void } {
  let current: boolean | null = null;
  const sync = () => {
    const want = deps.startAtLogin();
    if (want === current) return;
    current = want;
    if (!app.isPackaged && want) {
      deps.log?.(
        'info',
        'Start at login is on, but this is a development build: not registering it.',
      );
      return;
    }
    try {
      applyLoginItem(want);
    } catch (error) {
      deps.log?.(
        'warn',
        `Could not ${want ? 'register' : 'remove'} the login item: ${String(error)}`,
      );
    }
  };
  const off = deps.bus.on('settings.changed', sync);
  sync();
  return { dispose: off };
}
