/**
 * Secrets (provider API key and auth token) never go to the renderer and never into the
 * settings document. In Electron they are encrypted with safeStorage; in the browser shell,
 * where no OS keychain is reachable, they live in a 0600 file in the data directory.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type SecretName = 'apiKey' | 'authToken';

export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

export interface Secrets {
  get(name: SecretName): string | null;
  set(name: SecretName, value: string | null): void;
  all(): string[];
}

export const plainCodec: SecretCodec = {
  encode: (p) => Buffer.from(p, 'utf8').toString('base64'),
  decode: (s) => Buffer.from(s, 'base64').toString('utf8'),
};

export function fileSecrets(path: string, codec: SecretCodec = plainCodec): Secrets {
  const read = (): Record<string, string> => {
    try {
      return existsSync(path)
        ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>)
        : {};
    } catch {
      return {};
    }
  };
  const write = (data: Record<string, string>) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(data), { mode: 0o600 });
    chmodSync(path, 0o600);
  };
  return {
    get(name) {
      const v = read()[name];
      if (!v) return null;
      try {
        return codec.decode(v);
      } catch {
        return null;
      }
    },
    set(name, value) {
      const data = read();
      if (value === null) delete data[name];
      else data[name] = codec.encode(value);
      write(data);
    },
    all() {
      return (['apiKey', 'authToken'] as const)
        .map((n) => this.get(n))
        .filter((v): v is string => !!v);
    },
  };
}
