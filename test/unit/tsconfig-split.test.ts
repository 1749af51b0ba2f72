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

const usesDom = 'export const title: string = document.title;\n';
const usesNode =
  "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\nexport const pid: number = process.pid;\n";

/** Each side of the split: what it refuses (with the errors, in order) and what it allows. */
const sides = [
  {
    name: 'Node code cannot use the DOM, and can use Node',
    config: 'tsconfig.node.json',
    probe: 'core/__probe.ts',
    refused: usesDom,
    errors: [/Cannot find name 'document'/],
    allowed: usesNode,
  },
  {
    name: 'the renderer cannot use Node, and can use the DOM',
    config: 'tsconfig.web.json',
    probe: 'renderer/src/__probe.ts',
    refused: usesNode,
    errors: [/Cannot find (module|name) 'node:fs'/, /Cannot find name 'process'/],
    allowed: usesDom,
  },
];

for (const side of sides) {
  test(side.name, () => {
    const refused = diagnosticsOf(side.config, side.probe, side.refused);
    assert.equal(refused.length, side.errors.length, JSON.stringify(refused));
    for (const [i, error] of side.errors.entries()) assert.match(refused[i] ?? '', error);
    assert.deepEqual(diagnosticsOf(side.config, side.probe, side.allowed), []);
  });
}
