/**
 * The toasts of the browser shell: the pure queue (toast-queue.ts) plus the one timer that
 * removes the next toast whose time is up. UI state only; never persisted.
 */
import { create } from 'zustand';
import {
  dismissToast,
  emptyToastQueue,
  expireToasts,
  holdToasts,
  nextExpiry,
  pushToast,
  releaseToasts,
  type NotificationInput,
  type ToastQueue,
} from './toast-queue.ts';

interface ToastsState {
  queue: ToastQueue;
  push: (input: NotificationInput) => void;
  dismiss: (id: number) => void;
  hold: () => void;
  release: () => void;
  clear: () => void;
}

let timer: ReturnType<typeof setTimeout> | null = null;

/** Keeps exactly one timer, set for the next expiry of the current queue. */
function schedule(queue: ToastQueue): void {
  if (timer !== null) clearTimeout(timer);
  timer = null;
  const at = nextExpiry(queue);
  if (at === null) return;
  timer = setTimeout(
    () => {
      timer = null;
      const state = useToasts.getState();
      const next = expireToasts(state.queue, Date.now());
      // A timer that fired a hair early changes nothing: wait again for the same toast.
      if (next === state.queue) schedule(next);
      else state.apply(next);
    },
    Math.max(0, at - Date.now()),
  );
}

export const useToasts = create<ToastsState & { apply: (queue: ToastQueue) => void }>()((
  set,
  get,
) => {
  const update = (fn: (queue: ToastQueue, now: number) => ToastQueue) =>
    get().apply(fn(get().queue, Date.now()));
  return {
    queue: emptyToastQueue,
    apply: (queue) => {
      if (queue === get().queue) return;
      set({ queue });
      schedule(queue);
    },
    push: (input) => update((q, now) => pushToast(q, input, now)),
    dismiss: (id) => update((q, now) => dismissToast(q, id, now)),
    hold: () => update(holdToasts),
    release: () => update((q, now) => expireToasts(releaseToasts(q, now), now)),
    clear: () => get().apply(emptyToastQueue),
  };
});
