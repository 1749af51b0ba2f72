/**
 * The application menu with keyboard shortcuts, from the pure template in
 * main/electron/app-menu-template.ts, rebuilt when the project list changes.
 */
import { Menu, type MenuItemConstructorOptions, app } from 'electron';
import { type AppMenuCommand, type AppMenuItem, appMenuTemplate } from './app-menu-template.ts';
import type { EventBus } from '../services/event-bus.ts';
import { runAppCommand } from './app-commands.ts';

export interface AppMenuDeps {
  bus: EventBus;
  projects(): readonly { id: string; name: string }[];
  dispatch(command: string, input: unknown): Promise<unknown>;
  showWindow(projectId?: string): void;
  quit(): void;
  dev?: boolean;
}

function toElectron(
  items: readonly AppMenuItem[],
  run: (c: AppMenuCommand) => void,
): MenuItemConstructorOptions[] {
  return items.map((i) => {
    if (i.type === 'separator') return { type: 'separator' };
    const out: MenuItemConstructorOptions = {};
    if (i.label !== undefined) out.label = i.label;
    if (i.role) out.role = i.role;
    if (i.accelerator) out.accelerator = i.accelerator;
    if (i.enabled === false) out.enabled = false;
    if (i.submenu) out.submenu = toElectron(i.submenu, run);
    const command = i.command;
    if (command) out.click = () => run(command);
    return out;
  });
}

/** Call once when ready: installAppMenu({ bus, projects: () => registry.list(), dispatch, showWindow, quit: () => app.quit() }). */
export function installAppMenu(deps: AppMenuDeps): { dispose(): void } {
  const run = (c: AppMenuCommand) =>
    void runAppCommand(c, { dispatch: deps.dispatch, openApp: deps.showWindow, quit: deps.quit });
  let last = '';
  const build = () => {
    const template = appMenuTemplate({
      platform: process.platform,
      appName: app.getName() || 'Nightshift',
      dev: deps.dev ?? !app.isPackaged,
      projects: deps.projects().map((p) => ({ id: p.id, name: p.name })),
    });
    const json = JSON.stringify(template);
    if (json === last) return;
    last = json;
    Menu.setApplicationMenu(Menu.buildFromTemplate(toElectron(template, run)));
  };
  const off = deps.bus.on('projects.changed', build);
  build();
  return { dispose: off };
}
