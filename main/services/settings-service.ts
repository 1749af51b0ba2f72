/** Global settings as the UI sees them: validated updates, secrets write-only with hints. */
import {
  type ModelInfo,
  type Result,
  type Settings,
  type SettingsUpdate,
  type SettingsView,
  err,
  knownModels,
  ok,
} from '../../contract/index.ts';
import { secretHint } from '../../core/redact.ts';
import { settingsEnv } from '../../core/launch-protocol.ts';
import type { EventBus } from './event-bus.ts';
import type { Registry } from './registry.ts';
import { type Secrets, providerEnvironment } from './secrets.ts';

export class SettingsService {
  private readonly registry: Registry;
  private readonly secrets: Secrets;
  private readonly bus: EventBus | null;
  private readonly recoveredFrom: string | null;
  private readonly storageProblem: string | null;
  private readonly changeListeners = new Set<(settings: Settings) => void>();

  constructor(
    registry: Registry,
    secrets: Secrets,
    bus: EventBus | null,
    recoveredFrom: string | null,
    storageProblem: string | null = null,
  ) {
    this.storageProblem = storageProblem;
    this.registry = registry;
    this.secrets = secrets;
    this.bus = bus;
    this.recoveredFrom = recoveredFrom;
    // Where nothing encrypts secrets, the user's stored choice applies from launch on.
    this.secrets.choose?.(this.get().secretsWithoutEncryption);
  }

  get(): Settings {
    return this.registry.settings();
  }

  view(): SettingsView {
    const hint = (v: string | null) => ({ set: v !== null, hint: v ? secretHint(v) : '' });
    return {
      ...this.get(),
      secrets: {
        apiKey: hint(this.secrets.get('apiKey')),
        authToken: hint(this.secrets.get('authToken')),
      },
      recoveredFrom: this.recoveredFrom,
      storageProblem:
        [this.storageProblem, this.secrets.problem?.()].filter(Boolean).join(' ') || null,
      secretsProtection: {
        ...this.secrets.protection,
        fromLaunchEnvironment: [...this.secrets.protection.fromLaunchEnvironment],
        fromEnvironment: providerEnvironment.filter((name) => !!process.env[name]),
      },
    };
  }

  update(input: SettingsUpdate): Result<SettingsView> {
    const current = this.get();
    const { apiKey, authToken, defaults, provider, ...rest } = input;
    const next: Settings = {
      ...current,
      ...rest,
      defaults: { ...current.defaults, ...(defaults ?? {}) },
      provider: { ...current.provider, ...(provider ?? {}) },
    };
    const enteringSecrets = apiKey !== undefined || authToken !== undefined;
    if (
      enteringSecrets &&
      this.secrets.protection.offersChoice &&
      next.secretsWithoutEncryption === 'environment'
    )
      return err(
        'invalid-input',
        `Secrets come from environment variables here, so nothing entered in Settings is used: set ${apiKey !== undefined ? 'ANTHROPIC_API_KEY' : 'ANTHROPIC_AUTH_TOKEN'} in the environment Nightshift starts from and restart it, or choose "Keep secrets for this launch only".`,
        apiKey !== undefined ? 'apiKey' : 'authToken',
      );
    this.registry.updateSettings(next);
    this.secrets.choose?.(next.secretsWithoutEncryption);
    if (apiKey !== undefined) this.secrets.set('apiKey', apiKey);
    if (authToken !== undefined) this.secrets.set('authToken', authToken);
    const view = this.view();
    for (const l of this.changeListeners) l(next);
    this.bus?.emit('settings.changed', view);
    return ok(view);
  }

  onChange(listener: (settings: Settings) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  models(): ModelInfo[] {
    const list: ModelInfo[] = knownModels.map((m) => ({ id: m.id, name: m.name, custom: false }));
    const current = this.get().defaults.model;
    if (!list.some((m) => m.id === current))
      list.push({ id: current, name: `${current} (custom)`, custom: true });
    return list;
  }

  /** Environment for the agent: provider credentials and limits. */
  agentEnvironment(): Record<string, string> {
    const s = this.get();
    const env: Record<string, string> = {};
    const apiKey = this.secrets.get('apiKey');
    const authToken = this.secrets.get('authToken');
    if (apiKey) env.ANTHROPIC_API_KEY = apiKey;
    if (authToken) env.ANTHROPIC_AUTH_TOKEN = authToken;
    if (s.provider.baseUrl) env.ANTHROPIC_BASE_URL = s.provider.baseUrl;
    return { ...env, ...settingsEnv(s) };
  }
}
