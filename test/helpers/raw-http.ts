/**
 * Raw HTTP over node:net, for requests no HTTP client would send (malformed targets, broken
 * percent-encoding, odd methods, bare upgrades). Every wait has a timeout.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  /** The status code of the first response line, or null when the server closed without one. */
  status: number | null;
  text: string;
}

export function rawRequest(
  port: number,
  bytes: string | Buffer,
  options: { host?: string; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolveAnswer) => {
    const socket = connect({ host: options.host ?? '127.0.0.1', port });
    let text = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolveAnswer({ status: m?.[1] ? Number(m[1]) : null, text });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5_000);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      // One response is enough: the status line and the end of the headers.
      if (/^HTTP\/1\.[01] \d{3}[^]*\r\n\r\n/.test(text) && !text.startsWith('HTTP/1.1 101')) {
        setTimeout(finish, 20);
      }
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

/** A GET (or any method) with the given target and headers, Host set to the server's own. */
export function rawGet(
  port: number,
  target: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<RawAnswer> {
  const all = { host: `127.0.0.1:${port}`, connection: 'close', ...headers };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}`);
  return rawRequest(port, `${method} ${target} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
}

/** The headers of a WebSocket upgrade request. */
export const upgradeHeaders = (): Record<string, string> => ({
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
});
