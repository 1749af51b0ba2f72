/**
 * The whole app as `nightshift serve` builds it (browser shell, a conf store, file secrets, no
 * diagnostics), on a test's own data dir, with a fixture agent as the agent command.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Result } from '../../contract/index.ts';
import { createApp, type NightshiftApp } from '../../main/app.ts';
import type { Clock } from '../../main/services/clock.ts';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { fileSecrets } from '../../main/services/secrets.ts';
import { openConfStore } from '../../main/services/store.ts';

export function createBrowserApp(
  dataDir: string,
  agentScript: string,
  clock?: Clock,
  preflight?: (projectDir: string) => string | null,
): Promise<NightshiftApp> {
  return createApp({
    shell: 'browser',
    version: '0.0.0-test',
    dataDir,
    openStore: () => openConfStore(dataDir),
    secrets: fileSecrets(join(dataDir, 'secrets.json')),
    diagnostics: createDiagnostics(null),
    agentCommand: () => ({ command: process.execPath, args: [agentScript] }),
    ...(clock ? { clock } : {}),
    ...(preflight ? { preflight } : {}),
    stopGraceMs: 2_000,
  });
}

/** Dispatches a command and fails the test, with the error's sentence, unless it succeeded. */
export function caller(app: NightshiftApp): <T>(name: string, input: unknown) => Promise<T> {
  return async <T>(name: string, input: unknown): Promise<T> => {
    const r = (await app.dispatch(name, input)) as Result<T>;
    assert.ok(r.ok, `${name}: ${r.ok ? '' : r.error.message}`);
    return r.value;
  };
}
