/**
 * Window size and position to restore, checked against the displays there are now: a window
 * saved on a monitor that is gone (or half off-screen) comes back centred on one that exists.
 * Pure, so it is tested without Electron; main/electron/window-state.ts applies it.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SavedWindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface WindowBoundsDefaults {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Parses whatever was saved; anything unusable is null (use the defaults). */
export function parseSavedWindowState(value: unknown): SavedWindowState | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (!finite(v.width) || !finite(v.height)) return null;
  const out: SavedWindowState = {
    width: Math.round(v.width),
    height: Math.round(v.height),
    maximized: v.maximized === true,
  };
  if (finite(v.x) && finite(v.y)) {
    out.x = Math.round(v.x);
    out.y = Math.round(v.y);
  }
  return out;
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The bounds to open the window with. The size is clamped between the minimum and the largest
 * work area; the position is kept only if the window's title bar (its top 40 px, at least 100 px
 * of it) is on a display, so the user can always grab it.
 */
export function restoreWindowState(
  saved: unknown,
  workAreas: readonly Rect[],
  defaults: WindowBoundsDefaults,
): SavedWindowState {
  const state = parseSavedWindowState(saved);
  const maxW = Math.max(defaults.minWidth, ...workAreas.map((a) => a.width));
  const maxH = Math.max(defaults.minHeight, ...workAreas.map((a) => a.height));
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  if (!state) {
    return {
      width: clamp(defaults.width, defaults.minWidth, maxW),
      height: clamp(defaults.height, defaults.minHeight, maxH),
      maximized: false,
    };
  }
  const out: SavedWindowState = {
    width: clamp(state.width, defaults.minWidth, maxW),
    height: clamp(state.height, defaults.minHeight, maxH),
    maximized: state.maximized,
  };
  if (state.x !== undefined && state.y !== undefined) {
    const titleBar: Rect = { x: state.x, y: state.y, width: out.width, height: 40 };
    const visible = workAreas.some(
      (a) => overlap(titleBar, a) >= Math.min(100, out.width) * 40 * 0.5,
    );
    if (visible) {
      out.x = state.x;
      out.y = state.y;
    }
  }
  return out;
}
