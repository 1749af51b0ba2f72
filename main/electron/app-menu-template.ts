/**
 * The application menu as data (pure, tested without Electron): standard roles for editing and
 * windows, the agent commands with keyboard shortcuts, and one entry per project
 * (CmdOrCtrl+1 … 9) that opens it. main/electron/app-menu.ts turns it into a Menu.
 */
import type { AppCommand } from './app-commands.ts';

/** What a menu item does: the commands it shares with the tray (main/electron/app-commands.ts). */
export type AppMenuCommand = AppCommand;

/** Electron menu roles we use (a subset of Electron's). */
export type AppMenuRole =
  | 'about'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'undo'
  | 'redo'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'reload'
  | 'toggleDevTools'
  | 'resetZoom'
  | 'zoomIn'
  | 'zoomOut'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'close'
  | 'front';

export interface AppMenuItem {
  label?: string;
  type?: 'normal' | 'separator' | 'submenu';
  role?: AppMenuRole;
  accelerator?: string;
  enabled?: boolean;
  submenu?: AppMenuItem[];
  command?: AppMenuCommand;
}

export interface AppMenuModel {
  platform: string;
  appName: string;
  dev: boolean;
  projects: readonly { id: string; name: string }[];
}

const sep: AppMenuItem = { type: 'separator' };

export function appMenuTemplate(m: AppMenuModel): AppMenuItem[] {
  const mac = m.platform === 'darwin';
  const menu: AppMenuItem[] = [];
  if (mac) {
    menu.push({
      label: m.appName,
      submenu: [
        { role: 'about' },
        sep,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        sep,
        { label: `Quit ${m.appName}`, accelerator: 'Cmd+Q', command: { kind: 'quit' } },
      ],
    });
  }
  menu.push({
    label: mac ? 'File' : '&File',
    submenu: [
      { label: 'Close Window', accelerator: 'CmdOrCtrl+W', role: 'close' },
      ...(mac
        ? []
        : [
            sep,
            {
              label: 'Quit',
              accelerator: 'Ctrl+Q',
              command: { kind: 'quit' },
            } satisfies AppMenuItem,
          ]),
    ],
  });
  menu.push({
    label: mac ? 'Edit' : '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      sep,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });
  menu.push({
    label: mac ? 'View' : '&View',
    submenu: [
      ...(m.dev
        ? [{ role: 'reload' } as AppMenuItem, { role: 'toggleDevTools' } as AppMenuItem, sep]
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
    ],
  });
  menu.push({
    label: mac ? 'Agents' : '&Agents',
    submenu: [
      { label: 'Pause All', accelerator: 'CmdOrCtrl+Shift+P', command: { kind: 'pause-all' } },
      { label: 'Resume All', accelerator: 'CmdOrCtrl+Shift+R', command: { kind: 'resume-all' } },
      { label: 'Stop All', accelerator: 'CmdOrCtrl+Shift+S', command: { kind: 'stop-all' } },
      sep,
      {
        label: 'Skip Next Window (All Projects)',
        accelerator: 'CmdOrCtrl+Shift+K',
        command: { kind: 'skip-next-all' },
      },
    ],
  });
  menu.push({
    label: mac ? 'Projects' : '&Projects',
    submenu:
      m.projects.length === 0
        ? [{ label: 'No projects yet', enabled: false }]
        : m.projects.map((p, i) => ({
            label: p.name,
            ...(i < 9 ? { accelerator: `CmdOrCtrl+${i + 1}` } : {}),
            command: { kind: 'open-project', projectId: p.id } as const,
          })),
  });
  menu.push({
    label: mac ? 'Window' : '&Window',
    submenu: [
      { role: 'minimize' },
      ...(mac ? [{ role: 'zoom' } as AppMenuItem, sep, { role: 'front' } as AppMenuItem] : []),
      { label: 'Show Nightshift', accelerator: 'CmdOrCtrl+0', command: { kind: 'open' } },
    ],
  });
  return menu;
}

/** Every accelerator in the menu, to check that none is used twice. */
export function accelerators(items: readonly AppMenuItem[]): string[] {
  return items.flatMap((i) => [
    ...(i.accelerator ? [i.accelerator] : []),
    ...accelerators(i.submenu ?? []),
  ]);
}

/** The XDG autostart entry that starts Nightshift at login on Linux (hidden, in the tray). */
export function autostartDesktopEntry(exec: string, args: readonly string[]): string {
  const quote = (s: string) => (/[\s"'\\$`]/.test(s) ? `"${s.replace(/(["\\$`])/g, '\\$1')}"` : s);
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Nightshift',
    'Comment=Control room for autonomous coding agents',
    `Exec=${[exec, ...args].map(quote).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}
