/**
 * Secrets (provider API key and auth token) never go to the renderer and never into the
 * settings document. Every store says what protects it, in a sentence Settings shows:
 * - Electron with a real OS keychain backend: encrypted with safeStorage (`keychain`);
 * - Electron without one (Linux `basic_text`, or no encryption at all): kept in memory for this
 *   launch only (`launch`), never written in a reversible encoding behind the user's back;
 * - the browser shell: a file only this user can read, mode 0600, not encrypted (`file`).
 * Provider variables in Nightshift's own environment reach agents in every case.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { messageOf } from '../../contract/index.ts';
import { dirname } from 'node:path';

export type SecretName = 'apiKey' | 'authToken';

export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

export type SecretsProtectionKind = 'keychain' | 'file' | 'launch';

export interface SecretsProtection {
  kind: SecretsProtectionKind;
  sentence: string;
}

export interface Secrets {
  get(name: SecretName): string | null;
  set(name: SecretName, value: string | null): void;
  all(): string[];
  readonly protection: SecretsProtection;
  /** What went wrong reading the stored secrets, in a sentence, or null. */
  problem?(): string | null;
}

/** The provider variables agents inherit from Nightshift's environment. */
export const providerEnvironment = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;

const environmentHint = `To keep a key across launches, start Nightshift with ${providerEnvironment.join(' or ')} set in its environment; agents use it when none is entered here.`;

/**
 * What Electron's safeStorage offers here: real encryption only with an OS keychain backend.
 * On Linux without a keyring Electron falls back to `basic_text`, a fixed key: no protection.
 */
export function safeStorageProtection(input: {
  platform: NodeJS.Platform;
  available: boolean;
  backend: string | null;
}): SecretsProtection {
  const weakBackend =
    input.platform === 'linux' && (input.backend === 'basic_text' || input.backend === 'unknown');
  if (input.available && !weakBackend) {
    const by =
      input.platform === 'darwin'
        ? 'the macOS Keychain'
        : input.platform === 'win32'
          ? 'Windows DPAPI'
          : `the system keyring (${input.backend ?? 'unknown'})`;
    return { kind: 'keychain', sentence: `Secrets are encrypted with ${by}.` };
  }
  const why = !input.available
    ? 'No OS keychain can encrypt secrets here'
    : `No OS keyring is available here (Electron reports ${input.backend}, a fixed key that protects nothing)`;
  return {
    kind: 'launch',
    sentence: `${why}, so secrets you enter are kept for this launch only and never written to disk. ${environmentHint}`,
  };
}

export const fileProtection = (path: string): SecretsProtection => ({
  kind: 'file',
  sentence: `Secrets are stored unencrypted in ${path}, readable only by your user account (mode 0600). ${environmentHint}`,
});

/** Secrets kept in memory for this launch only. */
export function launchSecrets(
  protection: SecretsProtection,
  initial: Partial<Record<SecretName, string>> = {},
): Secrets {
  const values = new Map<SecretName, string>(
    Object.entries(initial).filter((e): e is [SecretName, string] => !!e[1]),
  );
  return {
    protection,
    get: (name) => values.get(name) ?? null,
    set(name, value) {
      if (value === null) values.delete(name);
      else values.set(name, value);
    },
    all: () => [...values.values()],
  };
}

export const plainCodec: SecretCodec = {
  encode: (p) => Buffer.from(p, 'utf8').toString('base64'),
  decode: (s) => Buffer.from(s, 'base64').toString('utf8'),
};

export function fileSecrets(
  path: string,
  codec: SecretCodec = plainCodec,
  protection: SecretsProtection = fileProtection(path),
): Secrets {
  let problem: string | null = null;
  /** A file that cannot be parsed is kept aside (never overwritten) and reported once. */
  const read = (): Record<string, string> => {
    let text: string;
    try {
      if (!existsSync(path)) return {};
      text = readFileSync(path, 'utf8');
    } catch (error) {
      problem ??= `The secrets file ${path} could not be read (${messageOf(error)}); enter the key again in Settings.`;
      return {};
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, string>;
      throw new Error('it is not a JSON object');
    } catch (error) {
      const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      try {
        renameSync(path, aside);
        problem = `The secrets file could not be read (${messageOf(error)}); it was kept aside as ${aside}. Enter the key again in Settings.`;
      } catch {
        problem ??= `The secrets file ${path} could not be read (${messageOf(error)}); enter the key again in Settings.`;
      }
      return {};
    }
  };
  const write = (data: Record<string, string>) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(data), { mode: 0o600 });
    chmodSync(path, 0o600);
  };
  read();
  return {
    protection,
    problem: () => problem,
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
