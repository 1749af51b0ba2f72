/**
 * `nightshift serve [--host 127.0.0.1] [--port N] [--data-dir DIR]` and `nightshift start`
 * (the Electron window, or the browser shell where Electron cannot run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { messageOf } from '../../contract/index.ts';
import { defaultDataDir } from '../app.ts';
import { createDiagnostics } from '../services/diagnostics.ts';
import { createNodeApp, repoRoot } from './node-app.ts';
import { isLoopback, remoteRefusal, serve } from './server.ts';

const usage = `Usage:
  nightshift start [--download-electron] [serve options]
                                        open the Nightshift window (or the browser shell if Electron
                                        cannot run); --download-electron fetches Electron's binary first
  nightshift serve [--host 127.0.0.1] [--port 7878] [--data-dir DIR] [--allow-remote NAMES]
                                        serve the same UI to your browser
Options:
  --host       address to bind (default 127.0.0.1; anything else needs --allow-remote)
  --allow-remote NAME[,NAME…]
               allow binding off loopback; browsers may reach it only by these host names
               (prefer an SSH tunnel: ssh -L 7878:127.0.0.1:7878 this-machine)
  --port       port (default 7878; 0 picks a free one)
  --data-dir   where registry, settings and logs live (default: your OS's app data folder)`;

function ensureBuilt(): void {
  if (
    existsSync(join(repoRoot, 'out', 'renderer', 'index.html')) &&
    existsSync(join(repoRoot, 'out', 'main', 'index.js'))
  )
    return;
  console.log('Building Nightshift (first run)…');
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('The build failed; see the output above.');
}

async function runServe(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: process.env.NIGHTSHIFT_HOST ?? '127.0.0.1' },
      port: { type: 'string', default: process.env.NIGHTSHIFT_PORT ?? '7878' },
      'data-dir': { type: 'string' },
      'allow-remote': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a number from 0 to 65535, not ${values.port}.`);
  const allowRemote = (values['allow-remote'] ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (!isLoopback(values.host) && !allowRemote.length) throw new Error(remoteRefusal(values.host));
  ensureBuilt();
  const app = await createNodeApp({
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    echo: true,
  });
  if (!isLoopback(values.host)) {
    console.warn(
      `Warning: Nightshift is bound to ${values.host}, so other machines can reach it (as ${allowRemote.join(', ')}). Anyone with the token can start agents that run commands on this machine.`,
    );
  }
  const server = await serve(app, {
    host: values.host,
    port,
    staticDir: join(repoRoot, 'out', 'renderer'),
    ...(allowRemote.length ? { allowRemote } : {}),
  });
  console.log(`Nightshift is listening on ${server.url}`);
  console.log(`Data directory: ${app.dataDir}`);

  let closing = false;
  const quit = async (signal: string) => {
    if (closing) return;
    closing = true;
    const mode = app.settings.get().quitBehavior;
    console.log(
      `${signal}: ${mode === 'stop-agents' ? 'stopping agents' : 'leaving agents running for the next start'} and closing…`,
    );
    await app.shutdown();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void quit('SIGINT'));
  process.on('SIGTERM', () => void quit('SIGTERM'));
}

/** The Electron executable, without triggering Electron's lazy download. */
function electronBinary(): string | null {
  const pkg = join(repoRoot, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile)
    ? readFileSync(pathFile, 'utf8').trim()
    : process.platform === 'darwin'
      ? 'Electron.app/Contents/MacOS/Electron'
      : process.platform === 'win32'
        ? 'electron.exe'
        : 'electron';
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  const candidate = join(dist, relative);
  return existsSync(candidate) ? candidate : null;
}

const DOWNLOAD_FLAG = '--download-electron';
const FALLBACK = 'serving Nightshift in your browser instead.';

/** Electron's stderr is noise to a user (GPU, sandbox, D-Bus chatter): one short reason from it. */
function launchReason(stderr: string, code: number | null, signal: string | null): string {
  const line = stderr
    .split('\n')
    .map((l) => l.replace(/^\[[^\]]*\]\s*/, '').trim())
    .find((l) => l.length > 0);
  const fallback = signal ? `it was killed by ${signal}` : `it exited with code ${code}`;
  const reason = line ?? fallback;
  return reason.length > 200 ? `${reason.slice(0, 199)}…` : reason;
}

/** Fetches Electron's binary, only when the user asked for it; the reason it failed, or null. */
function downloadElectron(): string | null {
  const install = join(repoRoot, 'node_modules', 'electron', 'install.js');
  if (!existsSync(install)) return 'the electron package is not installed';
  console.log('Downloading the Electron binary (this can take a few minutes)…');
  const result = spawnSync(process.execPath, [install], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 10 * 60_000,
    encoding: 'utf8',
  });
  if (result.error) return messageOf(result.error);
  if (result.status !== 0) {
    const first = (result.stderr ?? '').split('\n').find((l) => l.trim());
    return first?.trim() ?? `the download exited with code ${result.status}`;
  }
  return null;
}

async function runStart(argv: string[]): Promise<void> {
  // Electron ≥ 42 fetches its binary on first use; that may hang for minutes on a slow or
  // offline network, so it happens only on request (flag or env var), never silently.
  const download = argv.includes(DOWNLOAD_FLAG) || process.env.NIGHTSHIFT_DOWNLOAD_ELECTRON === '1';
  const rest = argv.filter((a) => a !== DOWNLOAD_FLAG);
  ensureBuilt();
  let binary = electronBinary();
  if (!binary && download) {
    const failure = downloadElectron();
    binary = electronBinary();
    if (!binary) {
      console.log(
        `Electron cannot run here: its binary could not be downloaded (${failure ?? 'it is still missing'}); ${FALLBACK}`,
      );
      return runServe(rest);
    }
  }
  if (!binary) {
    console.log(
      `Electron cannot run here: its binary is not installed (\`nightshift start ${DOWNLOAD_FLAG}\` fetches it); ${FALLBACK}`,
    );
    return runServe(rest);
  }

  const { values } = parseArgs({
    args: rest,
    options: { 'data-dir': { type: 'string' } },
    strict: false,
  });
  const dataDir = resolve(
    typeof values['data-dir'] === 'string'
      ? values['data-dir']
      : process.env.NIGHTSHIFT_DATA_DIR || defaultDataDir(homedir()),
  );
  const diagnostics = createDiagnostics(dataDir);
  const where = diagnostics.path ? ` Electron's output is in ${diagnostics.path}.` : '';

  const started = Date.now();
  const child = spawn(binary, [join(repoRoot, 'out', 'main', 'index.js'), ...rest], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  let fellBack = false;
  const fallBack = (reason: string) => {
    if (fellBack) return;
    fellBack = true;
    console.log(`Electron cannot run here (${reason}); ${FALLBACK}${where}`);
    void runServe(rest).catch(fail);
  };
  // Electron's own stderr goes to the diagnostics log, not over the user's terminal.
  child.stderr.on('data', (b: Buffer) => {
    const text = b.toString();
    if (stderr.length < 64 * 1024) stderr += text;
    for (const line of text.split('\n'))
      if (line.trim()) diagnostics.log('warn', `Electron: ${line}`);
  });
  child.on('error', (error) => fallBack(`it could not be launched: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (code !== 0 && Date.now() - started < 5_000) {
      fallBack(launchReason(stderr, code, signal));
      return;
    }
    if (!fellBack) process.exit(code ?? 0);
  });
}

function fail(error: unknown): never {
  console.error(`nightshift: ${messageOf(error)}`);
  process.exit(1);
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === 'serve') await runServe(rest);
    else if (command === 'start' || command === undefined) await runStart(rest);
    else if (command === '--help' || command === '-h' || command === 'help') console.log(usage);
    else throw new Error(`Unknown command ${command}.\n${usage}`);
  } catch (error) {
    fail(error);
  }
}
