/**
 * The layer rules of ARCHITECTURE.md hold at any folder depth: ESLint itself (our real config)
 * lints a forbidden import placed in a deep folder and must report it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, source: string, name = 'x'): Promise<string[]> {
  const [result] = await eslint.lintText(
    `import { ${name} } from '${source}';\nexport const y = ${name};\n`,
    { filePath: join(root, file) },
  );
  assert.ok(result, 'ESLint returned a result');
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], 'the code parsed');
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

/** [file, import source that crosses a layer boundary] */
const forbidden: [string, string][] = [
  ['renderer/src/components/a/b/Deep.tsx', '../../../../../main/services/supervisor.ts'],
  ['renderer/src/components/a/Deep.tsx', '../../../../core/redact.ts'],
  ['renderer/src/components/Shallow.tsx', '../../../agent/cli.ts'],
  ['renderer/src/lib/x.ts', '../../../preload/index.ts'],
  ['renderer/src/lib/x.ts', 'node:fs'],
  ['renderer/src/lib/x.ts', 'child_process'],
  ['renderer/src/lib/x.ts', 'electron'],
  ['preload/deep/er/x.ts', '../../../main/app.ts'],
  ['preload/x.ts', '../core/redact.ts'],
  ['preload/x.ts', 'node:fs'],
  ['main/services/deep/x.ts', 'electron'],
  ['main/services/deep/x.ts', '../../electron/tray.ts'],
  ['main/services/a/b/x.ts', '../../../../main/electron/tray.ts'],
  ['main/server/x.ts', '../electron/protocol.ts'],
  ['main/commands/x.ts', 'electron'],
  ['main/commands/x.ts', '../server/server.ts'],
  ['core/a/b/x.ts', '../../../main/services/supervisor.ts'],
  ['core/x.ts', 'electron'],
  ['agent/a/b/x.ts', '../../../main/app.ts'],
  ['contract/x.ts', '../core/redact.ts'],
  ['contract/x.ts', 'node:fs'],
  ['contract/x.ts', 'react'],
  ['renderer/src/components/Panel.tsx', '../api.ts'],
  ['renderer/src/components/a/Deep.tsx', '../../api'],
];

/** Imports the architecture allows, so the rules are not simply banning everything. */
const allowed: [string, string][] = [
  ['renderer/src/components/a/b/Deep.tsx', '../../../../../contract/index.ts'],
  ['renderer/src/components/a/Deep.tsx', '../../lib/format.ts'],
  ['renderer/src/main.tsx', 'react'],
  ['preload/x.ts', '../contract/api.ts'],
  ['preload/x.ts', 'electron'],
  ['main/services/x.ts', '../../core/redact.ts'],
  ['main/services/x.ts', 'node:fs'],
  ['main/services/x.ts', 'electron-store-free-name'],
  ['main/commands/x.ts', '../services/supervisor.ts'],
  ['main/electron/x.ts', 'electron'],
  ['main/electron/x.ts', '../services/supervisor.ts'],
  ['core/x.ts', '../contract/index.ts'],
  ['agent/x.ts', '../core/redact.ts'],
  ['contract/x.ts', 'zod'],
  ['contract/x.ts', './agent.ts'],
  ['renderer/src/actions/x.ts', '../api.ts'],
  ['renderer/src/components/Panel.tsx', '../actions/agent.ts'],
];

/** Raw IPC: [file, imported name, allowed] */
const ipc: [string, string, boolean][] = [
  ['main/electron/ipc-router.ts', 'ipcMain', true],
  ['preload/index.ts', 'ipcRenderer', true],
  ['preload/deep/x.ts', 'ipcRenderer', true],
  ['main/electron/tray.ts', 'ipcMain', false],
  ['main/electron/deep/x.ts', 'ipcMain', false],
  ['main/electron/main.ts', 'ipcRenderer', false],
  ['main/electron/main.ts', 'app', true],
  ['renderer/src/x.ts', 'ipcRenderer', false],
];

/** Every case above: an import (or a name imported from electron) that lint allows or refuses. */
const cases: { file: string; source: string; name?: string; ok: boolean; what: string }[] = [
  ...forbidden.map(([file, source]) => ({ file, source, ok: false, what: source })),
  ...allowed.map(([file, source]) => ({ file, source, ok: true, what: source })),
  ...ipc.map(([file, name, ok]) => ({
    file,
    source: 'electron',
    name,
    ok,
    what: `${name} from electron`,
  })),
];

for (const c of cases) {
  test(`lint ${c.ok ? 'allows' : 'refuses'} ${c.what} in ${c.file}`, async () => {
    const messages = await restricted(c.file, c.source, c.name);
    assert.equal(
      messages.length,
      c.ok ? 0 : 1,
      `expected ${c.ok ? 'no' : 'a'} layer error, got ${JSON.stringify(messages)}`,
    );
  });
}

test('each pure half of a shell module exists beside its shell and may not import electron', async () => {
  const config = (await eslint.calculateConfigForFile(
    join(root, 'main/electron/tray-menu.ts'),
  )) as {
    rules?: Record<string, unknown>;
  };
  assert.ok(config.rules?.['no-restricted-imports'], 'the rule is on for pure halves');
  const { pureHalves } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as {
    pureHalves: string[];
  };
  assert.ok(pureHalves.length >= 5);
  for (const file of pureHalves) {
    assert.ok(existsSync(join(root, file)), `${file} exists`);
    assert.match(file, /^main\/electron\/[^/]+\.ts$/, 'beside the shell files');
    assert.equal((await restricted(file, 'electron', 'app')).length, 1, file);
    assert.deepEqual(await restricted(file, '../../contract/index.ts'), [], file);
  }
});
