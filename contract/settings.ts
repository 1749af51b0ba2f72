import { z } from 'zod';
import { ModelId, defaultModel } from './models.ts';
import { CodingAgents, RegressionAgents, RunSettings } from './run-settings.ts';

export const notificationKinds = [
  'all-passing',
  /** The run ended by itself with work left, or could not go on (e.g. credentials refused). */
  'work-left',
  'agent-crashed',
  'retries-exhausted',
  'needs-human-input',
  'rate-limited',
  'window-started',
  'window-ended',
  'budget-stopped',
  'night-report',
] as const;
export const NotificationKind = z.enum(notificationKinds);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const QuitBehavior = z.enum(['stop-agents', 'leave-running']);
export type QuitBehavior = z.infer<typeof QuitBehavior>;

const BaseUrl = z
  .string()
  .trim()
  .max(500, 'A base URL has at most 500 characters')
  .regex(/^https?:\/\/\S+$/, 'A base URL must start with http:// or https://');

/**
 * Where no OS keychain encrypts secrets (Electron's Linux `basic_text`, or no encryption at
 * all), the user chooses: keep a key entered in Settings in memory for this launch only, or take
 * ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN from the environment Nightshift starts with. Where a
 * keychain exists (or in the browser shell, which says it keeps a plain 0600 file) it is unused.
 */
export const SecretsWithoutEncryption = z.enum(['launch', 'environment']);
export type SecretsWithoutEncryption = z.infer<typeof SecretsWithoutEncryption>;

/** What is persisted (secrets are not: they live in the Secrets port). */
export const Settings = z.object({
  defaults: RunSettings,
  quitBehavior: QuitBehavior,
  closeToTray: z.boolean(),
  startAtLogin: z.boolean(),
  /** Minutes between the drain at a window's end and the forced stop. */
  windowEndGraceMinutes: z.number().int().min(0).max(240),
  /** Wall-clock limit for one agent session, in minutes. */
  sessionTimeoutMinutes: z.number().int().min(5).max(720),
  /** Sessions that may end without passing a feature before it needs a human. */
  maxFeatureAttempts: z.number().int().min(1).max(20),
  mutedNotifications: z.array(NotificationKind),
  provider: z.object({
    baseUrl: BaseUrl.or(z.literal('')),
  }),
  claudeExecutablePath: z.string().max(1000),
  /** Where the OS sandbox cannot start, runs may start without it (off: Start refuses). */
  allowUnsandboxedRuns: z.boolean().default(false),
  /**
   * Checkpoints older than this many days are pruned, unless they hold work nothing else has
   * (at run start and once a day).
   */
  checkpointMaxAgeDays: z.number().int().min(1).max(3650).default(14),
  secretsWithoutEncryption: SecretsWithoutEncryption.default('launch'),
});
export type Settings = z.infer<typeof Settings>;

export const defaultSettings: Settings = {
  defaults: { model: defaultModel, yolo: false, codingAgents: 1, regressionAgents: 1 },
  quitBehavior: 'stop-agents',
  closeToTray: true,
  startAtLogin: false,
  windowEndGraceMinutes: 10,
  sessionTimeoutMinutes: 90,
  maxFeatureAttempts: 3,
  mutedNotifications: [],
  provider: { baseUrl: '' },
  claudeExecutablePath: '',
  allowUnsandboxedRuns: false,
  checkpointMaxAgeDays: 14,
  secretsWithoutEncryption: 'launch',
};

/** What the renderer sees: the settings plus whether each secret is set (never its value). */
export const SettingsView = Settings.extend({
  secrets: z.object({
    apiKey: z.object({ set: z.boolean(), hint: z.string() }),
    authToken: z.object({ set: z.boolean(), hint: z.string() }),
  }),
  /** Set when the settings file was unreadable and had to be replaced. */
  recoveredFrom: z.string().nullable(),
  /** What is wrong with the files Nightshift keeps (unreadable, read-only, full), in words. */
  storageProblem: z.string().nullable().optional(),
  /** What protects the secrets on this machine, in words (always set by main). */
  secretsProtection: z
    .object({
      /**
       * keychain: encrypted by the OS; file: a plain file only this user can read; launch:
       * memory, this launch only; environment: nothing kept, the provider variables Nightshift
       * started with are used.
       */
      kind: z.enum(['keychain', 'file', 'launch', 'environment']),
      sentence: z.string(),
      /** No OS keychain: Settings offers launch-only or environment (secretsWithoutEncryption). */
      offersChoice: z.boolean(),
      /** In environment mode: the variables read at launch that agents use (names only). */
      fromLaunchEnvironment: z.array(z.string()),
      /** Provider variables found in Nightshift's own environment (names only). */
      fromEnvironment: z.array(z.string()),
    })
    .optional(),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const SettingsUpdate = z
  .object({
    defaults: z
      .object({
        model: ModelId.optional(),
        yolo: z.boolean().optional(),
        codingAgents: CodingAgents.optional(),
        regressionAgents: RegressionAgents.optional(),
      })
      .strict()
      .optional(),
    quitBehavior: QuitBehavior.optional(),
    closeToTray: z.boolean().optional(),
    startAtLogin: z.boolean().optional(),
    windowEndGraceMinutes: z
      .number()
      .int()
      .min(0, 'The grace period is 0 to 240 minutes')
      .max(240, 'The grace period is 0 to 240 minutes')
      .optional(),
    sessionTimeoutMinutes: z
      .number()
      .int()
      .min(5, 'The session limit is 5 to 720 minutes')
      .max(720, 'The session limit is 5 to 720 minutes')
      .optional(),
    maxFeatureAttempts: z
      .number()
      .int()
      .min(1, 'Attempts are 1 to 20')
      .max(20, 'Attempts are 1 to 20')
      .optional(),
    mutedNotifications: z.array(NotificationKind).optional(),
    provider: z.object({ baseUrl: BaseUrl.or(z.literal('')) }).optional(),
    claudeExecutablePath: z.string().max(1000).optional(),
    allowUnsandboxedRuns: z.boolean().optional(),
    checkpointMaxAgeDays: z
      .number()
      .int()
      .min(1, 'Checkpoints are kept 1 to 3650 days')
      .max(3650, 'Checkpoints are kept 1 to 3650 days')
      .optional(),
    secretsWithoutEncryption: SecretsWithoutEncryption.optional(),
    /** Write-only: a new value replaces the stored one, null clears it. */
    apiKey: z.string().min(1).max(500).nullable().optional(),
    authToken: z.string().min(1).max(2000).nullable().optional(),
  })
  .strict();
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;
