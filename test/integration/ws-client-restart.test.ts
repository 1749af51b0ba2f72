import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, type RunningServer } from '../../main/server/server.ts';
import {
  createWsClient,
  noTokenMessage,
  restartedMessage,
} from '../../renderer/src/transport/ws-client.ts';
import { createBrowserApp } from '../helpers/browser-app.ts';
import { fixtureAgentCommand } from '../helpers/serve.ts';
import { waitFor } from '../helpers/wait-for.ts';
import type { NightshiftApp } from '../../main/app.ts';

test('a tab whose server restarted with a new token says so and stops retrying', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-restart-'));
  const staticDir = mkdtempSync(join(tmpdir(), 'nightshift-restart-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
  const agent = fixtureAgentCommand()[1] as string;
  let app: NightshiftApp | null = null;
  let server: RunningServer | null = null;
  const client = { close: () => {} };
  try {
    app = await createBrowserApp(dataDir, agent);
    server = await serve(app, { host: '127.0.0.1', port: 0, staticDir });
    const port = server.port;
    const ws = createWsClient({
      url: `ws://127.0.0.1:${port}/api/ws?token=${server.token}`,
      backoffMs: [30, 60],
    });
    client.close = () => ws.close();
    const states: string[] = [];
    ws.onConnection((c) => states.push(c.kind));
    await waitFor(() => ws.connection.kind === 'open');
    assert.equal((await ws.call['projects.list']()).ok, true);

    // The server restarts on the same port with a new token.
    const oldToken = server.token;
    await server.close();
    server = await serve(app, { host: '127.0.0.1', port, staticDir });
    assert.notEqual(server.token, oldToken);
    await waitFor(() => ws.connection.kind === 'refused');
    assert.equal(ws.connection.kind === 'refused' && ws.connection.message, restartedMessage);
    assert.equal(restartedMessage, 'This Nightshift was restarted: open the new URL it printed.');
    const call = await ws.call['projects.list']();
    assert.deepEqual(call, { ok: false, error: { code: 'io', message: restartedMessage } });
    // No more attempts: the state stays refused for longer than several backoff periods.
    const seen = states.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(ws.connection.kind, 'refused');
    assert.equal(states.length, seen, 'no attempt after the refusal');
    assert.equal(states.at(-1), 'refused');
  } finally {
    client.close();
    await server?.close();
    await app?.shutdown();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(staticDir, { recursive: true, force: true });
  }
});

test('a tab without a token says how to get one and never opens a socket', async () => {
  let probes = 0;
  let sockets = 0;
  class NoSocket {
    static OPEN = 1;
    constructor() {
      sockets++;
    }
  }
  const ws = createWsClient({
    url: 'ws://127.0.0.1:9/api/ws?token=',
    WebSocketImpl: NoSocket as unknown as typeof WebSocket,
    probe: async (url) => {
      probes++;
      return new URL(url).searchParams.get('token') ? 'ok' : 'refused';
    },
  });
  try {
    await waitFor(() => ws.connection.kind === 'refused');
    assert.equal(ws.connection.kind === 'refused' && ws.connection.message, noTokenMessage);
    assert.equal(probes, 1);
    assert.equal(sockets, 0);
  } finally {
    ws.close();
  }
});
