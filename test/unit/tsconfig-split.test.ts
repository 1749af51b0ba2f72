/**
 * The TypeScript programs keep runtimes apart: Node code is checked without the DOM, the renderer
 * without Node's types. Each probe is a file placed (in memory) in a layer's folder and checked
 * with that layer's real tsconfig; a forbidden global must be a type error, an allowed one not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '../..');

function diagnosticsOf(config: string, file: string, source: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, config), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)),
  });
  assert.ok(parsed, `${config} parses`);
  const path = join(root, file);
  const host = ts.createCompilerHost(parsed.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) =>
    resolve(name) === path
      ? ts.createSourceFile(name, source, version)
      : getSourceFile.call(host, name, version, ...rest);
  host.fileExists = (name) => resolve(name) === path || fileExists.call(host, name);
  host.readFile = (name) => (resolve(name) === path ? source : readFile.call(host, name));
  const program = ts.createProgram({ rootNames: [path], options: parsed.options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && resolve(d.file.fileName) === path)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

test('Node code cannot use the DOM, and can use Node', () => {
  const dom = diagnosticsOf(
    'tsconfig.node.json',
    'core/__probe.ts',
    'export const title: string = document.title;\n',
  );
  assert.equal(dom.length, 1, JSON.stringify(dom));
  assert.match(dom[0] ?? '', /Cannot find name 'document'/);
  assert.deepEqual(
    diagnosticsOf(
      'tsconfig.node.json',
      'core/__probe.ts',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\nexport const pid: number = process.pid;\n",
    ),
    [],
  );
});

test('the renderer cannot use Node, and can use the DOM', () => {
  const node = diagnosticsOf(
    'tsconfig.web.json',
    'renderer/src/__probe.ts',
    "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\nexport const pid: number = process.pid;\n",
  );
  assert.equal(node.length, 2, JSON.stringify(node));
  assert.match(node[0] ?? '', /Cannot find (module|name) 'node:fs'/);
  assert.match(node[1] ?? '', /Cannot find name 'process'/);
  assert.deepEqual(
    diagnosticsOf(
      'tsconfig.web.json',
      'renderer/src/__probe.ts',
      'export const title: string = document.title;\n',
    ),
    [],
  );
});
