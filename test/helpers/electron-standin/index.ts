/**
 * A recording stand-in for the `electron` module, so main/electron/ runs in plain Node where no
 * Electron binary exists. Electron is an edge we do not own: this is the allowed kind of double.
 * It covers what main/electron/ and electron-store touch: app, BrowserWindow and webContents,
 * ipcMain, Tray, Menu, nativeImage, Notification, safeStorage, powerSaveBlocker, powerMonitor,
 * protocol, net, session, shell, screen and dialog.
 *
 * Every call that matters is appended to `calls` as { api, args }; objects keep their own state
 * (a window's visibility, a tray's menu, the blockers held) so tests can read what the shell did
 * and drive what Electron would do (emit 'ready', close a window, click a menu item).
 * Load it with ./register.ts, which maps the specifier 'electron' here (production code unchanged).
 */
import { EventEmitter } from 'node:events';

export interface Call {
  api: string;
  args: unknown[];
}
export const calls: Call[] = [];
const record = (api: string, ...args: unknown[]) => calls.push({ api, args });
export const callsOf = (api: string): unknown[][] =>
  calls.filter((c) => c.api === api).map((c) => c.args);

/** An event object with Electron's preventDefault. */
export function preventable<T extends object>(
  extra?: T,
): { defaultPrevented: boolean; preventDefault(): void } & T {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
    ...(extra as T),
  };
}

class StandinApp extends EventEmitter {
  /** What requestSingleInstanceLock answers (set before loading main/electron/main.ts). */
  singleInstanceLock = true;
  isPackaged = false;
  paths: Record<string, string> = {};
  quitRequested = 0;
  exitCode: number | null = null;
  private readyResolve: () => void = () => undefined;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  requestSingleInstanceLock(): boolean {
    record('app.requestSingleInstanceLock');
    return this.singleInstanceLock;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** What Electron does once it initialised. */
  markReady(): void {
    this.readyResolve();
    this.emit('ready');
  }
  /** Like Electron: 'before-quit' may cancel; otherwise the app quits. */
  quit(): void {
    record('app.quit');
    this.quitRequested++;
    this.emit('before-quit', preventable());
  }
  exit(code = 0): void {
    record('app.exit', code);
    this.exitCode = code;
  }
  getPath(name: string): string {
    const p = this.paths[name];
    if (!p) throw new Error(`stand-in: no path for ${name}`);
    return p;
  }
  getVersion(): string {
    return '0.0.0-standin';
  }
  getName(): string {
    return 'Nightshift';
  }
  setLoginItemSettings(settings: unknown): void {
    record('app.setLoginItemSettings', settings);
  }
  getLoginItemSettings(): { openAtLogin: boolean; wasOpenedAtLogin: boolean } {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
}
export const app = new StandinApp();

export class WebFrameMain {
  url: string;
  constructor(url: string) {
    this.url = url;
  }
}

export class WebContents extends EventEmitter {
  static all: WebContents[] = [];
  readonly sent: { channel: string; payload: unknown }[] = [];
  mainFrame = new WebFrameMain('about:blank');
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  constructor() {
    super();
    WebContents.all.push(this);
    // Electron announces every new web contents on the app (security rules hook in there).
    app.emit('web-contents-created', preventable(), this);
  }
  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  /** What Electron does when a page loads: the main frame's URL changes, then the load events. */
  load(url: string): void {
    this.mainFrame = new WebFrameMain(url);
    this.emit('did-start-loading');
    this.emit('did-finish-load');
  }
}

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export class BrowserWindow extends EventEmitter {
  static all: BrowserWindow[] = [];
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.all.filter((w) => !w.destroyed);
  }
  readonly webContents = new WebContents();
  visible = false;
  focused = false;
  minimized = false;
  maximized = false;
  destroyed = false;
  url: string | null = null;
  bounds: Bounds;
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    record('BrowserWindow.new', options);
    BrowserWindow.all.push(this);
    this.bounds = {
      x: Number(options.x ?? 0),
      y: Number(options.y ?? 0),
      width: Number(options.width ?? 800),
      height: Number(options.height ?? 600),
    };
  }
  loadURL(url: string): Promise<void> {
    this.url = url;
    this.webContents.load(url);
    this.emit('ready-to-show');
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
    this.minimized = false;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  minimize(): void {
    this.minimized = true;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds(): Bounds {
    return { ...this.bounds };
  }
  getBounds(): Bounds {
    return { ...this.bounds };
  }
  /** What the user's click on the close button does: 'close' (cancellable), then 'closed'. */
  close(): boolean {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return false;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
    if (BrowserWindow.getAllWindows().length === 0) app.emit('window-all-closed');
    return true;
  }
}

type Handler = (event: unknown, input: unknown) => unknown;
class StandinIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke from `frame` does: the handler sees the event Electron builds. */
  async invoke(channel: string, input: unknown, frame: WebFrameMain | null): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({ senderFrame: frame }, input);
  }
}
export const ipcMain = new StandinIpcMain();

export interface MenuItemOptions {
  id?: string;
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  role?: string;
  accelerator?: string;
  submenu?: MenuItemOptions[];
  click?: () => void;
}
export class Menu {
  static applicationMenu: Menu | null = null;
  readonly items: MenuItemOptions[];
  constructor(items: MenuItemOptions[]) {
    this.items = items;
  }
  static buildFromTemplate(template: MenuItemOptions[]): Menu {
    return new Menu(template);
  }
  static setApplicationMenu(menu: Menu | null): void {
    record('Menu.setApplicationMenu', menu);
    Menu.applicationMenu = menu;
  }
  /** Finds an item by id anywhere in the menu (submenus included). */
  find(id: string, items: MenuItemOptions[] = this.items): MenuItemOptions | null {
    for (const item of items) {
      if (item.id === id) return item;
      const inner = item.submenu ? this.find(id, item.submenu) : null;
      if (inner) return inner;
    }
    return null;
  }
}

export class NativeImage {
  representations: unknown[] = [];
  template = false;
  readonly dataUrl: string;
  constructor(dataUrl: string) {
    this.dataUrl = dataUrl;
  }
  addRepresentation(options: unknown): void {
    this.representations.push(options);
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
}
export const nativeImage = {
  createFromDataURL: (url: string) => new NativeImage(url),
};

export class Tray extends EventEmitter {
  static all: Tray[] = [];
  tooltip = '';
  menu: Menu | null = null;
  destroyed = false;
  readonly image: NativeImage;
  constructor(image: NativeImage) {
    super();
    this.image = image;
    record('Tray.new', image);
    Tray.all.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: Menu): void {
    this.menu = menu;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export class Notification extends EventEmitter {
  static all: Notification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return Notification.supported;
  }
  shown = false;
  readonly options: { title: string; body: string; silent?: boolean };
  constructor(options: { title: string; body: string; silent?: boolean }) {
    super();
    this.options = options;
    Notification.all.push(this);
  }
  show(): void {
    record('Notification.show', this.options);
    this.shown = true;
  }
}

/** Reversible stand-in "encryption", so tests can see what was encrypted and by what. */
export const safeStorage = {
  available: true,
  /** What Linux reports; 'basic_text' is Electron's fixed-key fallback (no real keychain). */
  backend: 'gnome_libsecret',
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  getSelectedStorageBackend(): string {
    return this.backend;
  },
  encryptString(plain: string): Buffer {
    record('safeStorage.encryptString');
    return Buffer.from(`standin:${Buffer.from(plain).toString('hex')}`);
  },
  decryptString(data: Buffer): string {
    const text = data.toString();
    if (!text.startsWith('standin:')) throw new Error('stand-in: not encrypted by safeStorage');
    return Buffer.from(text.slice('standin:'.length), 'hex').toString();
  },
};

export const powerSaveBlocker = {
  held: new Map<number, string>(),
  nextId: 1,
  start(type: string): number {
    const id = this.nextId++;
    this.held.set(id, type);
    record('powerSaveBlocker.start', type, id);
    return id;
  },
  stop(id: number): void {
    record('powerSaveBlocker.stop', id);
    this.held.delete(id);
  },
  isStarted(id: number): boolean {
    return this.held.has(id);
  },
};

export const powerMonitor = new EventEmitter();

let readyFlag = false;
app.once('ready', () => (readyFlag = true));

export const protocol = {
  privileged: [] as unknown[],
  handlers: new Map<string, (request: Request) => Promise<Response>>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    record('protocol.registerSchemesAsPrivileged', schemes, { ready: readyFlag });
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response>): void {
    this.handlers.set(scheme, handler);
  },
};

/** Electron's net.fetch reads file:// URLs; Node's fetch does not, so the stand-in does. */
export const net = {
  async fetch(url: string): Promise<Response> {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    try {
      return new Response(await readFile(fileURLToPath(url)), { status: 200 });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  },
};

type PermissionRequest = (
  wc: unknown,
  permission: string,
  callback: (granted: boolean) => void,
) => void;
export const session = {
  defaultSession: {
    permissionRequestHandler: null as PermissionRequest | null,
    permissionCheckHandler: null as ((...args: unknown[]) => boolean) | null,
    setPermissionRequestHandler(handler: PermissionRequest): void {
      this.permissionRequestHandler = handler;
    },
    setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void {
      this.permissionCheckHandler = handler;
    },
  },
};

export const shell = {
  async openExternal(url: string): Promise<void> {
    record('shell.openExternal', url);
  },
  async openPath(path: string): Promise<string> {
    record('shell.openPath', path);
    return '';
  },
};

export const screen = {
  getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
};

export const dialog = {
  showErrorBox(title: string, content: string): void {
    record('dialog.showErrorBox', title, content);
  },
  async showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    record('dialog.showOpenDialog', ...args);
    return { canceled: true, filePaths: [] };
  },
};

const electron = {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  net,
  Notification,
  powerMonitor,
  powerSaveBlocker,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
};
export default electron;
