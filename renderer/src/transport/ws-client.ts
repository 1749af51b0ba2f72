/**
 * `NightshiftApi` over a WebSocket, for the browser shell (`nightshift serve`). Electron's preload
 * provides the same type over IPC; the renderer cannot tell them apart.
 *
 * Protocol: the client sends `{id, command, input}`; the server answers `{id, result}` and pushes
 * `{event, payload}` to every socket. One socket at a time: on a drop, calls in flight resolve to
 * an `io` error and the client reconnects with backoff. Event handlers stay registered across
 * reconnects because the server pushes events to every socket.
 *
 * Before every attempt the token is checked with a plain HTTP request (`GET /api/health` with a
 * Bearer header): a refused upgrade reaches a browser only as close code 1006, indistinguishable
 * from a server that is down, so without the probe a tab holding a stale token (the server
 * restarted with a new one) would retry forever. A 401/403 there ends the retries with a sentence.
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
  /** Checks the token over HTTP before each attempt (tests may replace it). */
  probe?: (wsUrl: string) => Promise<ProbeOutcome>;
}

export type ProbeOutcome = 'ok' | 'refused' | 'unreachable';

export const restartedMessage = 'This Nightshift was restarted: open the new URL it printed.';
export const noTokenMessage =
  'This window has no access token: open the URL printed by `nightshift serve` (it ends with ?token=…).';

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

/** The token-checked health URL next to a WebSocket URL, and the token itself. */
export function probeTarget(wsUrl: string): { url: string; token: string } | null {
  try {
    const u = new URL(wsUrl);
    const token = u.searchParams.get('token') ?? '';
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    u.pathname = '/api/health';
    u.search = '';
    return { url: u.toString(), token };
  } catch {
    return null;
  }
}

/** 401/403 mean the token is refused; any other answer lets the socket try; no answer waits. */
export async function fetchProbe(wsUrl: string): Promise<ProbeOutcome> {
  const target = probeTarget(wsUrl);
  if (!target || typeof fetch !== 'function') return 'ok';
  if (!target.token) return 'refused';
  try {
    const res = await fetch(target.url, {
      headers: { authorization: `Bearer ${target.token}` },
      cache: 'no-store',
    });
    return res.status === 401 || res.status === 403 ? 'refused' : 'ok';
  } catch {
    return 'unreachable';
  }
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
  const probe = options.probe ?? fetchProbe;

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

  function refuse(message: string): void {
    failAll(message);
    setConnection({ kind: 'refused', message });
  }

  let probing = false;
  function connect(): void {
    if (closed || socket !== null || probing) return;
    setConnection({ kind: 'connecting', attempt });
    probing = true;
    void probe(url).then(
      (outcome) => {
        probing = false;
        if (closed) return;
        if (outcome === 'refused')
          return refuse(probeTarget(url)?.token ? restartedMessage : noTokenMessage);
        if (outcome === 'unreachable') {
          failAll(lostMessage);
          return scheduleRetry();
        }
        open();
      },
      () => {
        probing = false;
        open();
      },
    );
  }

  function open(): void {
    if (closed || socket !== null) return;
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
      if (ev.code === 4401 || ev.code === 1008) return refuse(restartedMessage);
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
