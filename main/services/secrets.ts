/**
 * Secrets (provider API key and auth token) never go to the renderer and never into the
 * settings document. Every store says what protects it, in a sentence Settings shows:
 * - Electron with a real OS keychain backend: encrypted with safeStorage (`keychain`);
 * - Electron without one (Linux `basic_text`, or no encryption at all): the user's choice in
 *   Settings, never a silent fallback: kept in memory for this launch only (`launch`), or taken
 *   from the provider variables Nightshift was started with (`environment`);
 * - the browser shell: a file only this user can read, mode 0600, not encrypted (`file`).
 * Provider variables in Nightshift's own environment reach agents in every case.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { messageOf, type SecretsWithoutEncryption } from '../../contract/index.ts';
import { dirname } from 'node:path';

export type SecretName = 'apiKey' | 'authToken';

export interface SecretCodec {
  encode(plain: string): string;
  decode(stored: string): string;
}

export type SecretsProtectionKind = 'keychain' | 'file' | 'launch' | 'environment';

export interface SecretsProtection {
  kind: SecretsProtectionKind;
  sentence: string;
  /** Nothing encrypts secrets here: Settings offers launch-only or environment variables. */
  offersChoice: boolean;
  /** In environment mode, the provider variables read at launch that agents use. */
  fromLaunchEnvironment: string[];
}

export interface Secrets {
  get(name: SecretName): string | null;
  /** Throws with a sentence where secrets cannot be entered (environment mode). */
  set(name: SecretName, value: string | null): void;
  all(): string[];
  readonly protection: SecretsProtection;
  /** What went wrong reading the stored secrets, in a sentence, or null. */
  problem?(): string | null;
  /** Where nothing encrypts secrets: applies the user's choice (from Settings). */
  choose?(mode: SecretsWithoutEncryption): void;
}

/** The provider variables agents inherit from Nightshift's environment. */
export const providerEnvironment = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;

/** Which provider variable stands for which secret. */
export const secretVariable: Record<SecretName, (typeof providerEnvironment)[number]> = {
  apiKey: 'ANTHROPIC_API_KEY',
  authToken: 'ANTHROPIC_AUTH_TOKEN',
};

const environmentHint = `To keep a key across launches, start Nightshift with ${providerEnvironment.join(' or ')} set in its environment; agents use it when none is entered here.`;

export interface SafeStorageReport {
  platform: NodeJS.Platform;
  available: boolean;
  backend: string | null;
}

/**
 * Why safeStorage gives no real protection here, or null where an OS keychain encrypts. On Linux
 * without a keyring Electron falls back to `basic_text`, a fixed key: no protection.
 */
export function missingEncryption(input: SafeStorageReport): string | null {
  const weakBackend =
    input.platform === 'linux' && (input.backend === 'basic_text' || input.backend === 'unknown');
  if (input.available && !weakBackend) return null;
  return !input.available
    ? 'No OS keychain can encrypt secrets here'
    : `No OS keyring is available here (Electron reports ${input.backend}, a fixed key that protects nothing)`;
}

/** What Electron's safeStorage offers here: real encryption only with an OS keychain backend. */
export function safeStorageProtection(input: SafeStorageReport): SecretsProtection {
  const why = missingEncryption(input);
  if (why === null) {
    const by =
      input.platform === 'darwin'
        ? 'the macOS Keychain'
        : input.platform === 'win32'
          ? 'Windows DPAPI'
          : `the system keyring (${input.backend ?? 'unknown'})`;
    return {
      kind: 'keychain',
      sentence: `Secrets are encrypted with ${by}.`,
      offersChoice: false,
      fromLaunchEnvironment: [],
    };
  }
  return launchProtection(why);
}

/** The launch-only choice, in words: where the key lives and when it is gone. */
export const launchProtection = (why: string): SecretsProtection => ({
  kind: 'launch',
  sentence: `${why}, so secrets you enter are kept for this launch only and never written to disk: they are gone when Nightshift quits. ${environmentHint}`,
  offersChoice: true,
  fromLaunchEnvironment: [],
});

/** The environment choice, in words: which variables agents use, or that none was set. */
export function environmentProtection(why: string, found: readonly string[]): SecretsProtection {
  const which =
    found.length > 0
      ? `agents use ${found.join(' and ')} from the environment Nightshift was started with`
      : `but neither ${providerEnvironment.join(' nor ')} was set when Nightshift started: set one in the environment Nightshift starts from, then restart it`;
  return {
    kind: 'environment',
    sentence: `${why}, so Nightshift keeps no secrets and takes them from environment variables: ${which}. Nothing you enter is stored.`,
    offersChoice: true,
    fromLaunchEnvironment: [...found],
  };
}

export const fileProtection = (path: string): SecretsProtection => ({
  kind: 'file',
  sentence: `Secrets are stored unencrypted in ${path}, readable only by your user account (mode 0600). ${environmentHint}`,
  offersChoice: false,
  fromLaunchEnvironment: [],
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

/**
 * Secrets where nothing encrypts them: the user's choice between this launch only (memory) and
 * the provider variables in `launchEnv`, read once when Nightshift started. In environment mode
 * nothing can be entered; a key entered for this launch is forgotten on the switch.
 */
export function unencryptedSecrets(options: {
  why: string;
  launchEnv: Record<string, string | undefined>;
  initial?: Partial<Record<SecretName, string>>;
}): Secrets {
  const fromEnv = new Map<SecretName, string>();
  for (const [name, variable] of Object.entries(secretVariable) as [SecretName, string][]) {
    const v = options.launchEnv[variable];
    if (v && v.trim() !== '') fromEnv.set(name, v);
  }
  const found = [...fromEnv.keys()].map((n) => secretVariable[n]);
  let mode: SecretsWithoutEncryption = 'launch';
  let memory = launchSecrets(launchProtection(options.why), options.initial);
  return {
    get protection() {
      return mode === 'launch' ? memory.protection : environmentProtection(options.why, found);
    },
    get: (name) => (mode === 'launch' ? memory.get(name) : (fromEnv.get(name) ?? null)),
    set(name, value) {
      if (mode === 'environment')
        throw new Error(
          `Secrets come from environment variables here: set ${secretVariable[name]} in the environment Nightshift starts from and restart it, or choose "Keep secrets for this launch only" to enter one.`,
        );
      memory.set(name, value);
    },
    all: () => (mode === 'launch' ? memory.all() : [...fromEnv.values()]),
    choose(next) {
      if (next === mode) return;
      if (next === 'environment') memory = launchSecrets(memory.protection);
      mode = next;
    },
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
