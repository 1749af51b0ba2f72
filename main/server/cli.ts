/**
 * `nightshift serve [--host 127.0.0.1] [--port N] [--data-dir DIR]` and `nightshift start`
 * (the Electron window, or the browser shell where Electron cannot run).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { messageOf } from '../../contract/index.ts';
import { createNodeApp, repoRoot } from './node-app.ts';
import { isLoopback, serve } from './server.ts';

const usage = `Usage:
  nightshift start                      open the Nightshift window (or the browser shell if Electron cannot run)
  nightshift serve [--host 127.0.0.1] [--port 7878] [--data-dir DIR]
                                        serve the same UI to your browser
Options:
  --host       address to bind (default 127.0.0.1; anything else is reachable from your network)
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
  ensureBuilt();
  const app = await createNodeApp({
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    echo: true,
  });
  if (!isLoopback(values.host)) {
    console.warn(
      `Warning: Nightshift is bound to ${values.host}, so other machines can reach it. Anyone with the token can start agents that run commands on this machine.`,
    );
  }
  const server = await serve(app, {
    host: values.host,
    port,
    staticDir: join(repoRoot, 'out', 'renderer'),
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

async function runStart(argv: string[]): Promise<void> {
  ensureBuilt();
  let binary = electronBinary();
  if (
    !binary &&
    !process.env.ELECTRON_OVERRIDE_DIST_PATH &&
    existsSync(join(repoRoot, 'node_modules', 'electron', 'install.js'))
  ) {
    // Electron ≥ 42 fetches its binary on first use; try once, quietly, with a time limit.
    spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'electron', 'install.js')], {
      stdio: 'ignore',
      timeout: 120_000,
    });
    binary = electronBinary();
  }
  if (!binary) {
    console.log(
      'Electron cannot run here (its binary is not installed and could not be downloaded); serving Nightshift in your browser instead.',
    );
    return runServe(argv);
  }
  const started = Date.now();
  const child = spawn(binary, [join(repoRoot, 'out', 'main', 'index.js'), ...argv], {
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    process.stderr.write(b);
  });
  child.on('exit', (code) => {
    if (code !== 0 && Date.now() - started < 5_000) {
      const reason = stderr.split('\n').find((l) => l.trim()) ?? `exit code ${code}`;
      console.log(
        `Electron cannot run here (${reason.trim()}); serving Nightshift in your browser instead.`,
      );
      void runServe(argv).catch(fail);
      return;
    }
    process.exit(code ?? 0);
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
