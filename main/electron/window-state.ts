/**
 * Restores the main window's size, position and maximised state, validated against the
 * displays present now (main/electron/window-bounds.ts), and saves them as they change.
 */
import { type BrowserWindow, screen } from 'electron';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type SavedWindowState,
  type WindowBoundsDefaults,
  restoreWindowState,
} from './window-bounds.ts';

export const windowDefaults: WindowBoundsDefaults = {
  width: 1280,
  height: 820,
  minWidth: 860,
  minHeight: 520,
};

const fileOf = (dataDir: string) => join(dataDir, 'window-state.json');

/**
 * The bounds to create the BrowserWindow with:
 *   const state = loadWindowState(dataDir);
 *   new BrowserWindow({ ...state.bounds, minWidth: 860, minHeight: 520, … });
 *   if (state.maximized) win.maximize();
 *   trackWindowState(win, dataDir);
 */
export function loadWindowState(
  dataDir: string,
  defaults = windowDefaults,
): {
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
} {
  let saved: unknown;
  try {
    saved = JSON.parse(readFileSync(fileOf(dataDir), 'utf8'));
  } catch {
    saved = null;
  }
  const areas = screen.getAllDisplays().map((d) => d.workArea);
  const s = restoreWindowState(saved, areas, defaults);
  const bounds: { x?: number; y?: number; width: number; height: number } = {
    width: s.width,
    height: s.height,
  };
  if (s.x !== undefined && s.y !== undefined) {
    bounds.x = s.x;
    bounds.y = s.y;
  }
  return { bounds, maximized: s.maximized };
}

/** Saves the window's normal bounds and maximised state (debounced, and on close). */
export function trackWindowState(win: BrowserWindow, dataDir: string): void {
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    timer = null;
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    const state: SavedWindowState = {
      x: b.x,
      y: b.y,
      width: b.width,
      height: b.height,
      maximized: win.isMaximized(),
    };
    try {
      const file = fileOf(dataDir);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(state));
      renameSync(`${file}.tmp`, file);
    } catch {
      // Not worth bothering the user: the window opens at the default size next time.
    }
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  for (const e of ['resize', 'move', 'maximize', 'unmaximize'] as const)
    win.on(e as 'resize', later);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}
