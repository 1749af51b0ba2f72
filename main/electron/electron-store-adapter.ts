/** The Store port over electron-store, and secrets over safeStorage. */
import ElectronStore from 'electron-store';
import { safeStorage } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDocument, type LoadedDocument, type Store } from '../services/store.ts';
import { fileSecrets, plainCodec, type Secrets } from '../services/secrets.ts';

export function openElectronStore(dataDir: string): { store: Store } & LoadedDocument {
  const path = join(dataDir, 'nightshift.json');
  return loadDocument(path, () => {
    if (existsSync(path)) JSON.parse(readFileSync(path, 'utf8'));
    const store = new ElectronStore<Record<string, unknown>>({
      cwd: dataDir,
      name: 'nightshift',
      clearInvalidConfig: false,
      watch: false,
    });
    return {
      path: store.path,
      read: () => store.store,
      write: (doc) => {
        store.store = doc as unknown as Record<string, unknown>;
      },
    };
  });
}

export function safeStorageSecrets(dataDir: string): Secrets {
  const encrypted = safeStorage.isEncryptionAvailable();
  return fileSecrets(
    join(dataDir, encrypted ? 'secrets.enc.json' : 'secrets.json'),
    encrypted
      ? {
          encode: (p) => safeStorage.encryptString(p).toString('base64'),
          decode: (s) => safeStorage.decryptString(Buffer.from(s, 'base64')),
        }
      : plainCodec,
  );
}
