/**
 * Window controls in real Electron (skipped where no binary exists): closing the window keeps
 * Nightshift running in the tray and the window comes back; a second launch hands over to the
 * running instance and exits; the window's size and position come back on the next launch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ElectronApplication } from 'playwright-core';
import {
  appArgs,
  appEnv,
  binary,
  closeApp,
  isAlive,
  launchApp,
  skip,
  tempUserData,
  waitFor,
} from './harness.ts';

interface WindowInfo {
  visible: boolean;
  destroyed: boolean;
}

const windows = (app: ElectronApplication): Promise<WindowInfo[]> =>
  app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows().map((w) => ({
      visible: w.isVisible(),
      destroyed: w.isDestroyed(),
    })),
  );

const closeWindow = (app: ElectronApplication): Promise<void> =>
  app.evaluate(({ BrowserWindow }) => {
    BrowserWindow.getAllWindows()[0]?.close();
  });

test(
  'closing the window keeps Nightshift running in the tray; the window can be opened again',
  { skip },
  async () => {
    const userData = tempUserData();
    const { app, page, pid } = await launchApp(userData);
    try {
      await closeWindow(app);
      await waitFor(
        async () => (await windows(app)).every((w) => !w.visible),
        'the window to be hidden',
      );
      // Give a quit (if closing wrongly quit the app) time to happen.
      await new Promise((r) => setTimeout(r, 1_000));
      assert.ok(isAlive(pid), 'the app still runs after its window closed (close to tray is on)');
      assert.equal(app.process().exitCode, null);
      assert.deepEqual(await windows(app), [{ visible: false, destroyed: false }]);
      // What the tray's "Open Nightshift" and the dock do: showWindow() ('activate' calls it).
      await app.evaluate(({ app: electronApp }) => {
        electronApp.emit('activate');
      });
      await waitFor(
        async () => (await windows(app)).some((w) => w.visible),
        'the window to be shown again',
      );
      // The same page, still live: it answers through the bridge.
      const info = await page.evaluate(() =>
        (
          window as unknown as { nightshift: { call: Record<string, () => Promise<unknown>> } }
        ).nightshift.call['app.info']?.(),
      );
      assert.equal((info as { ok: boolean }).ok, true);
    } finally {
      await closeApp(app, pid);
      rmSync(userData, { recursive: true, force: true });
    }
  },
);

test('a second launch shows the running instance and exits', { skip }, async () => {
  const userData = tempUserData();
  const { app, pid } = await launchApp(userData);
  let secondPid: number | undefined;
  try {
    await closeWindow(app);
    await waitFor(
      async () => (await windows(app)).every((w) => !w.visible),
      'the window to be hidden',
    );
    const second = spawn(binary as string, appArgs(userData), {
      env: appEnv(),
      stdio: 'ignore',
    });
    secondPid = second.pid;
    const exit = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('The second instance did not exit within 30 s.')),
        30_000,
      );
      second.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      second.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    assert.equal(exit, 0, 'the second instance quits cleanly');
    await waitFor(
      async () => (await windows(app)).some((w) => w.visible),
      'the first instance to show its window',
    );
    assert.ok(isAlive(pid), 'the first instance keeps running');
    assert.equal((await windows(app)).length, 1, 'no second window');
  } finally {
    if (secondPid !== undefined && isAlive(secondPid)) process.kill(secondPid, 'SIGKILL');
    await closeApp(app, pid);
    if (secondPid !== undefined) assert.equal(isAlive(secondPid), false);
    rmSync(userData, { recursive: true, force: true });
  }
});

test('the window’s size and position are restored on the next launch', { skip }, async () => {
  const userData = tempUserData();
  const wanted = { x: 40, y: 30, width: 900, height: 600 };
  const file = join(userData, 'window-state.json');
  try {
    const first = await launchApp(userData);
    let saved: { x: number; y: number; width: number; height: number; maximized: boolean };
    try {
      await first.app.evaluate(({ BrowserWindow }, bounds) => {
        BrowserWindow.getAllWindows()[0]?.setBounds(bounds);
      }, wanted);
      // Saved a moment after the last move or resize.
      saved = await waitFor(() => {
        if (!existsSync(file)) return null;
        const s = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
        return s.width === wanted.width && s.height === wanted.height ? s : null;
      }, 'window-state.json to hold the new size');
      assert.equal(saved.maximized, false);
    } finally {
      await closeApp(first.app, first.pid);
    }
    const second = await launchApp(userData);
    try {
      const bounds = await second.app.evaluate(({ BrowserWindow }) =>
        BrowserWindow.getAllWindows()[0]?.getBounds(),
      );
      assert.ok(bounds, 'a window exists');
      assert.equal(bounds.width, saved.width);
      assert.equal(bounds.height, saved.height);
      // A window manager may nudge the position by its decorations; the size is exact.
      assert.ok(Math.abs(bounds.x - saved.x) <= 40, `x ${bounds.x} is near ${saved.x}`);
      assert.ok(Math.abs(bounds.y - saved.y) <= 40, `y ${bounds.y} is near ${saved.y}`);
    } finally {
      await closeApp(second.app, second.pid);
    }
  } finally {
    rmSync(userData, { recursive: true, force: true });
  }
});
