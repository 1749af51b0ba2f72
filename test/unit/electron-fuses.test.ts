import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// electron-builder's own YAML parser (a dependency of it; no types are published with it).
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

const root = join(import.meta.dirname, '..', '..');

test('the packaged app flips every fuse the design allows; RunAsNode stays on for the agents', () => {
  const config = yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
    electronFuses?: Record<string, boolean>;
    asar?: boolean;
  };
  assert.equal(config.asar, true, 'ASAR integrity and asar-only loading need an asar');
  assert.deepEqual(config.electronFuses, {
    runAsNode: true,
    enableCookieEncryption: true,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    loadBrowserProcessSpecificV8Snapshot: false,
    grantFileProtocolExtraPrivileges: false,
  });
  // Every key is one electron-builder knows (a typo would be ignored silently at build time).
  const scheme = JSON.parse(
    readFileSync(join(root, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8'),
  ) as { definitions: Record<string, { properties: Record<string, unknown> }> };
  const known = Object.keys(scheme.definitions.FuseOptionsV1?.properties ?? {});
  for (const key of Object.keys(config.electronFuses ?? {})) assert.ok(known.includes(key), key);
  // The reason RunAsNode is kept: the agents are launched that way.
  const main = readFileSync(join(root, 'main', 'electron', 'main.ts'), 'utf8');
  assert.match(main, /baseAgentEnv: \{ ELECTRON_RUN_AS_NODE: '1' \}/);
});
