/**
 * The desktop app's core as main/electron/main.ts builds it, without windows: the Electron
 * shell's own settings store and secret store (main/electron/electron-store-adapter.ts,
 * unchanged) over the recording stand-in for `electron`, behind the real app core, on a real
 * userData folder. Each call is one launch; the stand-in's safeStorage says what it offers.
 */
import './electron-standin/register.ts';
import { createApp, type NightshiftApp } from '../../main/app.ts';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { app as electronApp } from './electron-standin/index.ts';

export async function launchDesktopCore(
  dataDir: string,
  agentCommand: { command: string; args: string[] },
): Promise<NightshiftApp> {
  // Loaded after the stand-in is registered: a static import would resolve 'electron' first.
  const { openElectronStore, safeStorageSecrets } =
    await import('../../main/electron/electron-store-adapter.ts');
  electronApp.paths.userData = dataDir;
  return createApp({
    shell: 'electron',
    version: '0.0.0-test',
    dataDir,
    openStore: async () => openElectronStore(dataDir),
    secrets: safeStorageSecrets(dataDir),
    diagnostics: createDiagnostics(null),
    agentCommand: () => agentCommand,
    stopGraceMs: 2_000,
  });
}
