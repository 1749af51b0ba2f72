/**
 * Starts the real `nightshift serve` (with a fixture agent) and Debian's Chromium for the UI
 * end-to-end tests, and checks at the end that every process they started is gone.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'playwright/test';
import WebSocket from 'ws';

export const root = resolve(import.meta.dirname, '../..');
export const nodeBin = join(root, 'node_modules/.bin/node');

export interface Served {
  url: string;
  dataDir: string;
  server: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `nightshift serve --port 0` with the given fixture agent (test/fixtures/agents/<agent>.ts)
 * and arguments, or with Nightshift's real orchestrator as the agent when `agentArgs` is null; on
 * a fresh data dir unless `dataDir` names one a test prepared.
 */
export async function startServer(
  agentArgs: string[] | null,
  env: Record<string, string> = {},
  options: { agent?: string; dataDir?: string } = {},
): Promise<Served> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ns-ui-data-'));
  const server = spawn(
    nodeBin,
    [join(root, 'bin/nightshift.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      cwd: root,
      env: {
        ...Object.fromEntries(
          Object.entries(process.env).filter(([k]) => k !== 'NIGHTSHIFT_AGENT_COMMAND'),
        ),
        ...env,
        ...(agentArgs
          ? {
              NIGHTSHIFT_AGENT_COMMAND: JSON.stringify([
                nodeBin,
                join(root, 'test/fixtures/agents', `${options.agent ?? 'chatty'}.ts`),
                ...agentArgs,
              ]),
            }
          : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  const { url, output } = await listeningUrl(server, 30_000);
  return {
    url,
    dataDir,
    server,
    output,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
      const timeout = setTimeout(() => server.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

/**
 * Collects a starting `nightshift serve`'s output and resolves with the URL it says it listens
 * on. A server that exits first is an error; one silent for `ms` is killed and is an error too.
 */
export async function listeningUrl(
  server: ChildProcess,
  ms: number,
): Promise<{ url: string; output: () => string }> {
  let text = '';
  server.stdout?.on('data', (b: Buffer) => (text += b.toString()));
  server.stderr?.on('data', (b: Buffer) => (text += b.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      // Never leave a server that did not come up running.
      server.kill('SIGKILL');
      reject(new Error(`nightshift serve did not start:\n${text}`));
    }, ms);
    const check = () => {
      const m = /Nightshift is listening on (\S+)/.exec(text);
      if (m?.[1]) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    };
    server.stdout?.on('data', check);
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nightshift serve exited with ${code}:\n${text}`));
    });
  });
  return { url, output: () => text };
}

/** Pids of live Chromium processes (to tell ours from any that ran before). */
export function chromiumPids(): Set<number> {
  return new Set(processesMentioning('/usr/lib/chromium/').map((l) => Number(l.split(':')[0])));
}

export interface LaunchedBrowser {
  browser: Browser;
  /** Closes the browser and waits until every Chromium process it started is gone. */
  close: () => Promise<void>;
}

export async function launchBrowser(): Promise<LaunchedBrowser> {
  const before = chromiumPids();
  const browser = await chromium.launch({
    executablePath: process.env.NIGHTSHIFT_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const ours = [...chromiumPids()].filter((p) => !before.has(p));
  if (ours.length === 0) throw new Error('Could not find the Chromium processes just launched.');
  return {
    browser,
    close: async () => {
      await browser.close();
      await waitUntil(() => ours.every((p) => !pidAlive(p)), 10_000, 'Chromium to exit');
    },
  };
}

export interface OpenedPage {
  launched: LaunchedBrowser;
  page: Page;
  problems: string[];
}

/** Launches Chromium with one page (1280×900 unless told) whose errors are collected (see watchPage). */
export async function openPage(viewport = { width: 1280, height: 900 }): Promise<OpenedPage> {
  const launched = await launchBrowser();
  try {
    const page = await launched.browser.newPage({ viewport });
    return { launched, page, problems: watchPage(page) };
  } catch (error) {
    await launched.close();
    throw error;
  }
}

export interface Ui extends OpenedPage {
  served: Served;
}

/** `nightshift serve` with the given fixture agent arguments, and a watched page (openPage). */
export async function startUi(
  agentArgs: string[] | null,
  env: Record<string, string> = {},
  options: { agent?: string; dataDir?: string; viewport?: { width: number; height: number } } = {},
): Promise<Ui> {
  const served = await startServer(agentArgs, env, options);
  try {
    return { served, ...(await openPage(options.viewport)) };
  } catch (error) {
    await served.stop();
    removeDirs(served.dataDir);
    throw error;
  }
}

/** Closes the browser, then stops the server even when closing the browser failed. */
export async function stopUi(
  launched: LaunchedBrowser | undefined,
  served: Pick<Served, 'stop'> | undefined,
): Promise<void> {
  try {
    await launched?.close();
  } finally {
    await served?.stop();
  }
}

/**
 * The before and after hooks of a UI test file. Before its tests: `nightshift serve` with the
 * fixture agent and `agentArgs` (startUi), handed to `started`. After them: the browser and the
 * server stopped (stopUi); then the server must have exited cleanly, every pid in `agentPids` must
 * have ended, and no process may still run in `dirs` or in the data dir, which are all removed.
 * Returns that Ui for the tests to read (its fields exist once the before hook has run).
 */
export function uiHooks(
  agentArgs: string[] | null,
  options: {
    started?: (ui: Ui) => void;
    dirs: string[];
    env?: Record<string, string>;
    viewport?: { width: number; height: number };
    agentPids?: ReadonlySet<number>;
  },
): Ui {
  let ui: Ui | undefined;
  before(async () => {
    ui = await startUi(agentArgs, options.env, { viewport: options.viewport });
    options.started?.(ui);
  });
  after(async () => {
    await stopUi(ui?.launched, ui?.served);
    if (!ui) return removeDirs(...options.dirs);
    const { served } = ui;
    try {
      assert.equal(
        served.server.exitCode ?? 0,
        0,
        `nightshift serve exited badly:\n${served.output()}`,
      );
      const pids = [...(options.agentPids ?? [])];
      await waitUntil(() => pids.every((p) => !pidAlive(p)), 10_000, 'agent processes to end');
      for (const dir of [...options.dirs, served.dataDir])
        assert.deepEqual(processesMentioning(dir), [], `no process still runs in ${dir}`);
    } finally {
      removeDirs(...options.dirs, served.dataDir);
    }
  });
  const started = (): Ui => {
    if (!ui) throw new Error('The UI starts in the before hook: read it inside a test.');
    return ui;
  };
  return {
    get served() {
      return started().served;
    },
    get launched() {
      return started().launched;
    },
    get page() {
      return started().page;
    },
    get problems() {
      return started().problems;
    },
  };
}

/** With NIGHTSHIFT_UI_SHOTS=<dir>, saves light and dark screenshots for a human to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.NIGHTSHIFT_UI_SHOTS;
  if (!dir) return;
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.screenshot({ path: `${dir}/${name}-${colorScheme}.png` });
  }
  await page.emulateMedia({ colorScheme: null });
}

/** Collects page errors and console errors so a test can assert there were none. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A meta CSP cannot carry frame-ancestors (the server sends it as a header); Chromium says so.
    if (m.type() === 'error' && !m.text().includes('frame-ancestors'))
      problems.push(`console: ${m.text()}`);
  });
  return problems;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is dead for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}

/** Process state letter from /proc (R, S, T = stopped, Z …), or null. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /\) (\w)/.exec(stat)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Live processes whose command line mentions `needle` (Linux /proc). */
export function processesMentioning(needle: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmd.includes(needle) && pidAlive(Number(entry))) out.push(`${entry}: ${cmd}`);
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

export async function waitUntil(check: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function tempProject(prefix = 'ns-ui-project-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDirs(...dirs: string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/**
 * Adds a project the way the user does (the sidebar's Add project dialog): the dialog closes and
 * the project's view opens, headed by its name.
 */
export async function addProjectInUi(page: Page, name: string, folder: string): Promise<void> {
  await page.getByRole('navigation').getByRole('button', { name: 'Add project' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add project' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Folder').fill(folder);
  await dialog.getByRole('button', { name: 'Add project' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

/** Presses the open project's Start and waits until its status badge says Running. */
export async function startInUi(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByTestId('status-badge')).toHaveText('Running', { timeout: 15_000 });
}

/** Opens the open project's Features tab as a board; returns a column of it by name. */
export async function openBoard(page: Page): Promise<(column: string) => Locator> {
  await page.getByRole('tab', { name: /Features/ }).click();
  await page.getByRole('radio', { name: 'Board' }).click();
  return (column) => page.getByRole('region', { name: column, exact: true });
}

/** Registers a project through the served app's WebSocket API (as a test's setup, not the UI). */
export function addProject(
  url: string,
  name: string,
  path: string,
): Promise<{ ok: boolean; error?: { message: string } }> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api/ws?token=${u.searchParams.get('token')}`);
  return new Promise((resolveAdd, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer to projects.add')), 10_000);
    ws.once('error', reject);
    ws.once('open', () =>
      ws.send(JSON.stringify({ id: 1, command: 'projects.add', input: { name, path } })),
    );
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as {
        id?: number;
        result?: { ok: boolean; error?: { message: string } };
      };
      if (m.id !== 1 || !m.result) return;
      clearTimeout(timer);
      ws.close();
      resolveAdd(m.result);
    });
  });
}
