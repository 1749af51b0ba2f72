/**
 * Launching the built app in real Electron through Playwright's `_electron`, for the tests in
 * this folder. Where no Electron binary exists (this machine cannot download one) the tests
 * skip with the reason, as launch.test.ts does.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ElectronApplication, type Page, _electron as electron } from 'playwright-core';

export const root = resolve(import.meta.dirname, '../..');
export const mainScript = join(root, 'out/main/index.js');

export function electronBinary(): string | null {
  const pkg = join(root, 'node_modules', 'electron');
  const rel = existsSync(join(pkg, 'path.txt'))
    ? readFileSync(join(pkg, 'path.txt'), 'utf8').trim()
    : 'electron';
  // The test scripts point ELECTRON_OVERRIDE_DIST_PATH at a dummy so a stray require fails
  // fast; a real binary is where electron's own download puts it, or where the user says.
  const dists = [
    process.env.NIGHTSHIFT_ELECTRON_DIST,
    join(pkg, 'dist'),
    process.env.ELECTRON_OVERRIDE_DIST_PATH,
  ];
  for (const dist of dists) {
    if (!dist) continue;
    const bin = join(dist, rel);
    if (existsSync(bin)) return bin;
  }
  return null;
}

export const binary = electronBinary();
export const skip: string | false = binary
  ? false
  : 'no Electron binary on this machine (it cannot be downloaded here); the pure parts (window bounds, tray template, navigation queue) have unit tests';

/** The environment the app runs with: the real Electron, not the test scripts' dummy path. */
export const appEnv = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.ELECTRON_OVERRIDE_DIST_PATH = '';
  return env;
};

export const appArgs = (userData: string): string[] => [
  mainScript,
  `--user-data-dir=${userData}`,
  '--no-sandbox',
];

export function tempUserData(): string {
  return mkdtempSync(join(tmpdir(), 'nightshift-electron-'));
}

/** Starts the app and waits until its page shows. */
export async function launchApp(
  userData: string,
): Promise<{ app: ElectronApplication; page: Page; pid: number }> {
  const app = await electron.launch({
    executablePath: binary as string,
    args: appArgs(userData),
    env: appEnv(),
  });
  let page: Page;
  try {
    page = await app.firstWindow();
    await page.waitForSelector('text=Nightshift', { timeout: 30_000 });
  } catch (error) {
    // A window that never shows must not leave Electron running behind the failed test.
    await app.close();
    throw error;
  }
  const pid = app.process().pid;
  if (pid === undefined) throw new Error('Electron started without a process id.');
  return { app, page, pid };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Quits the app the way the user does and asserts its process is gone. */
export async function closeApp(app: ElectronApplication, pid: number): Promise<void> {
  await app.close();
  await waitFor(() => !isAlive(pid), `Electron (pid ${pid}) to exit`, 10_000);
}
