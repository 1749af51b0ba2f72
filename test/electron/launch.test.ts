/**
 * Launches the built app in real Electron through Playwright's `_electron`. Where no Electron
 * binary exists (this machine cannot download one) the test is skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { binary, launchApp, root, tempUserData } from './harness.ts';

const skip = binary
  ? false
  : 'no Electron binary on this machine (it cannot be downloaded here); the browser-shell e2e suite covers the same renderer and API';

test(
  'the Electron window opens sandboxed, shows the app and exposes only the typed bridge',
  { skip },
  async () => {
    const userData = tempUserData();
    const { app, page } = await launchApp(userData);
    try {
      const shape = await page.evaluate(() => {
        const w = window as unknown as {
          nightshift?: { call: Record<string, unknown>; on: unknown };
          require?: unknown;
          process?: unknown;
        };
        return {
          commands: Object.keys(w.nightshift?.call ?? {}).length,
          hasOn: typeof w.nightshift?.on === 'function',
          node: typeof w.require !== 'undefined' || typeof w.process !== 'undefined',
          origin: location.origin,
        };
      });
      assert.ok(shape.commands > 20);
      assert.equal(shape.hasOn, true);
      assert.equal(shape.node, false, 'no Node in the page');
      assert.equal(shape.origin, 'app://nightshift');
      const info = await page.evaluate(() =>
        (
          window as unknown as { nightshift: { call: Record<string, () => Promise<unknown>> } }
        ).nightshift.call['app.info']?.(),
      );
      assert.equal((info as { ok: boolean; value: { shell: string } }).value.shell, 'electron');
    } finally {
      await app.close();
      rmSync(userData, { recursive: true, force: true });
    }
  },
);

test('the preload is one self-contained CommonJS file', () => {
  const file = join(root, 'out/preload/index.cjs');
  assert.ok(existsSync(file), 'out/preload/index.cjs is built');
  const text = readFileSync(file, 'utf8');
  const requires = [...text.matchAll(/require\((['"])([^'"]+)\1\)/g)].map((m) => m[2]);
  assert.deepEqual([...new Set(requires)], ['electron'], 'only electron is required at runtime');
  assert.doesNotMatch(text, /^\s*import\s.+from\s/m, 'no ES module imports');
  assert.doesNotMatch(text, /^\s*export\s/m, 'no ES module exports');
  assert.match(text, /exposeInMainWorld\(\s*['"]nightshift['"]/);
  assert.doesNotMatch(text, /['"]invoke['"]\s*:/, 'no generic invoke is exposed');
});
