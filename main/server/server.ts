/**
 * The browser shell: the same renderer and the same API as the Electron window, served over
 * HTTP + WebSocket. Loopback by default; every request and socket needs the access token
 * (query `?token=`, the `nightshift_token` cookie set on the first authorised page load, or an
 * `Authorization: Bearer` header); WebSocket Origins and Host headers are checked.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { eventNames, messageOf } from '../../contract/index.ts';
import type { NightshiftApp } from '../app.ts';

export interface ServeOptions {
  host: string;
  port: number;
  staticDir: string;
  token?: string;
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

const ClientMessage = z.object({
  id: z.number().int(),
  command: z.string().max(100),
  input: z.unknown().optional(),
});

export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);

export async function serve(app: NightshiftApp, options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const tokenBuffer = Buffer.from(token);
  const staticRoot = resolve(options.staticDir);
  if (!existsSync(join(staticRoot, 'index.html'))) {
    throw new Error(
      `The renderer is not built (${join(staticRoot, 'index.html')} is missing). Run npm run build first.`,
    );
  }

  const tokenOk = (candidate: string | null | undefined): boolean => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBuffer.length && timingSafeEqual(b, tokenBuffer);
  };
  const presentedToken = (req: IncomingMessage, url: URL): string | null => {
    const q = url.searchParams.get('token');
    if (q) return q;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return auth.slice(7);
    const cookie = req.headers.cookie
      ?.split(';')
      .map((c) => c.trim())
      .find((c) => c.startsWith('nightshift_token='));
    return cookie ? decodeURIComponent(cookie.slice('nightshift_token='.length)) : null;
  };

  let port = options.port;
  const allowedHosts = (): Set<string> =>
    new Set([`${options.host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  const hostOk = (req: IncomingMessage): boolean => {
    // Guards against DNS rebinding: a page on another name must not reach us.
    if (!isLoopback(options.host)) return true;
    return allowedHosts().has(req.headers.host ?? '');
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostOk(req)) return deny(res, 403, 'Unexpected Host header.');
    const presented = presentedToken(req, url);
    if (!tokenOk(presented))
      return deny(
        res,
        401,
        'Nightshift needs its access token: open the URL printed by `nightshift serve`.',
      );
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return deny(res, 405, 'Only GET is served here; the API is on the WebSocket.');
    if (url.pathname === '/api/health') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ok: true }));
      return;
    }
    serveStatic(res, url.pathname, url.searchParams.has('token'));
  });

  function serveStatic(res: ServerResponse, pathname: string, setCookie: boolean): void {
    let relative = decodeURIComponent(pathname);
    if (relative === '/' || relative === '') relative = '/index.html';
    const file = normalize(join(staticRoot, relative));
    if (!file.startsWith(staticRoot + sep)) return deny(res, 404, 'Not found.');
    let target = file;
    if (!existsSync(target) || !statSync(target).isFile()) {
      // Unknown paths without an extension are client routes: serve the app.
      if (extname(relative)) return deny(res, 404, 'Not found.');
      target = join(staticRoot, 'index.html');
    }
    const headers: Record<string, string> = {
      'content-type': mime[extname(target)] ?? 'application/octet-stream',
      'content-security-policy': CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': target.endsWith('index.html') ? 'no-store' : 'private, max-age=3600',
    };
    if (setCookie)
      headers['set-cookie'] =
        `nightshift_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    createReadStream(target).pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (code: number, text: string) => {
      socket.write(`HTTP/1.1 ${code} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/api/ws') return reject(404, 'Not Found');
    if (!hostOk(req)) return reject(403, 'Forbidden');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        return reject(403, 'Forbidden');
      }
      if (!allowedHosts().has(originHost) && originHost !== req.headers.host)
        return reject(403, 'Forbidden');
    }
    if (!tokenOk(presentedToken(req, url))) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
    ws.on('message', (data) => {
      let parsed: z.infer<typeof ClientMessage>;
      try {
        const candidate = ClientMessage.safeParse(JSON.parse(data.toString()));
        if (!candidate.success) return;
        parsed = candidate.data;
      } catch {
        return;
      }
      void app.dispatch(parsed.command, parsed.input).then(
        (result) => send(ws, { id: parsed.id, result }),
        (error: unknown) =>
          send(ws, {
            id: parsed.id,
            result: { ok: false, error: { code: 'internal', message: messageOf(error) } },
          }),
      );
    });
  });

  const send = (ws: WebSocket, message: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
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

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`${message}\n`);
}
