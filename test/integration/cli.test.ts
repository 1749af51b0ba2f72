import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isAlive } from '../../core/process-table.ts';

const root = resolve(import.meta.dirname, '../..');

test('nightshift start without a runnable Electron says so in one line and serves the browser shell', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-cli-'));
  const child = spawn(
    process.execPath,
    [join(root, 'bin/nightshift.mjs'), 'start', '--port', '0', '--data-dir', dataDir],
    {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: join(dataDir, 'no-electron') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  try {
    const deadline = Date.now() + 60_000;
    while (!/listening on/.test(out) && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 50));
    const lines = out.split('\n');
    const notice = lines.filter((l) => l.startsWith('Electron cannot run here'));
    assert.equal(notice.length, 1, out);
    assert.match(out, /Nightshift is listening on http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const url = /listening on (\S+)/.exec(out)?.[1] as string;
    assert.equal((await fetch(url)).status, 200);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    assert.equal(isAlive(child.pid as number), false);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('nightshift serve rejects a bad port with a sentence and a non-zero exit', async () => {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/nightshift.mjs'), 'serve', '--port', 'abc'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise((r) => child.once('exit', r));
  assert.equal(code, 1);
  assert.match(err, /--port must be a number from 0 to 65535/);
});
