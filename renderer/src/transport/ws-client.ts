/**
 * `NightshiftApi` over a WebSocket, for the browser shell (`nightshift serve`). Electron's preload
 * provides the same type over IPC; the renderer cannot tell them apart.
 *
 * Protocol: the client sends `{id, command, input}`; the server answers `{id, result}` and pushes
 * `{event, payload}` to every socket. One socket at a time: on a drop, calls in flight resolve to
 * an `io` error and the client reconnects with backoff. Event handlers stay registered across
 * reconnects because the server pushes events to every socket.
 */
import {
  commandNames,
  type CommandFns,
  type CommandName,
  type EventName,
  type EventPayload,
  type NightshiftApi,
  type Result,
} from '../../../contract/index.ts';

export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open' }
  | { kind: 'retrying'; attempt: number; retryAt: number; connectedBefore: boolean }
  | { kind: 'refused'; message: string };

export interface WsClient extends NightshiftApi {
  /** Connection changes; the handler is called at once with the current state. */
  onConnection(handler: (state: ConnectionState) => void): () => void;
  readonly connection: ConnectionState;
  /** Closes the socket for good (tests; page unload). */
  close(): void;
}

export interface WsClientOptions {
  /** Full ws:// or wss:// URL including the token. Defaults to the page's own origin. */
  url?: string;
  /** Delays between reconnect attempts, in ms; the last one repeats. */
  backoffMs?: readonly number[];
  /** The WebSocket constructor (tests). */
  WebSocketImpl?: typeof WebSocket;
}

export const lostMessage = 'The connection to Nightshift was lost. Retrying…';
const notConnectedMessage = 'Nightshift is not connected right now. Retrying…';
const TOKEN_KEY = 'nightshift.token';

/** Reads the token from `?token=` (then hides it) or from sessionStorage. */
export function takePageToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token still works for this page load.
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function defaultUrl(): string {
  const token = takePageToken() ?? '';
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/api/ws?token=${encodeURIComponent(token)}`;
}

type AnyHandler = (payload: unknown) => void;
interface Pending {
  resolve: (result: Result<unknown>) => void;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isResult(v: unknown): v is Result<unknown> {
  if (!isRecord(v)) return false;
  if (v.ok === true) return 'value' in v;
  return v.ok === false && isRecord(v.error) && typeof v.error.message === 'string';
}

export function createWsClient(options: WsClientOptions = {}): WsClient {
  const url = options.url ?? defaultUrl();
  const backoff = options.backoffMs ?? [250, 500, 1000, 2000, 4000, 8000];
  const Impl = options.WebSocketImpl ?? WebSocket;

  const handlers = new Map<string, Set<AnyHandler>>();
  const connectionHandlers = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  /** Messages waiting for the socket to open. */
  const outbox: { id: number; text: string }[] = [];
  let nextId = 1;
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  let closed = false;
  let connectedBefore = false;
  let connection: ConnectionState = { kind: 'connecting', attempt: 0 };

  function setConnection(next: ConnectionState): void {
    connection = next;
    for (const h of connectionHandlers) {
      try {
        h(next);
      } catch (error) {
        console.error('A connection handler failed:', error);
      }
    }
  }

  function failAll(message: string): void {
    const waiting = [...pending.values()];
    pending.clear();
    outbox.length = 0;
    for (const p of waiting) p.resolve({ ok: false, error: { code: 'io', message } });
  }

  function dispatch(event: string, payload: unknown): void {
    const set = handlers.get(event);
    if (!set) return;
    for (const h of [...set]) {
      try {
        h(payload);
      } catch (error) {
        console.error(`A handler for ${event} failed:`, error);
      }
    }
  }

  function onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('Nightshift sent a message that is not JSON; ignored.');
      return;
    }
    if (!isRecord(msg)) return;
    if (typeof msg.id === 'number') {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      p.resolve(
        isResult(msg.result)
          ? msg.result
          : {
              ok: false,
              error: {
                code: 'internal',
                message: 'Nightshift sent an answer this window cannot read.',
              },
            },
      );
    } else if (typeof msg.event === 'string') {
      dispatch(msg.event, msg.payload);
    }
  }

  function scheduleRetry(): void {
    if (closed || retryTimer !== null) return;
    const delay = backoff[Math.min(attempt, backoff.length - 1)] ?? 1000;
    attempt += 1;
    setConnection({ kind: 'retrying', attempt, retryAt: Date.now() + delay, connectedBefore });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  }

  function connect(): void {
    if (closed || socket !== null) return;
    setConnection({ kind: 'connecting', attempt });
    let ws: WebSocket;
    try {
      ws = new Impl(url);
    } catch (error) {
      console.error('Could not open the connection to Nightshift:', error);
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (socket !== ws) return;
      attempt = 0;
      connectedBefore = true;
      setConnection({ kind: 'open' });
      for (const { text } of outbox.splice(0)) ws.send(text);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (socket === ws) onMessage(ev.data);
    };
    ws.onerror = () => {
      // A close event always follows; it does the work.
    };
    ws.onclose = (ev: CloseEvent) => {
      if (socket !== ws) return;
      socket = null;
      failAll(lostMessage);
      if (closed) return;
      // 4401/1008: the server refused the token. Retrying cannot help.
      if (ev.code === 4401 || ev.code === 1008) {
        setConnection({
          kind: 'refused',
          message:
            'Nightshift refused this window’s access token. Open the link printed by `nightshift serve` again.',
        });
        return;
      }
      scheduleRetry();
    };
  }

  function send(command: CommandName, input: unknown): Promise<Result<unknown>> {
    if (closed || connection.kind === 'refused') {
      return Promise.resolve({
        ok: false,
        error: {
          code: 'io',
          message: connection.kind === 'refused' ? connection.message : notConnectedMessage,
        },
      });
    }
    const id = nextId++;
    const text = JSON.stringify(input === undefined ? { id, command } : { id, command, input });
    return new Promise((resolve) => {
      pending.set(id, { resolve });
      if (socket !== null && socket.readyState === Impl.OPEN) socket.send(text);
      // Otherwise it is sent as soon as a socket opens, and fails with the others if that
      // attempt fails.
      else outbox.push({ id, text });
    });
  }

  const call = {} as Record<CommandName, (input?: unknown) => Promise<Result<unknown>>>;
  for (const name of commandNames) call[name] = (input?: unknown) => send(name, input);

  const client: WsClient = {
    call: call as unknown as CommandFns,
    on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      const h = handler as AnyHandler;
      set.add(h);
      return () => {
        set.delete(h);
      };
    },
    onConnection(handler) {
      connectionHandlers.add(handler);
      handler(connection);
      return () => {
        connectionHandlers.delete(handler);
      };
    },
    get connection() {
      return connection;
    },
    close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      failAll('This window closed its connection to Nightshift.');
      ws?.close();
    },
  };
  connect();
  return client;
}
