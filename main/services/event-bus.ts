import type { EventName, EventPayload } from '../../contract/index.ts';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

/**
 * Main-process fan-out of contract events. Shells subscribe once and forward to their renderer
 * transport (IPC or WebSocket); services emit. A listener that throws never stops the others.
 */
export class EventBus {
  private listeners = new Map<EventName, Set<Listener<EventName>>>();
  private anyListeners = new Set<(name: EventName, payload: unknown) => void>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const l of this.listeners.get(name) ?? []) {
      try {
        (l as Listener<E>)(payload);
      } catch (error) {
        console.error(`Event listener for ${name} failed:`, error);
      }
    }
    for (const l of this.anyListeners) {
      try {
        l(name, payload);
      } catch (error) {
        console.error(`Event forwarder for ${name} failed:`, error);
      }
    }
  }

  on<E extends EventName>(name: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  onAny(listener: (name: EventName, payload: unknown) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }
}
