/**
 * The tray: an icon whose tooltip summarises every project, and a menu rebuilt from the pure
 * template (main/electron/tray-menu.ts) on every change of agent, project or schedule state.
 */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { AgentControl } from '../services/supervisor-types.ts';
import type { EventBus } from '../services/event-bus.ts';
import type { Scheduler } from '../services/scheduler.ts';
import { formatWhen } from '../services/scheduler.ts';
import {
  type TrayAction,
  type TrayItem,
  type TrayModel,
  runTrayAction,
  trayTemplate,
} from './tray-menu.ts';
import { COLOR16, COLOR32, TEMPLATE16, TEMPLATE32 } from './tray-icon.ts';

export interface TrayDeps {
  bus: EventBus;
  agents: AgentControl;
  projects(): readonly { id: string; name: string }[];
  scheduler: Scheduler;
  /** The app's command dispatch (same validation and behaviour as the UI). */
  dispatch(command: string, input: unknown): Promise<unknown>;
  showWindow(projectId?: string): void;
  quit(): void;
  log?(level: 'info' | 'warn' | 'error', message: string): void;
  /** Open items of the attention inbox (shown in the tooltip and the menu). */
  inboxCount?(): number;
}

/** Turns the plain-data template into Electron's menu template. */
export function toElectronTemplate(
  items: readonly TrayItem[],
  run: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item) => {
    if (item.type === 'separator') return { type: 'separator' };
    const out: MenuItemConstructorOptions = { id: item.id, label: item.label ?? '' };
    if (item.type === 'submenu') out.submenu = toElectronTemplate(item.submenu ?? [], run);
    if (item.type === 'checkbox') {
      out.type = 'checkbox';
      out.checked = item.checked ?? false;
    }
    if (item.enabled === false) out.enabled = false;
    if (item.accelerator) out.accelerator = item.accelerator;
    const action = item.action;
    if (action) out.click = () => run(action);
    return out;
  });
}

function trayImage(): Electron.NativeImage {
  const mac = process.platform === 'darwin';
  const image = nativeImage.createFromDataURL(mac ? TEMPLATE16 : COLOR16);
  image.addRepresentation({ scaleFactor: 2, dataURL: mac ? TEMPLATE32 : COLOR32 });
  if (mac) image.setTemplateImage(true);
  return image;
}

/**
 * Creates the tray. Call once after the app is ready:
 *   installTray({ bus, agents: supervisor, projects: () => registry.list(), scheduler,
 *                 dispatch, showWindow, quit: () => app.quit() })
 */
export function installTray(deps: TrayDeps): { tray: Tray; refresh(): void; dispose(): void } {
  const tray = new Tray(trayImage());
  let pending: NodeJS.Timeout | null = null;
  let lastJson = '';
  const run = (action: TrayAction) => {
    void runTrayAction(action, {
      dispatch: deps.dispatch,
      openApp: (projectId) => deps.showWindow(projectId),
      quit: deps.quit,
    }).catch((error: unknown) =>
      deps.log?.('error', `Tray action ${action.kind} failed: ${String(error)}`),
    );
  };
  const model = (): TrayModel => {
    const statuses = new Map(deps.scheduler.status().map((s) => [s.projectId, s]));
    return {
      projects: deps.projects().map((p) => ({
        id: p.id,
        name: p.name,
        agent: deps.agents.state(p.id),
        schedule: statuses.get(p.id) ?? null,
      })),
      formatTime: formatWhen,
      inboxCount: deps.inboxCount?.() ?? 0,
    };
  };
  const refresh = () => {
    pending = null;
    if (tray.isDestroyed()) return;
    const template = trayTemplate(model());
    const json = JSON.stringify(template);
    if (json === lastJson) return;
    lastJson = json;
    tray.setToolTip(template.tooltip);
    tray.setContextMenu(Menu.buildFromTemplate(toElectronTemplate(template.menu, run)));
  };
  // Bursts of changes (a stop emits several states) coalesce into one rebuild.
  const schedule = () => {
    if (!pending) pending = setTimeout(refresh, 30);
  };
  const off = deps.bus.onAny((name) => {
    if (
      name === 'agent.status' ||
      name === 'projects.changed' ||
      name === 'schedules.changed' ||
      name === 'settings.changed' ||
      name === 'inbox.changed'
    ) {
      schedule();
    }
  });
  // Windows and Linux: a click on the icon opens the app; macOS shows the menu.
  if (process.platform !== 'darwin') tray.on('click', () => deps.showWindow());
  refresh();
  return {
    tray,
    refresh,
    dispose() {
      off();
      if (pending) clearTimeout(pending);
      if (!tray.isDestroyed()) tray.destroy();
    },
  };
}
