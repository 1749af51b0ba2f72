import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { ApiClient, startServe, type ServedApp } from '../helpers/serve.ts';

/** A raw HTTP request to the server with a Host header of our choosing (fetch forbids it). */
function rawGet(
  app: ServedApp,
  path: string,
  headers: Record<string, string>,
): Promise<number | undefined> {
  const { port } = new URL(app.origin);
  return new Promise((resolveStatus, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.resume();
      resolveStatus(res.statusCode);
    });
    req.once('error', reject);
    req.end();
  });
}

/** Opens a WebSocket to an exact URL; resolves with "open" or the HTTP status it was refused with. */
function wsAttempt(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolveOutcome) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolveOutcome('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolveOutcome(String(res.statusCode));
      ws.terminate();
    });
    ws.once('error', (e) => resolveOutcome(`error ${e.message}`));
  });
}

test('nightshift serve: token on every request and socket, Origin and Host checked, API over WebSocket', async () => {
  const app = await startServe();
  const project = mkdtempSync(join(tmpdir(), 'nightshift-srv-proj-'));
  try {
    assert.match(app.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    const page = await fetch(app.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(
      page.headers.get('set-cookie'),
      null,
      'no cookie: it would reach every local port',
    );
    assert.equal((await fetch(`${app.origin}/api/health`)).status, 401, 'no token');
    assert.equal((await fetch(`${app.origin}/api/health?token=wrong`)).status, 401, 'wrong token');
    assert.equal(
      (
        await fetch(`${app.origin}/api/health`, {
          headers: { authorization: `Bearer ${app.token}` },
        })
      ).status,
      200,
    );
    assert.equal(
      (await fetch(`${app.origin}/..%2F..%2Fetc%2Fpasswd?token=${app.token}`)).status,
      404,
      'no path traversal',
    );

    await assert.rejects(ApiClient.connect(app, { token: 'wrong' }), /401/);
    const ws = `${app.origin.replace('http', 'ws')}/api/ws`;
    assert.equal(await wsAttempt(ws), '401', 'a socket with no token at all');
    assert.equal(await wsAttempt(`${ws}?token=`), '401', 'an empty token');
    assert.equal(await wsAttempt(`${ws}?token=${app.token}`), 'open', 'the right token');

    // DNS rebinding: a page served under another name must not reach us, even with the token.
    const { port } = new URL(app.origin);
    assert.equal(
      await rawGet(app, `/?token=${app.token}`, { host: `127.0.0.1:${port}` }),
      200,
      'our own Host',
    );
    assert.equal(
      await rawGet(app, `/?token=${app.token}`, { host: `evil.example:${port}` }),
      403,
      'a foreign Host header',
    );
    assert.equal(
      await rawGet(app, `/api/health`, {
        host: 'evil.example',
        authorization: `Bearer ${app.token}`,
      }),
      403,
      'a foreign Host header on the API',
    );
    assert.equal(
      await wsAttempt(`${ws}?token=${app.token}`, { host: `evil.example:${port}` }),
      '403',
      'a socket with a foreign Host header',
    );
    await assert.rejects(ApiClient.connect(app, { origin: 'http://evil.example' }), /403/);

    const client = await ApiClient.connect(app, { origin: app.origin });
    const added = await client.call<{ id: string }>('projects.add', { name: 'srv', path: project });
    assert.equal(added.ok, true);
    const bad = await client.call('projects.add', { name: 'bad name', path: project });
    assert.equal(bad.ok, false);
    if (!bad.ok) assert.equal(bad.error.field, 'name');
    const id = added.ok ? added.value.id : '';
    const started = await client.call<{ status: string }>('agent.start', {
      id,
      overrides: { codingAgents: 2 },
    });
    assert.equal(started.ok, true, JSON.stringify(started));
    const deadline = Date.now() + 10_000;
    while (!client.events.some((e) => e.event === 'agent.log') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(
      client.events.some((e) => e.event === 'agent.status'),
      'status events are pushed',
    );
    assert.ok(
      client.events.some((e) => e.event === 'agent.log'),
      'log batches are pushed',
    );
    const stopped = await client.call<{ status: string }>('agent.stop', { id });
    assert.equal(stopped.ok && stopped.value.status, 'stopped');
    client.close();
  } finally {
    await app.stop();
    rmSync(project, { recursive: true, force: true });
  }
});

test('quitting the browser shell with a running agent stops it by default', async () => {
  const app = await startServe();
  const project = mkdtempSync(join(tmpdir(), 'nightshift-srv-quit-'));
  const { isAlive } = await import('../../core/process-table.ts');
  let pid = 0;
  try {
    const client = await ApiClient.connect(app);
    const added = await client.call<{ id: string }>('projects.add', {
      name: 'quitter',
      path: project,
    });
    const id = added.ok ? added.value.id : '';
    const started = await client.call<{ pid: number }>('agent.start', { id });
    assert.equal(started.ok, true);
    pid = started.ok ? started.value.pid : 0;
    const status = await client.call<{ status: string }>('agent.status', { id });
    assert.equal(status.ok && status.value.status, 'running');
    assert.ok(pid > 1 && isAlive(pid), 'the agent is alive right before the quit');
    client.close();
    const exited = new Promise((r) => app.child.once('exit', r));
    app.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    assert.notEqual(app.child.exitCode, null, 'the server quit');
    assert.equal(isAlive(pid), false, 'the agent is gone after the quit');
  } finally {
    if (pid > 1 && isAlive(pid)) process.kill(-pid, 'SIGKILL');
    await app.stop();
    rmSync(project, { recursive: true, force: true });
  }
});

test('remove is refused while the agent runs; files stay on disk', async () => {
  const app = await startServe();
  const project = mkdtempSync(join(tmpdir(), 'nightshift-srv-rm-'));
  try {
    const { writeFileSync, existsSync } = await import('node:fs');
    writeFileSync(join(project, 'keep.txt'), 'mine');
    const client = await ApiClient.connect(app);
    const added = await client.call<{ id: string }>('projects.add', {
      name: 'keeper',
      path: project,
    });
    const id = added.ok ? added.value.id : '';
    await client.call('agent.start', { id });
    const refused = await client.call('projects.remove', { id });
    assert.equal(refused.ok, false);
    if (!refused.ok) assert.match(refused.error.message, /Stop it first/);
    await client.call('agent.stop', { id });
    const removed = await client.call('projects.remove', { id });
    assert.equal(removed.ok, true);
    assert.ok(existsSync(join(project, 'keep.txt')), 'the project files are untouched');
    client.close();
  } finally {
    await app.stop();
    rmSync(project, { recursive: true, force: true });
  }
});

test('with "leave running", quitting keeps the agent alive and the next launch adopts it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-srv-leave-'));
  const project = mkdtempSync(join(tmpdir(), 'nightshift-srv-leave-proj-'));
  const { isAlive } = await import('../../core/process-table.ts');
  let pid = 0;
  try {
    const first = await startServe({ dataDir });
    const c1 = await ApiClient.connect(first);
    await c1.call('settings.update', { quitBehavior: 'leave-running' });
    const added = await c1.call<{ id: string }>('projects.add', {
      name: 'survivor',
      path: project,
    });
    const id = added.ok ? added.value.id : '';
    const started = await c1.call<{ pid: number }>('agent.start', { id });
    pid = started.ok ? started.value.pid : 0;
    c1.close();
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(isAlive(pid), 'the agent outlived the server');

    const second = await startServe({ dataDir });
    try {
      const c2 = await ApiClient.connect(second);
      const state = await c2.call<{
        status: string;
        origin: string;
        adopted: boolean;
        pid: number;
      }>('agent.status', { id });
      assert.equal(state.ok && state.value.status, 'running');
      assert.equal(state.ok && state.value.origin, 'manual');
      assert.equal(state.ok && state.value.adopted, true);
      assert.equal(state.ok && state.value.pid, pid);
      const logs = await c2.call<{ text: string }[]>('agent.logs', { id });
      assert.ok(
        logs.ok && logs.value.some((l) => l.text.includes('from fixture')),
        'the log history is shown',
      );
      const stopped = await c2.call<{ status: string }>('agent.stop', { id });
      assert.equal(stopped.ok && stopped.value.status, 'stopped');
      assert.equal(isAlive(pid), false);
      c2.close();
    } finally {
      await second.stop();
    }
  } finally {
    if (pid && isAlive(pid)) process.kill(-pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  }
});
