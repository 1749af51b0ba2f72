/**
 * The browser shell: the same renderer and the same API as the Electron window, served over
 * HTTP + WebSocket.
 *
 * Invariants:
 * - Total: every request, upgrade and WebSocket message gets an answer (a 4xx, a close, or a
 *   `Result` error) and never throws out of its handler. A last-resort guard per request and per
 *   socket logs anything unexpected and answers 400 / closes; input never ends the process.
 * - The API (`/api/*` and the WebSocket) needs the access token, presented as `?token=` or an
 *   `Authorization: Bearer` header. No cookie carries it: cookies ignore ports, so a cookie would
 *   reach every other local server (including the dev servers agents start). The renderer's
 *   static files hold no secret and are served without it, so a reload works from the token the
 *   page keeps in sessionStorage.
 * - Host headers are checked on every request (DNS rebinding); WebSocket Origins too. Loopback
 *   unless the caller passed `allowRemote` with the host names it may be reached by.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { err, eventNames, messageOf, type Result } from '../../contract/index.ts';
import type { NightshiftApp } from '../app.ts';

export interface ServeOptions {
  host: string;
  port: number;
  staticDir: string;
  token?: string;
  /** Host names a browser may reach a non-loopback bind by; required to bind off loopback. */
  allowRemote?: readonly string[];
}

export interface RunningServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const mime: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Limits per WebSocket: a frame, commands waiting for an answer, commands per second. */
export const wsLimits = { maxPayload: 1024 * 1024, inFlight: 64, perSecond: 1000 } as const;

const ClientMessage = z.object({
  id: z.number().int().safe(),
  command: z.string().max(100),
  input: z.unknown().optional(),
});

export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

export const remoteRefusal = (host: string): string =>
  `Nightshift will not bind to ${host} without --allow-remote NAME[,NAME…] (the host names browsers use to reach it): anyone who can reach it with the token can run commands on this machine. Prefer an SSH tunnel: ssh -L 7878:127.0.0.1:7878 this-machine, then open the printed URL on your side.`;

/** The request target split into a decoded path and its query, or null when it is malformed. */
export function parseTarget(
  raw: string | undefined,
): { path: string; query: URLSearchParams } | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return null;
  const q = raw.indexOf('?');
  const encodedPath = q === -1 ? raw : raw.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(encodedPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  return { path, query: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)) };
}

export async function serve(app: NightshiftApp, options: ServeOptions): Promise<RunningServer> {
  if (!isLoopback(options.host) && !options.allowRemote?.length)
    throw new Error(remoteRefusal(options.host));
  const token = options.token ?? randomBytes(24).toString('hex');
  const tokenBuffer = Buffer.from(token);
  const staticRoot = resolve(options.staticDir);
  if (!isFile(join(staticRoot, 'index.html'))) {
    throw new Error(
      `The renderer is not built (${join(staticRoot, 'index.html')} is missing). Run npm run build first.`,
    );
  }
  const log = (message: string, error?: unknown) => app.diagnostics.log('warn', message, error);

  const tokenOk = (candidate: string | null | undefined): boolean => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBuffer.length && timingSafeEqual(b, tokenBuffer);
  };
  const presentedToken = (req: IncomingMessage, query: URLSearchParams): string | null => {
    const q = query.get('token');
    if (q) return q;
    const auth = req.headers.authorization;
    return typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : null;
  };

  let port = options.port;
  const allowedHosts = (): Set<string> => {
    const names = [options.host, '127.0.0.1', 'localhost', '[::1]', ...(options.allowRemote ?? [])];
    const hosts = new Set<string>();
    for (const name of names) {
      const n = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
      hosts.add(`${n.toLowerCase()}:${port}`);
      if (port === 80) hosts.add(n.toLowerCase());
    }
    return hosts;
  };
  // Guards against DNS rebinding: a page on another name must not reach us.
  const hostOk = (req: IncomingMessage): boolean =>
    allowedHosts().has((req.headers.host ?? '').toLowerCase());

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const target = parseTarget(req.url);
    if (!target) return deny(res, 400, 'That request path is not valid.');
    if (!hostOk(req)) return deny(res, 403, 'Unexpected Host header.');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return deny(res, 405, 'Only GET is served here; the API is on the WebSocket.');
    if (target.path === '/api' || target.path.startsWith('/api/')) {
      if (!tokenOk(presentedToken(req, target.query)))
        return deny(
          res,
          401,
          'Nightshift needs its access token: open the URL printed by `nightshift serve`.',
        );
      if (target.path === '/api/health') {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      return deny(res, 404, 'Not found.');
    }
    serveStatic(res, target.path);
  }

  const server = createServer((req, res) => {
    try {
      handleRequest(req, res);
    } catch (error) {
      log(`A request for ${JSON.stringify(req.url)} failed unexpectedly`, error);
      if (!res.headersSent) deny(res, 400, 'Nightshift could not read that request.');
      else res.destroy();
    }
  });
  // Malformed HTTP (bad request line, header overflow, …): answer 4xx and close, never throw.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? '431 Request Header Fields Too Large'
        : '400 Bad Request';
    if (socket.writable && !(socket as Socket).destroyed) {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else socket.destroy();
  });
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy());
  });

  function serveStatic(res: ServerResponse, pathname: string): void {
    const relative = pathname === '/' ? '/index.html' : pathname;
    const file = normalize(join(staticRoot, relative));
    if (!file.startsWith(staticRoot + sep)) return deny(res, 404, 'Not found.');
    let target = file;
    if (!isFile(target)) {
      // Unknown paths without an extension are client routes: serve the app.
      if (extname(relative)) return deny(res, 404, 'Not found.');
      target = join(staticRoot, 'index.html');
    }
    const stream = createReadStream(target);
    stream.once('error', (error) => {
      log(`Could not read ${target}`, error);
      if (!res.headersSent) deny(res, 404, 'Not found.');
      else res.destroy();
    });
    stream.once('open', () => {
      res.writeHead(200, {
        'content-type': mime[extname(target)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': target.endsWith('index.html') ? 'no-store' : 'private, max-age=3600',
      });
      stream.pipe(res);
    });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: wsLimits.maxPayload });
  const sockets = new Set<WebSocket>();

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (code: number, text: string) => {
      if (socket.writable)
        socket.end(`HTTP/1.1 ${code} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const target = parseTarget(req.url);
    if (!target) return reject(400, 'Bad Request');
    if (target.path !== '/api/ws') return reject(404, 'Not Found');
    if (!hostOk(req)) return reject(403, 'Forbidden');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string;
      try {
        originHost = new URL(origin).host.toLowerCase();
      } catch {
        return reject(403, 'Forbidden');
      }
      if (!allowedHosts().has(originHost)) return reject(403, 'Forbidden');
    }
    if (!tokenOk(presentedToken(req, target.query))) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    try {
      handleUpgrade(req, socket, head);
    } catch (error) {
      log(`An upgrade for ${JSON.stringify(req.url)} failed unexpectedly`, error);
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    }
  });

  const send = (ws: WebSocket, message: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    let inFlight = 0;
    let windowStart = Date.now();
    let inWindow = 0;
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => {
      sockets.delete(ws);
      ws.terminate();
    });
    ws.on('message', (data: RawData) => {
      try {
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          inWindow = 0;
        }
        inWindow += 1;
        const reply = handleMessage(data, inWindow, inFlight);
        if ('answer' in reply) return send(ws, reply.answer);
        inFlight += 1;
        void app
          .dispatch(reply.command, reply.input)
          .catch((error: unknown): Result<unknown> =>
            err('internal', `Nightshift could not do that: ${messageOf(error)}`),
          )
          .then((result) => {
            inFlight -= 1;
            send(ws, { id: reply.id, result });
          });
      } catch (error) {
        log('A WebSocket message failed unexpectedly', error);
        ws.close(1011, 'Nightshift could not read that message.');
      }
    });
  });

  const unsubscribe = app.bus.onAny((event, payload) => {
    if (!eventNames.includes(event)) return;
    const text = JSON.stringify({ event, payload });
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port, options.host, () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostForUrl}:${port}/?token=${token}`;

  return {
    url,
    token,
    port,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

type MessageReply =
  | { answer: { id: number | null; result: Result<never> } }
  | { id: number; command: string; input: unknown };

/** What to do with one WebSocket frame: answer it at once with an error, or dispatch it. */
export function handleMessage(data: RawData, inWindow: number, inFlight: number): MessageReply {
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.from(data as Buffer).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return {
      answer: { id: null, result: err('invalid-input', 'That message is not JSON.') },
    };
  }
  const rawId =
    typeof raw === 'object' && raw !== null && Object.hasOwn(raw, 'id')
      ? (raw as { id: unknown }).id
      : null;
  const id = typeof rawId === 'number' && Number.isSafeInteger(rawId) ? rawId : null;
  const parsed = ClientMessage.safeParse(raw);
  if (!parsed.success)
    return {
      answer: {
        id,
        result: err(
          'invalid-input',
          'A message is {"id": <integer>, "command": <name>, "input": <value>}.',
        ),
      },
    };
  if (inWindow > wsLimits.perSecond)
    return {
      answer: {
        id,
        result: err('busy', 'Too many commands on this connection; wait a moment and try again.'),
      },
    };
  if (inFlight >= wsLimits.inFlight)
    return {
      answer: {
        id,
        result: err('busy', 'Too many commands are waiting for an answer on this connection.'),
      },
    };
  return { id: parsed.data.id, command: parsed.data.command, input: parsed.data.input };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`${message}\n`);
}
