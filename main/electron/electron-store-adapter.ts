/** The Store port over electron-store, and secrets over safeStorage. */
import ElectronStore from 'electron-store';
import { safeStorage } from 'electron';
import { join } from 'node:path';
import { loadConfDocument, type LoadedDocument, type Store } from '../services/store.ts';
import {
  fileSecrets,
  missingEncryption,
  plainCodec,
  safeStorageProtection,
  unencryptedSecrets,
  type Secrets,
} from '../services/secrets.ts';

export function openElectronStore(dataDir: string): { store: Store } & LoadedDocument {
  return loadConfDocument(
    join(dataDir, 'nightshift.json'),
    () =>
      new ElectronStore<Record<string, unknown>>({
        cwd: dataDir,
        name: 'nightshift',
        clearInvalidConfig: false,
        watch: false,
      }),
  );
}

/**
 * Secrets over safeStorage when an OS keychain really encrypts them. Otherwise the user's choice
 * in Settings (never a silent plain-text fallback): this launch only, in memory, or the provider
 * variables of the environment Nightshift starts with, read now. An unencrypted secrets.json an
 * earlier version wrote is read once, so a key is not lost, and never written again.
 */
export function safeStorageSecrets(dataDir: string): Secrets {
  const report = {
    platform: process.platform,
    available: safeStorage.isEncryptionAvailable(),
    backend: process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null,
  };
  const why = missingEncryption(report);
  if (why === null)
    return fileSecrets(
      join(dataDir, 'secrets.enc.json'),
      {
        encode: (p) => safeStorage.encryptString(p).toString('base64'),
        decode: (s) => safeStorage.decryptString(Buffer.from(s, 'base64')),
      },
      safeStorageProtection(report),
    );
  const legacy = fileSecrets(join(dataDir, 'secrets.json'), plainCodec);
  return unencryptedSecrets({
    why,
    launchEnv: { ...process.env },
    initial: {
      ...(legacy.get('apiKey') ? { apiKey: legacy.get('apiKey') as string } : {}),
      ...(legacy.get('authToken') ? { authToken: legacy.get('authToken') as string } : {}),
    },
  });
}
