/**
 * The in-page notifications of the browser shell (which has no desktop notifications), as data:
 * a queue with a cap on what is visible, and the auto-dismiss policy. Free of React, the DOM and
 * timers so it can be unit tested from Node with made-up times. A queue is immutable: every
 * operation returns a new one (or the same one when nothing changed).
 */
import type { EventPayload, NotificationKind } from '../../../contract/index.ts';

export type NotificationInput = EventPayload<'app.notification'>;

/** At most this many toasts are visible; later ones wait their turn. */
export const TOAST_CAP = 5;
/** A toast that may go by itself goes after this long on screen. */
export const TOAST_AUTO_DISMISS_MS = 10_000;
/** At most this many wait; past that the oldest waiting one is dropped. */
export const TOAST_WAITING_CAP = 50;

export type ToastTone = 'alert' | 'status';

export interface Toast extends NotificationInput {
  readonly id: number;
  /** Announced assertively (role="alert"): something failed. */
  readonly tone: ToastTone;
  /** Stays until dismissed. */
  readonly sticky: boolean;
  /** When it arrived (ms). */
  readonly at: number;
  /** When it goes by itself (ms); null while waiting, and always for sticky toasts. */
  readonly expiresAt: number | null;
}

export interface ToastQueue {
  /** On screen, oldest first. */
  readonly visible: readonly Toast[];
  /** Not yet on screen because of the cap, oldest first. */
  readonly waiting: readonly Toast[];
  readonly nextId: number;
  /** Set while the pointer or focus is on the toasts: their clocks stand still. */
  readonly heldSince: number | null;
}

export const emptyToastQueue: ToastQueue = Object.freeze({
  visible: Object.freeze([]) as readonly Toast[],
  waiting: Object.freeze([]) as readonly Toast[],
  nextId: 1,
  heldSince: null,
});

/** Kinds that need the user: they stay until dismissed. */
export function isSticky(kind: NotificationKind): boolean {
  return (
    kind === 'agent-crashed' ||
    kind === 'retries-exhausted' ||
    kind === 'needs-human-input' ||
    kind === 'work-left' ||
    kind === 'budget-stopped'
  );
}

/** Failures are alerts; everything else is a polite status. */
export function toneOf(kind: NotificationKind): ToastTone {
  return kind === 'agent-crashed' || kind === 'retries-exhausted' ? 'alert' : 'status';
}

/** Whether this shell shows notifications in the page (Electron shows desktop ones instead). */
export function showsToasts(info: { shell: 'electron' | 'browser' } | null): boolean {
  return info?.shell === 'browser';
}

const sameMessage = (a: NotificationInput, b: NotificationInput): boolean =>
  a.kind === b.kind && a.projectId === b.projectId && a.title === b.title && a.body === b.body;

function shown(toast: Toast, now: number): Toast {
  return { ...toast, expiresAt: toast.sticky ? null : now + TOAST_AUTO_DISMISS_MS };
}

/** Moves waiting toasts on screen while there is room. */
function promote(queue: ToastQueue, now: number, cap: number): ToastQueue {
  if (queue.waiting.length === 0 || queue.visible.length >= cap) return queue;
  const room = cap - queue.visible.length;
  const moving = queue.waiting.slice(0, room).map((t) => shown(t, now));
  return {
    ...queue,
    visible: queue.visible.concat(moving),
    waiting: queue.waiting.slice(moving.length),
  };
}

/**
 * Adds a notification. The same message already on screen is not repeated (its time restarts);
 * the same message already waiting is not queued twice. When the screen is full, a toast that
 * must stay takes the place of the oldest one that would go by itself anyway; otherwise it waits.
 */
export function pushToast(
  queue: ToastQueue,
  input: NotificationInput,
  now: number,
  cap: number = TOAST_CAP,
): ToastQueue {
  const twin = queue.visible.find((t) => sameMessage(t, input));
  if (twin) {
    if (twin.sticky) return queue;
    return { ...queue, visible: queue.visible.map((t) => (t === twin ? shown(t, now) : t)) };
  }
  if (queue.waiting.some((t) => sameMessage(t, input))) return queue;
  const toast: Toast = {
    kind: input.kind,
    title: input.title,
    body: input.body,
    projectId: input.projectId,
    id: queue.nextId,
    tone: toneOf(input.kind),
    sticky: isSticky(input.kind),
    at: now,
    expiresAt: null,
  };
  const base = { ...queue, nextId: queue.nextId + 1 };
  if (queue.visible.length < cap && queue.waiting.length === 0) {
    return { ...base, visible: queue.visible.concat(shown(toast, now)) };
  }
  if (toast.sticky && queue.visible.length >= cap) {
    const passing = queue.visible.find((t) => !t.sticky);
    if (passing) {
      return {
        ...base,
        visible: queue.visible.filter((t) => t !== passing).concat(shown(toast, now)),
      };
    }
  }
  let waiting = queue.waiting.concat(toast);
  if (waiting.length > TOAST_WAITING_CAP)
    waiting = waiting.slice(waiting.length - TOAST_WAITING_CAP);
  return promote({ ...base, waiting }, now, cap);
}

/** Removes a toast (visible or waiting) and lets the next waiting one in. */
export function dismissToast(
  queue: ToastQueue,
  id: number,
  now: number,
  cap: number = TOAST_CAP,
): ToastQueue {
  const visible = queue.visible.filter((t) => t.id !== id);
  const waiting = queue.waiting.filter((t) => t.id !== id);
  if (visible.length === queue.visible.length && waiting.length === queue.waiting.length)
    return queue;
  return promote({ ...queue, visible, waiting }, now, cap);
}

/** Removes every toast whose time is up (none while held), letting waiting ones in. */
export function expireToasts(queue: ToastQueue, now: number, cap: number = TOAST_CAP): ToastQueue {
  if (queue.heldSince !== null) return queue;
  const visible = queue.visible.filter((t) => t.expiresAt === null || t.expiresAt > now);
  if (visible.length === queue.visible.length) return queue;
  return promote({ ...queue, visible }, now, cap);
}

/** When the next toast goes by itself (ms), or null: none will, or the toasts are held. */
export function nextExpiry(queue: ToastQueue): number | null {
  if (queue.heldSince !== null) return null;
  let next: number | null = null;
  for (const t of queue.visible) {
    if (t.expiresAt !== null && (next === null || t.expiresAt < next)) next = t.expiresAt;
  }
  return next;
}

/** Stops the clocks (the pointer or focus is on a toast: never pull it away from the user). */
export function holdToasts(queue: ToastQueue, now: number): ToastQueue {
  if (queue.heldSince !== null) return queue;
  return { ...queue, heldSince: now };
}

/** Restarts the clocks: each toast keeps the time it had left when they stopped. */
export function releaseToasts(queue: ToastQueue, now: number): ToastQueue {
  if (queue.heldSince === null) return queue;
  const paused = Math.max(0, now - queue.heldSince);
  return {
    ...queue,
    heldSince: null,
    visible: queue.visible.map((t) =>
      t.expiresAt === null ? t : { ...t, expiresAt: t.expiresAt + paused },
    ),
  };
}
