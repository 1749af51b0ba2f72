/**
 * A seeded fuzz run against a running `nightshift serve`: malformed raw HTTP requests over
 * node:net and malformed WebSocket messages, with and without the token. Every case is
 * malformed by construction (each request carries at least one fault), so every answer must be
 * a 4xx or a `Result` error. Shared by test/faults/server-fuzz.test.ts and bench/soak/fuzz.ts.
 */
import WebSocket from 'ws';
import { rawRequest } from '../helpers/raw-http.ts';
import { commandNames } from '../../contract/index.ts';

/** mulberry32: a small deterministic PRNG, so a failing seed can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const randomText = (r: Rand, n: number, alphabet: string): string =>
  Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');

const pathChars = 'abc/%._-~:@!$&()*+,;=?#[]\\\'"<> \u00e9\u4e2d';

interface RequestParts {
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  raw?: Buffer;
}

/** Each fault alone makes the request one the server must refuse with a 4xx (or drop). */
const faults: ((r: Rand, p: RequestParts, port: number) => void)[] = [
  (r, p) =>
    // Broken percent-encoding: a lone %, bad hex, a truncated or overlong UTF-8 sequence.
    (p.target = pick(r, ['/%', '/%zz', '/%E0%A4', '/%ff', '/api/%c0%af']) + p.target),
  (r, p) => (p.target = `//${randomText(r, Math.floor(r() * 10), pathChars)}`),
  (r, p) => (p.target = pick(r, ['*', 'http://evil.example/', 'api/health', 'x', '%2F'])),
  (r, p, port) => {
    p.headers = p.headers.filter(([k]) => k !== 'Host');
    const host = pick(r, [`evil.example:${port}`, 'localhost', `127.0.0.1:${port + 1}`, '%', '']);
    if (host) p.headers.push(['Host', host]);
  },
  (r, p) => (p.method = pick(r, ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'BREW', 'TRACE'])),
  (_r, p) => (p.target = `/%00${p.target}`),
  (r, p) => (p.version = pick(r, ['HTTP/1.x', 'HTTP/', 'HTTPS/1.1', 'HTTP/1.1 extra', 'http/1.1'])),
  (r, p) =>
    p.headers.push([pick(r, ['bad header', 'x\u0001y', '', '(x)']), randomText(r, 8, pathChars)]),
  (r, p) => p.headers.push(['X-Big', 'a'.repeat(20_000 + Math.floor(r() * 60_000))]),
  (r, p) =>
    p.headers.push(['Content-Length', pick(r, ['abc', '-1', '1e3', '99999999999999999999'])]),
  (_r, p) => p.headers.push(['Transfer-Encoding', 'chunked'], ['Content-Length', '5']),
  (r, p) => {
    // A wrong token, in every place a token could be looked for.
    p.target = p.target.replace(/\?.*$/, '');
    p.headers = p.headers.filter(([k]) => k !== 'Authorization');
    const bad = pick(r, ['wrong', '%', '', '%zz', 'a'.repeat(48), randomText(r, 20, pathChars)]);
    const where = pick(r, ['query', 'bearer', 'cookie', 'basic']);
    if (where === 'query') p.target += `?token=${encodeURIComponent(bad)}`;
    else if (where === 'bearer') p.headers.push(['Authorization', `Bearer ${bad}`]);
    else if (where === 'basic') p.headers.push(['Authorization', `Basic ${bad}`]);
    else p.headers.push(['Cookie', `nightshift_token=${bad}`]);
  },
  (r, p) => {
    p.headers.push(
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Version', pick(r, ['13', '8', 'x'])],
      ['Sec-WebSocket-Key', pick(r, ['short', '', 'dGhlIHNhbXBsZSBub25jZQ=='])],
    );
    p.target = pick(r, ['//', '/api/ws?token=%', '/%zz', '/api/wss']);
  },
  (r, p) => {
    p.raw = Buffer.from(
      Array.from({ length: 1 + Math.floor(r() * 200) }, () => Math.floor(r() * 256)),
    );
    // Raw bytes that happen to start like a valid request would not be a fault.
    p.raw[0] = 0x01;
  },
];

export function malformedRequest(r: Rand, port: number, token: string): Buffer {
  const withToken = r() < 0.5;
  const base = pick(r, ['/api/health', '/api/ws', `/api/${randomText(r, 6, 'abcxyz')}`]);
  const p: RequestParts = {
    method: pick(r, ['GET', 'HEAD']),
    target: base + (withToken && r() < 0.5 ? `?token=${token}` : ''),
    version: 'HTTP/1.1',
    headers: [
      ['Host', `127.0.0.1:${port}`],
      ['Connection', 'close'],
    ],
  };
  if (withToken && !p.target.includes('token='))
    p.headers.push(['Authorization', `Bearer ${token}`]);
  const count = 1 + Math.floor(r() * 3);
  for (let i = 0; i < count; i++) pick(r, faults)(r, p, port);
  if (p.raw) return p.raw;
  const lines = [
    `${p.method} ${p.target} ${p.version}`,
    ...p.headers.map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8');
}

const protoNames = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];

/** Inputs no command accepts: wrong types, unknown keys, out-of-range values. */
const badInputs = (r: Rand): unknown =>
  pick(r, [
    42,
    'x',
    true,
    [],
    [1, 2],
    { id: 5 },
    { id: '' },
    { id: 'x'.repeat(65) },
    { id: null, skip: 'yes' },
    { name: ['a'], path: {} },
    { nope: 1 },
    { maxFeatureAttempts: 0 },
    { graceMinutes: -1 },
    { quitBehavior: 'explode' },
    { apiKey: '' },
    { id: 'p', overrides: { codingAgents: 99 } },
    { id: 'p', limit: -5, nope: true },
    JSON.parse('{"__proto__":{"polluted":true},"id":7}') as unknown,
    { constructor: { prototype: { polluted: true } } },
  ]);

/** One malformed WebSocket frame and whether it is binary. */
export function malformedMessage(r: Rand): { data: string | Buffer; binary: boolean } {
  const kind = Math.floor(r() * 9);
  const id = Math.floor(r() * 1e6);
  switch (kind) {
    case 0:
      return {
        data: randomText(r, 1 + Math.floor(r() * 60), '{}[]":,0123abc\\ \u0000'),
        binary: false,
      };
    case 1:
      return {
        data: pick(r, ['null', '[]', '42', '"x"', 'true', '{}', '[{"id":1}]']),
        binary: false,
      };
    case 2:
      return {
        data: JSON.stringify({
          id: pick(r, ['1', 1.5, null, -0.5, 1e300, [], {}]),
          command: pick(r, commandNames),
        }),
        binary: false,
      };
    case 3:
      return {
        data: JSON.stringify({ id, command: pick(r, protoNames), input: {} }),
        binary: false,
      };
    case 4: {
      const near = pick(r, commandNames);
      const name = pick(r, [
        near.toUpperCase(),
        `${near}.`,
        near.slice(1),
        `${near} `,
        randomText(r, 12, 'abc.xyz_'),
      ]);
      return { data: JSON.stringify({ id, command: name }), binary: false };
    }
    case 5:
      return {
        data: JSON.stringify({ id, command: pick(r, commandNames), input: badInputs(r) }),
        binary: false,
      };
    case 6:
      return {
        data: Buffer.from(
          Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)),
        ),
        binary: true,
      };
    case 7:
      return { data: `${'['.repeat(5000)}${']'.repeat(4999)}`, binary: false };
    default:
      if (r() < 0.05) return { data: 'z'.repeat(1024 * 1024 + 10), binary: false };
      return {
        data: JSON.stringify({ id, command: pick(r, commandNames), input: 'y'.repeat(200_000) }),
        binary: false,
      };
  }
}

export interface FuzzFigures {
  seed: number;
  requests: number;
  requestsWithToken: number;
  status4xx: number;
  closedWithoutAnswer: number;
  otherStatus: { status: number | null; request: string }[];
  messages: number;
  messagesWithoutToken: number;
  resultErrors: number;
  unexpected: { message: string; answer: string }[];
  refusedUpgrades: number;
  ms: number;
}

/** Runs the requests (a few at a time) and the messages (over several sockets, one at a time each). */
export async function runFuzz(options: {
  origin: string;
  token: string;
  seed: number;
  requests: number;
  messages: number;
  concurrency?: number;
}): Promise<FuzzFigures> {
  const started = Date.now();
  const port = Number(new URL(options.origin).port);
  const r = prng(options.seed);
  const figures: FuzzFigures = {
    seed: options.seed,
    requests: 0,
    requestsWithToken: 0,
    status4xx: 0,
    closedWithoutAnswer: 0,
    otherStatus: [],
    messages: 0,
    messagesWithoutToken: 0,
    resultErrors: 0,
    unexpected: [],
    refusedUpgrades: 0,
    ms: 0,
  };
  const requests = Array.from({ length: options.requests }, () =>
    malformedRequest(r, port, options.token),
  );
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const bytes = requests[next++] as Buffer;
      const answer = await rawRequest(port, bytes, { timeoutMs: 5_000 });
      figures.requests++;
      if (bytes.includes(options.token)) figures.requestsWithToken++;
      if (answer.status === null) figures.closedWithoutAnswer++;
      else if (answer.status >= 400 && answer.status < 500) figures.status4xx++;
      else
        figures.otherStatus.push({
          status: answer.status,
          request: bytes.toString('latin1').slice(0, 200),
        });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));

  const messages = Array.from({ length: options.messages }, () => ({
    ...malformedMessage(r),
    withToken: r() < 0.9,
  }));
  const wsBase = `${options.origin.replace('http', 'ws')}/api/ws`;
  let m = 0;
  const socketWorker = async () => {
    let ws: WebSocket | null = null;
    while (m < messages.length) {
      const msg = messages[m++] as (typeof messages)[number];
      figures.messages++;
      if (!msg.withToken) {
        figures.messagesWithoutToken++;
        const outcome = await openSocket(
          `${wsBase}?token=${pick(r, ['', 'wrong', '%25', 'a'.repeat(48)])}`,
        );
        if (typeof outcome === 'number' && outcome >= 400 && outcome < 500)
          figures.refusedUpgrades++;
        else {
          if (typeof outcome !== 'number') outcome.terminate();
          figures.unexpected.push({
            message: 'a socket without the token',
            answer: String(outcome),
          });
        }
        continue;
      }
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        const opened = await openSocket(`${wsBase}?token=${options.token}`);
        if (typeof opened === 'number') {
          figures.unexpected.push({ message: 'reconnect', answer: `HTTP ${opened}` });
          continue;
        }
        ws = opened;
      }
      const answer = await exchange(ws, msg.data, msg.binary);
      const shown = (typeof msg.data === 'string' ? msg.data : msg.data.toString('hex')).slice(
        0,
        120,
      );
      // An oversize frame closes its socket (1009); a client still sending the rest may see the
      // reset (1006) first. Either is the refusal; the next message proves the server is up.
      if ((answer === 'closed:1009' || answer === 'closed:1006') && msg.data.length > 1024 * 1024) {
        figures.resultErrors++;
        continue;
      }
      const parsed = parseAnswer(answer);
      if (parsed?.result?.ok === false && typeof parsed.result.error?.message === 'string')
        figures.resultErrors++;
      else figures.unexpected.push({ message: shown, answer: answer.slice(0, 200) });
    }
    ws?.terminate();
  };
  await Promise.all(Array.from({ length: 8 }, socketWorker));
  figures.ms = Date.now() - started;
  return figures;
}

function parseAnswer(text: string): AnswerShape | null {
  try {
    return JSON.parse(text) as AnswerShape;
  } catch {
    return null;
  }
}

interface AnswerShape {
  result?: { ok?: unknown; error?: { message?: unknown } };
}

/** The open socket, or the HTTP status (0: no status) it was refused with. */
function openSocket(url: string): Promise<WebSocket | number> {
  return new Promise((resolveOpen) => {
    const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
    const timer = setTimeout(() => {
      ws.terminate();
      resolveOpen(0);
    }, 5_000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolveOpen(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      ws.terminate();
      resolveOpen(res.statusCode ?? 0);
    });
    ws.once('error', () => {
      clearTimeout(timer);
      resolveOpen(0);
    });
  });
}

/** Sends one frame and waits for the answer to it (events pushed meanwhile are skipped). */
function exchange(ws: WebSocket, data: string | Buffer, binary: boolean): Promise<string> {
  return new Promise((resolveAnswer) => {
    const done = (value: string) => {
      clearTimeout(timer);
      ws.off('message', onMessage);
      ws.off('close', onClose);
      resolveAnswer(value);
    };
    const onMessage = (d: WebSocket.RawData) => {
      const text = String(d);
      if (text.startsWith('{"event"')) return;
      done(text);
    };
    const onClose = (code: number) => done(`closed:${code}`);
    const timer = setTimeout(() => done('timeout'), 5_000);
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.send(data, { binary });
  });
}
