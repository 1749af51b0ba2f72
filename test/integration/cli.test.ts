import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isAlive, listProcesses } from '../../core/process-table.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/nightshift.mjs');

interface Cli {
  child: ChildProcess;
  output(): string;
  /** Resolves when the output matches (or the process ends). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Ends it and asserts that it and anything it started are gone. */
  end(): Promise<void>;
}

function runCli(args: string[], env: NodeJS.ProcessEnv, node = process.execPath): Cli {
  const child = spawn(node, [bin, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  return {
    child,
    output: () => out,
    async waitFor(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(out) && Date.now() < deadline && child.exitCode === null)
        await new Promise((r) => setTimeout(r, 50));
      assert.match(out, pattern);
    },
    async end() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      assert.equal(isAlive(child.pid as number), false);
    },
  };
}

/** The environment of a user with no Electron override: what `npm start` really sees. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ELECTRON_OVERRIDE_DIST_PATH;
  delete env.NIGHTSHIFT_DOWNLOAD_ELECTRON;
  return { ...env, ...extra };
}

/** A local stand-in for Electron's download mirror that counts requests and has nothing. */
async function emptyMirror(): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * `nightshift start` run the way a user without Electron runs it, downloading (if `flags` ask it
 * to) from an empty mirror; `end()` ends it and removes its data folder.
 */
async function startWithEmptyMirror(prefix: string, flags: string[] = []) {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const mirror = await emptyMirror();
  const cli = runCli(
    ['start', ...flags, '--port', '0', '--data-dir', dataDir],
    userEnv({ ELECTRON_MIRROR: mirror.url, electron_config_cache: join(dataDir, 'cache') }),
  );
  return {
    cli,
    mirror,
    async end() {
      await cli.end();
      await mirror.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const electronInstalled = existsSync(join(root, 'node_modules/electron/dist'));

test(
  'nightshift start with no Electron binary says so in one line at once, downloads nothing and serves the browser shell',
  { skip: electronInstalled ? 'an Electron binary is installed here' : false },
  async () => {
    const started = Date.now();
    const { cli, mirror, end } = await startWithEmptyMirror('nightshift-cli-');
    try {
      await cli.waitFor(/Nightshift is listening on \S+/);
      const elapsed = Date.now() - started;
      const notice = cli
        .output()
        .split('\n')
        .filter((l) => l.startsWith('Electron cannot run'));
      assert.deepEqual(notice, [
        'Electron cannot run here: its binary is not installed (`nightshift start --download-electron` fetches it); serving Nightshift in your browser instead.',
      ]);
      assert.ok(
        cli.output().indexOf('Electron cannot run') < cli.output().indexOf('listening on'),
        'the notice comes first',
      );
      assert.deepEqual(mirror.requests, [], 'no download was attempted');
      assert.ok(elapsed < 30_000, `it served within ${elapsed} ms`);
      assert.match(cli.output(), /Nightshift is listening on http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const url = /listening on (\S+)/.exec(cli.output())?.[1] as string;
      assert.equal((await fetch(url)).status, 200);
    } finally {
      await end();
    }
  },
);

test(
  'nightshift start --download-electron tries the download, and says in one line when it fails',
  { skip: electronInstalled ? 'an Electron binary is installed here' : false },
  async () => {
    const { cli, mirror, end } = await startWithEmptyMirror('nightshift-cli-dl-', [
      '--download-electron',
    ]);
    try {
      await cli.waitFor(/Nightshift is listening on \S+/, 120_000);
      assert.ok(mirror.requests.length > 0, 'the download was attempted');
      const notice = cli
        .output()
        .split('\n')
        .filter((l) => l.startsWith('Electron cannot run'));
      assert.equal(notice.length, 1, cli.output());
      assert.match(
        notice[0] ?? '',
        /^Electron cannot run here: its binary could not be downloaded \(.+\); serving Nightshift in your browser instead\.$/,
      );
      assert.equal(existsSync(join(root, 'node_modules/electron/dist')), false);
    } finally {
      await end();
    }
  },
);

test('an Electron binary that fails to launch is named in one line; its stderr goes to the diagnostics log', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-cli-bad-'));
  const dist = join(dataDir, 'fake-electron');
  mkdirSync(dist);
  const fake = join(dist, 'electron');
  writeFileSync(
    fake,
    [
      '#!/bin/sh',
      `echo '[4242:1201/120000.000000:ERROR:ozone_platform_x11.cc(240)] Missing X server or $DISPLAY' >&2`,
      `echo 'The platform failed to initialize.  Exiting.' >&2`,
      `echo 'noisy gpu chatter 0xdeadbeef' >&2`,
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(fake, 0o755);
  const cli = runCli(
    ['start', '--port', '0', '--data-dir', dataDir],
    userEnv({ ELECTRON_OVERRIDE_DIST_PATH: dist }),
  );
  try {
    await cli.waitFor(/Nightshift is listening on \S+/);
    const out = cli.output();
    const notice = out.split('\n').filter((l) => l.startsWith('Electron cannot run'));
    const log = join(dataDir, 'logs', 'nightshift.log');
    assert.deepEqual(notice, [
      `Electron cannot run here (Missing X server or $DISPLAY); serving Nightshift in your browser instead. Electron's output is in ${log}.`,
    ]);
    assert.ok(!out.includes('noisy gpu chatter'), 'Electron stderr stays off the terminal');
    assert.ok(!out.includes('ozone_platform'), out);
    const diagnostics = readFileSync(log, 'utf8');
    assert.match(diagnostics, /Electron: .*Missing X server/);
    assert.match(diagnostics, /noisy gpu chatter/);
  } finally {
    await cli.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('nightshift serve --host 0.0.0.0 is refused without --allow-remote, and warns with it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-cli-host-'));
  const refused = runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir], {
    ...process.env,
  });
  const closed = new Promise((r) => refused.child.once('close', r));
  try {
    await Promise.race([closed, new Promise((r) => setTimeout(r, 60_000))]);
    assert.match(
      refused.output(),
      /nightshift: Nightshift will not bind to 0\.0\.0\.0 without --allow-remote/,
    );
  } finally {
    await refused.end();
  }
  assert.equal(refused.child.exitCode, 1);
  const cli = runCli(
    [
      'serve',
      '--host',
      '0.0.0.0',
      '--allow-remote',
      'devbox.lan',
      '--port',
      '0',
      '--data-dir',
      dataDir,
    ],
    { ...process.env },
  );
  try {
    await cli.waitFor(/Nightshift is listening on \S+/);
    const out = cli.output();
    assert.match(
      out,
      /Warning: Nightshift is bound to 0\.0\.0\.0, so other machines can reach it \(as devbox\.lan\)\. Anyone with the token can start agents that run commands on this machine\./,
    );
    const url = new URL(/listening on (\S+)/.exec(out)?.[1] as string);
    // Bound to every interface, but the test only ever talks to loopback.
    const local = `http://127.0.0.1:${url.port}/api/health?token=${url.searchParams.get('token')}`;
    assert.equal((await fetch(local)).status, 200);
  } finally {
    await cli.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('nightshift serve on loopback prints no warning', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-cli-lo-'));
  const cli = runCli(['serve', '--port', '0', '--data-dir', dataDir], { ...process.env });
  try {
    await cli.waitFor(/Nightshift is listening on \S+/);
    assert.doesNotMatch(cli.output(), /Warning/);
  } finally {
    await cli.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('nightshift serve rejects a bad port with a sentence and a non-zero exit', async () => {
  const cli = runCli(['serve', '--port', 'abc'], { ...process.env });
  const code = await new Promise((r) => cli.child.once('exit', r));
  assert.equal(code, 1);
  assert.match(cli.output(), /--port must be a number from 0 to 65535/);
});

/** A Node older than 22.18 on this machine (Debian's), if there is one. */
function oldNode(): string | null {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    const [major, minor] = version.slice(1).split('.').map(Number) as [number, number];
    if (major >= 20 && (major < 22 || (major === 22 && minor < 18))) return candidate;
  }
  return null;
}
const old = oldNode();

test(
  'run by an older Node, bin/nightshift.mjs hands over to the project Node; without one it says why in a sentence',
  { skip: old ? false : 'no Node 20–22.17 on this machine' },
  async () => {
    const help = runCli(['--help'], { ...process.env }, old as string);
    const code = await new Promise((r) => help.child.once('exit', r));
    assert.equal(code, 0, help.output());
    assert.match(help.output(), /^Usage:\n {2}nightshift start/);

    const served = runCli(
      ['serve', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'nightshift-cli-old-'))],
      { ...process.env },
      old as string,
    );
    let handedOver: number[] = [];
    try {
      await served.waitFor(/Nightshift is listening on \S+/);
      handedOver = listProcesses()
        .filter((p) => p.ppid === served.child.pid)
        .map((p) => p.pid);
      assert.equal(handedOver.length, 1, 'one Node 24 child runs the app');
    } finally {
      // SIGTERM reaches the wrapper, which passes it on to the Node 24 child.
      await served.end();
      const deadline = Date.now() + 10_000;
      while (handedOver.some(isAlive) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(handedOver.filter(isAlive), [], 'the handed-over process ended too');
    }

    // A copy of the launcher with no node_modules next to it cannot hand over.
    const lonely = mkdtempSync(join(tmpdir(), 'nightshift-cli-lonely-'));
    mkdirSync(join(lonely, 'bin'));
    copyFileSync(bin, join(lonely, 'bin', 'nightshift.mjs'));
    const child = spawn(old as string, [join(lonely, 'bin', 'nightshift.mjs'), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const lonelyCode = await new Promise((r) => child.once('exit', r));
    rmSync(lonely, { recursive: true, force: true });
    assert.equal(lonelyCode, 1);
    assert.match(err, /^nightshift needs Node 22\.18 or newer \(this is v\d+\.\d+\.\d+\); .+\.\n$/);
  },
);
