/**
 * A second Nightshift launch (main/electron/main.ts against the `electron` stand-in): when the
 * single-instance lock is refused, it quits at once and never builds the app, a window, the tray
 * or the IPC router, so it cannot supervise (or start) a second copy of any agent. The running
 * instance's side ('second-instance' focuses its window) is in shell-main.test.ts.
 */
import '../helpers/electron-standin/register.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, callsOf, ipcMain, Tray } from '../helpers/electron-standin/index.ts';

test('a launch refused the single-instance lock quits without building anything', async () => {
  const userData = mkdtempSync(join(tmpdir(), 'ns-standin-second-'));
  try {
    app.paths.userData = userData;
    app.singleInstanceLock = false;
    await import('../../main/electron/main.ts');
    assert.equal(callsOf('app.requestSingleInstanceLock').length, 1);
    assert.equal(app.quitRequested, 1, 'it quits');
    app.markReady();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(BrowserWindow.all.length, 0, 'no window');
    assert.equal(Tray.all.length, 0, 'no tray');
    assert.equal(ipcMain.handlers.size, 0, 'no IPC router');
    assert.deepEqual(readdirSync(userData), [], 'the data dir is untouched: no store was opened');
  } finally {
    rmSync(userData, { recursive: true, force: true });
  }
});
