import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import {
  createWsClient,
  lostMessage,
  type ConnectionState,
} from '../../renderer/src/transport/ws-client.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface Harness {
  url: string;
  wss: WebSocketServer;
  sockets: Set<ServerSocket>;
  connections: number;
  maxOpen: number;
  /** How the fake server answers a command; null = never answer. */
  answer: (command: string, input: unknown) => unknown;
  close(): Promise<void>;
}

async function harness(): Promise<Harness> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const h: Harness = {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api/ws?token=t`,
    wss,
    sockets: new Set(),
    connections: 0,
    maxOpen: 0,
    answer: (command, input) => ({ ok: true, value: { command, input } }),
    close: async () => {
      for (const s of h.sockets) s.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
  wss.on('connection', (ws, req) => {
    assert.match(req.url ?? '', /token=t/);
    h.connections++;
    h.sockets.add(ws);
    h.maxOpen = Math.max(h.maxOpen, h.sockets.size);
    ws.on('close', () => h.sockets.delete(ws));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id: number; command: string; input?: unknown };
      const result = h.answer(msg.command, msg.input);
      if (result !== null) ws.send(JSON.stringify({ id: msg.id, result }));
    });
  });
  return h;
}

const push = (h: Harness, event: string, payload: unknown) => {
  for (const s of h.sockets) s.send(JSON.stringify({ event, payload }));
};

test('commands go out as {id, command, input} and answers resolve the right call', async () => {
  const h = await harness();
  const client = createWsClient({ url: h.url });
  try {
    // Sent before the socket is open: queued, then delivered.
    const [a, b] = await Promise.all([
      client.call['projects.add']({ name: 'x', path: '/tmp/x' }),
      client.call['projects.list'](),
    ]);
    assert.deepEqual(a, {
      ok: true,
      value: { command: 'projects.add', input: { name: 'x', path: '/tmp/x' } },
    });
    assert.equal(b.ok, true);
    if (b.ok) assert.deepEqual(b.value, { command: 'projects.list' });
    h.answer = () => ({
      ok: false,
      error: { code: 'invalid-input', message: 'Bad path.', field: 'path' },
    });
    const c = await client.call['projects.add']({ name: 'y', path: 'nope' });
    assert.deepEqual(c, {
      ok: false,
      error: { code: 'invalid-input', message: 'Bad path.', field: 'path' },
    });
    h.answer = () => ({ weird: true });
    const d = await client.call['app.info']();
    assert.equal(d.ok, false);
    if (!d.ok) assert.equal(typeof d.error.message, 'string');
  } finally {
    client.close();
    await h.close();
  }
});

test('events reach their handlers until unsubscribed', async () => {
  const h = await harness();
  const client = createWsClient({ url: h.url });
  try {
    await waitFor(() => client.connection.kind === 'open');
    const seen: unknown[] = [];
    const off = client.on('agent.log', (p) => seen.push(p));
    const other: unknown[] = [];
    client.on('agent.status', (p) => other.push(p));
    push(h, 'agent.log', { projectId: 'p', lines: [] });
    await waitFor(() => seen.length === 1);
    off();
    push(h, 'agent.log', { projectId: 'p', lines: [] });
    push(h, 'agent.status', { projectId: 'p' });
    await waitFor(() => other.length === 1);
    assert.equal(seen.length, 1);
  } finally {
    client.close();
    await h.close();
  }
});

test('a dropped socket fails calls in flight, reconnects with one socket, and events resume', async () => {
  const h = await harness();
  const states: ConnectionState['kind'][] = [];
  const client = createWsClient({ url: h.url, backoffMs: [50, 100] });
  client.onConnection((s) => states.push(s.kind));
  try {
    await waitFor(() => client.connection.kind === 'open');
    const events: unknown[] = [];
    client.on('agent.status', (p) => events.push(p));
    h.answer = () => null; // never answers: the call stays in flight
    const inFlight = client.call['agent.stop']({ id: 'p' });
    await waitFor(() => h.sockets.size === 1);
    await new Promise((r) => setTimeout(r, 30));
    for (const s of h.sockets) s.terminate();
    const result = await inFlight;
    assert.deepEqual(result, { ok: false, error: { code: 'io', message: lostMessage } });
    assert.equal(lostMessage, 'The connection to Nightshift was lost. Retrying…');
    await waitFor(() => client.connection.kind === 'open' && h.connections === 2);
    assert.ok(states.includes('retrying'));
    assert.equal(h.maxOpen, 1, 'never two sockets at once');
    h.answer = (command) => ({ ok: true, value: command });
    const after = await client.call['agent.status']({ id: 'p' });
    assert.deepEqual(after, { ok: true, value: 'agent.status' });
    push(h, 'agent.status', { projectId: 'p' });
    await waitFor(() => events.length === 1);
  } finally {
    client.close();
    await h.close();
  }
});

test('while the server is down calls wait for the next attempt, then fail with a sentence', async () => {
  const h = await harness();
  const url = h.url;
  await h.close();
  const client = createWsClient({ url, backoffMs: [30] });
  try {
    const r = await client.call['projects.list']();
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'io');
      assert.match(r.error.message, /Retrying/);
    }
    await waitFor(() => client.connection.kind === 'retrying');
  } finally {
    client.close();
  }
  const closed = await client.call['projects.list']();
  assert.equal(closed.ok, false);
});
