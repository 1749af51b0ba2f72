import { events, type EventName, type EventPayload } from '../../contract/index.ts';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

/**
 * Main-process fan-out of contract events. Shells subscribe once and forward to their renderer
 * transport (IPC or WebSocket); services emit. A listener that throws never stops the others.
 */
export class EventBus {
  /**
   * With `verify`, every payload is checked against its contract schema before it goes out and a
   * violation throws at the emitter (the test suites turn this on, so a service that drifts from
   * the contract fails loudly instead of confusing the renderer).
   */
  private readonly verify: boolean;

  constructor(verify = false) {
    this.verify = verify;
  }

  private listeners = new Map<EventName, Set<Listener<EventName>>>();
  private anyListeners = new Set<(name: EventName, payload: unknown) => void>();

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    if (this.verify) {
      const checked = events[name].safeParse(payload);
      if (!checked.success) {
        throw new Error(`The ${name} event breaks the contract: ${checked.error.message}`);
      }
    }
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
