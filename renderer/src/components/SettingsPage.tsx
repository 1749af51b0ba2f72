import { useState, type ReactNode } from 'react';
import {
  notificationKinds,
  type AppError,
  type NotificationKind,
  type QuitBehavior,
  type RunSettings,
  type SecretsWithoutEncryption,
  type SettingsView,
} from '../../../contract/index.ts';

type SecretsKind = NonNullable<SettingsView['secretsProtection']>['kind'];
import { saveSettings } from '../actions/settings.ts';
import { errorAt } from '../lib/field-errors.ts';
import { useAction, useDraft } from '../lib/hooks.ts';
import { parseWholeNumbers, wholeNumberDraft } from '../lib/whole-numbers.ts';
import { useApp } from '../stores/app.ts';
import {
  Outcome,
  RadioOptions,
  RunSettingsFields,
  Switch,
  WholeNumberFields,
  type WholeNumberSpec,
} from './fields.tsx';
import { ProviderSection } from './ProviderSettings.tsx';
import { Section, sectionOutcome, useSave } from './SettingsSection.tsx';
import { StallSettings } from './StallSettings.tsx';
import { BudgetEditor } from './history/BudgetEditor.tsx';

const notificationLabels: Record<NotificationKind, string> = {
  'all-passing': 'Every feature of a project passes',
  'work-left': 'A run ends with work left for you, or cannot go on',
  'agent-crashed': 'An agent crashes',
  'retries-exhausted': 'A scheduled run gives up after its restarts',
  'needs-human-input': 'A feature needs your input',
  'rate-limited': 'A run hits a rate limit',
  'window-started': 'A schedule window starts',
  'window-ended': 'A schedule window ends',
  'budget-stopped': 'A budget stops a run',
  'night-report': 'A run’s report is ready',
};

function DefaultsSection(props: { settings: SettingsView }): ReactNode {
  const models = useApp((s) => s.models);
  const [value, setValue, dirty] = useDraft<RunSettings>(props.settings.defaults);
  const s = useSave();
  const fields = [
    'defaults.model',
    'defaults.yolo',
    'defaults.codingAgents',
    'defaults.regressionAgents',
  ];
  return (
    <Section
      title="Default run settings"
      description="Used by every project unless the project, a schedule or the Start button says otherwise."
      dirty={dirty}
      pending={s.pending}
      outcome={sectionOutcome(s.outcome, fields)}
      onSubmit={() => void s.save({ defaults: value }, 'Default run settings saved.')}
    >
      <RunSettingsFields
        value={value}
        onChange={setValue}
        models={models}
        errorAt={(field) => errorAt(s.outcome, `defaults.${field}`)}
      />
    </Section>
  );
}

function SandboxSection(props: { settings: SettingsView }): ReactNode {
  const [value, setValue, dirty] = useDraft({
    allowUnsandboxedRuns: props.settings.allowUnsandboxedRuns,
  });
  const s = useSave();
  return (
    <Section
      title="Sandbox"
      description="Every agent session runs in the OS sandbox: it writes only in its project, reaches only the provider, package registries and localhost, and cannot read your credentials. Where the sandbox cannot start (no bubblewrap and socat on Linux, Windows), Start refuses unless you allow unsandboxed runs here."
      dirty={dirty}
      pending={s.pending}
      outcome={sectionOutcome(s.outcome, ['allowUnsandboxedRuns'])}
      onSubmit={() => void s.save(value, 'Sandbox setting saved. It applies to the next start.')}
    >
      <Switch
        label="Allow unsandboxed runs where the sandbox cannot start"
        checked={value.allowUnsandboxedRuns}
        onChange={(allowUnsandboxedRuns) => setValue({ allowUnsandboxedRuns })}
        hint="Agents then run with your user's full access to files and network. The project view says so."
      />
    </Section>
  );
}

function AppSection(props: { settings: SettingsView }): ReactNode {
  const { settings } = props;
  const [value, setValue, dirty] = useDraft({
    quitBehavior: settings.quitBehavior,
    closeToTray: settings.closeToTray,
    startAtLogin: settings.startAtLogin,
  });
  const s = useSave();
  const shell = useApp((st) => st.info?.shell);
  const options: { v: QuitBehavior; label: string; hint: string }[] = [
    {
      v: 'stop-agents',
      label: 'Stop agents',
      hint: 'Quitting Nightshift stops every running agent.',
    },
    {
      v: 'leave-running',
      label: 'Leave them running',
      hint: 'Agents keep working; Nightshift adopts them when it opens again.',
    },
  ];
  return (
    <Section
      title="Application"
      description={
        shell === 'browser'
          ? 'These apply to the desktop app; the browser shell stores them too.'
          : undefined
      }
      dirty={dirty}
      pending={s.pending}
      outcome={sectionOutcome(s.outcome, ['quitBehavior'])}
      onSubmit={() => void s.save(value, 'Application settings saved.')}
    >
      <fieldset className="group">
        <legend>When Nightshift quits</legend>
        <RadioOptions
          name="quitBehavior"
          options={options}
          value={value.quitBehavior}
          onChange={(quitBehavior) => setValue({ ...value, quitBehavior })}
        />
        {errorAt(s.outcome, 'quitBehavior') ? (
          <p className="field-error" role="alert">
            {errorAt(s.outcome, 'quitBehavior')}
          </p>
        ) : null}
      </fieldset>
      <Switch
        label="Close to the tray"
        checked={value.closeToTray}
        onChange={(closeToTray) => setValue({ ...value, closeToTray })}
        hint="Closing the window keeps Nightshift in the tray instead of quitting."
      />
      <Switch
        label="Start at login"
        checked={value.startAtLogin}
        onChange={(startAtLogin) => setValue({ ...value, startAtLogin })}
      />
    </Section>
  );
}

/** The limits every run keeps to, as the Run limits section shows them. */
const runLimits: readonly WholeNumberSpec<
  'windowEndGraceMinutes' | 'sessionTimeoutMinutes' | 'maxFeatureAttempts' | 'checkpointMaxAgeDays'
>[] = [
  {
    key: 'windowEndGraceMinutes',
    label: 'Grace at a window’s end',
    unit: 'minutes',
    min: 0,
    max: 240,
    hint: 'When a schedule window ends, agents finish current work for this long, then stop. 0 to 240.',
  },
  {
    key: 'sessionTimeoutMinutes',
    label: 'Session time limit',
    unit: 'minutes',
    min: 5,
    max: 720,
    hint: 'One agent session is ended after this long. 5 to 720.',
  },
  {
    key: 'maxFeatureAttempts',
    label: 'Attempts per feature',
    unit: 'sessions',
    min: 1,
    max: 20,
    hint: 'Sessions that may end without passing a feature before it asks for a human. 1 to 20.',
  },
  {
    key: 'checkpointMaxAgeDays',
    label: 'Keep checkpoints',
    unit: 'days',
    min: 1,
    max: 3650,
    hint: 'Older checkpoints are deleted at each run’s start and once a day, unless they hold work nothing else has. 1 to 3650.',
  },
];
const runLimitKeys = runLimits.map((f) => f.key);

function RunsSection(props: { settings: SettingsView }): ReactNode {
  const [value, setValue, dirty] = useDraft(wholeNumberDraft(props.settings, runLimitKeys));
  const s = useSave();
  const submit = () => {
    const parsed = parseWholeNumbers(value, runLimitKeys);
    if (parsed.ok) void s.save(parsed.value, 'Run limits saved.');
    else s.fail('Enter a whole number.', parsed.field);
  };
  return (
    <Section
      title="Run limits"
      dirty={dirty}
      pending={s.pending}
      outcome={sectionOutcome(s.outcome, runLimitKeys)}
      onSubmit={submit}
    >
      <WholeNumberFields
        fields={runLimits}
        value={value}
        onChange={setValue}
        errorAt={(field) => errorAt(s.outcome, field)}
      />
    </Section>
  );
}

function NotificationsSection(props: { settings: SettingsView }): ReactNode {
  const [muted, setMuted, dirty] = useDraft<NotificationKind[]>(
    [...props.settings.mutedNotifications].sort(),
  );
  const s = useSave();
  return (
    <Section
      title="Notifications"
      description="Nightshift notifies you when:"
      dirty={dirty}
      pending={s.pending}
      outcome={s.outcome}
      onSubmit={() => void s.save({ mutedNotifications: muted }, 'Notification choices saved.')}
    >
      <fieldset className="group checks">
        <legend className="visually-hidden">Notify when</legend>
        {notificationKinds.map((kind) => {
          const on = !muted.includes(kind);
          return (
            <label key={kind} className="check">
              <input
                type="checkbox"
                checked={on}
                onChange={(e) =>
                  setMuted(
                    (e.target.checked ? muted.filter((k) => k !== kind) : [...muted, kind]).sort(),
                  )
                }
              />
              <span>{notificationLabels[kind]}</span>
              <span className="muted small">{on ? 'On' : 'Muted'}</span>
            </label>
          );
        })}
      </fieldset>
    </Section>
  );
}

/** Where a secret entered here goes, by what protects secrets on this machine. */
const secretKeptHint: Record<SecretsKind, string> = {
  keychain: 'Stored encrypted on this machine; never shown again in full.',
  file: 'Stored in a file only your user account can read, not encrypted; never shown again in full.',
  launch: 'Kept in memory for this launch only, never written to disk; never shown again in full.',
  environment: 'Taken from the environment Nightshift started with.',
};

function SecretField(props: {
  label: string;
  name: 'apiKey' | 'authToken';
  state: { set: boolean; hint: string };
  kind: SecretsKind;
}): ReactNode {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const action = useAction();
  const [error, setError] = useState<AppError | null>(null);
  const inputId = `secret-${props.name}`;
  const send = async (next: string | null) => {
    setError(null);
    const r = await action.run(
      next === null ? 'Clearing…' : 'Saving…',
      () => saveSettings({ [props.name]: next }),
      () => (next === null ? `${props.label} cleared.` : `${props.label} saved.`),
    );
    if (r.ok) {
      setEditing(false);
      setValue('');
    } else {
      setError(r.error);
    }
  };
  return (
    <div className="field secret">
      <div className="secret-row">
        <span className="secret-label" id={`${inputId}-label`}>
          {props.label}
        </span>
        <span className="secret-state" aria-labelledby={`${inputId}-label`}>
          {props.state.set ? (
            <>
              set <span className="mono">({props.state.hint})</span>
            </>
          ) : (
            <span className="muted">not set</span>
          )}
        </span>
        {!editing ? (
          <>
            <button type="button" className="button small" onClick={() => setEditing(true)}>
              {props.state.set ? `Replace ${props.label}` : `Set ${props.label}`}
            </button>
            {props.state.set ? (
              <button
                type="button"
                className="button small"
                disabled={action.pending !== null}
                onClick={() => void send(null)}
              >
                Clear {props.label}
              </button>
            ) : null}
          </>
        ) : null}
      </div>
      {editing ? (
        <div className="secret-edit">
          <label htmlFor={inputId}>New {props.label}</label>
          <div className="input-row">
            <input
              id={inputId}
              type="password"
              autoComplete="off"
              value={value}
              autoFocus
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${inputId}-error` : undefined}
              onChange={(e) => setValue(e.target.value)}
            />
            <button
              type="button"
              className="button primary small"
              disabled={value === '' || action.pending !== null}
              onClick={() => void send(value)}
            >
              Save
            </button>
            <button
              type="button"
              className="button small"
              onClick={() => {
                setEditing(false);
                setValue('');
                setError(null);
              }}
            >
              Cancel
            </button>
          </div>
          {error ? (
            <p id={`${inputId}-error`} className="field-error" role="alert">
              {error.message}
            </p>
          ) : null}
        </div>
      ) : null}
      {!editing && (action.outcome || action.pending) ? (
        <Outcome outcome={action.outcome} pending={action.pending} />
      ) : null}
      <p className="field-hint">{secretKeptHint[props.kind]}</p>
    </div>
  );
}

/** In environment mode nothing is entered: each secret names the variable it comes from. */
function EnvironmentSecret(props: {
  label: string;
  variable: string;
  state: { set: boolean; hint: string };
}): ReactNode {
  return (
    <div className="field secret">
      <div className="secret-row">
        <span className="secret-label">{props.label}</span>
        <span className="secret-state">
          {props.state.set ? (
            <>
              from <code>{props.variable}</code> <span className="mono">({props.state.hint})</span>
            </>
          ) : (
            <span className="muted">
              <code>{props.variable}</code> was not set when Nightshift started
            </span>
          )}
        </span>
      </div>
    </div>
  );
}

const withoutEncryptionOptions: { v: SecretsWithoutEncryption; label: string; hint: string }[] = [
  {
    v: 'launch',
    label: 'Keep secrets for this launch only',
    hint: 'A key entered here is held in memory, never written to disk, and gone when Nightshift quits.',
  },
  {
    v: 'environment',
    label: 'Take them from environment variables',
    hint: 'Agents use ANTHROPIC_API_KEY or ANTHROPIC_AUTH_TOKEN as set when Nightshift starts; nothing is entered here.',
  },
];

/** Where no OS keychain encrypts secrets: the user's choice, saved as soon as it is made. */
function WithoutEncryptionChoice(props: { settings: SettingsView }): ReactNode {
  const action = useAction();
  const choose = (mode: SecretsWithoutEncryption) =>
    void action.run(
      'Saving…',
      () => saveSettings({ secretsWithoutEncryption: mode }),
      () =>
        mode === 'launch'
          ? 'Secrets are kept for this launch only.'
          : 'Secrets are taken from environment variables.',
    );
  return (
    <fieldset className="group" aria-describedby="secrets-protection">
      <legend>No OS keychain encrypts secrets here: where should they come from?</legend>
      <RadioOptions
        name="secretsWithoutEncryption"
        options={withoutEncryptionOptions}
        value={props.settings.secretsWithoutEncryption}
        onChange={choose}
        disabled={action.pending !== null}
      />
      {action.outcome || action.pending ? (
        <Outcome outcome={action.outcome} pending={action.pending} />
      ) : null}
    </fieldset>
  );
}

export function SettingsPage(): ReactNode {
  const settings = useApp((s) => s.settings);
  const loadError = useApp((s) => s.loadError);
  if (!settings) {
    return (
      <div className="settings-page">
        <h1>Settings</h1>
        <p className={loadError ? 'error-text' : 'muted'}>{loadError ?? 'Loading settings…'}</p>
      </div>
    );
  }
  // Older mains sent no protection: a key then went to the keychain or the file they used.
  const secretsKind: SecretsKind = settings.secretsProtection?.kind ?? 'keychain';
  return (
    <div className="settings-page">
      <h1>Settings</h1>
      {settings.recoveredFrom ? (
        <div className="banner warn" role="alert">
          The settings file could not be read, so Nightshift started from the defaults. The old file
          was kept at <code>{settings.recoveredFrom}</code>; check the values below and save them
          again.
        </div>
      ) : null}
      {settings.storageProblem && !settings.recoveredFrom ? (
        <div className="banner warn" role="alert" data-testid="storage-problem">
          {settings.storageProblem}
        </div>
      ) : null}
      <section
        id="settings-provider"
        className="panel settings-section"
        aria-labelledby="s-credentials"
      >
        <h2 id="s-credentials">Credentials</h2>
        <p className="muted">
          Recommended: an API key from the Anthropic Console, entered here (write-only), or Amazon
          Bedrock / Google Vertex AI set up in the environment Nightshift starts from (
          <code>CLAUDE_CODE_USE_BEDROCK=1</code> or <code>CLAUDE_CODE_USE_VERTEX=1</code> with that
          cloud&apos;s credentials).
        </p>
        {settings.secretsProtection ? (
          <p
            id="secrets-protection"
            className={settings.secretsProtection.kind === 'keychain' ? 'muted' : 'banner warn'}
            role={settings.secretsProtection.kind === 'keychain' ? undefined : 'note'}
            data-testid="secrets-protection"
          >
            {settings.secretsProtection.sentence}
            {settings.secretsProtection.fromEnvironment.length
              ? ` Set in Nightshift's environment now: ${settings.secretsProtection.fromEnvironment.join(', ')}.`
              : ''}
          </p>
        ) : null}
        {settings.secretsProtection?.offersChoice ? (
          <WithoutEncryptionChoice settings={settings} />
        ) : null}
        {settings.secretsProtection?.kind === 'environment' ? (
          <>
            <EnvironmentSecret
              label="API key"
              variable="ANTHROPIC_API_KEY"
              state={settings.secrets.apiKey}
            />
            <EnvironmentSecret
              label="Auth token"
              variable="ANTHROPIC_AUTH_TOKEN"
              state={settings.secrets.authToken}
            />
          </>
        ) : (
          <>
            <SecretField
              label="API key"
              name="apiKey"
              state={settings.secrets.apiKey}
              kind={secretsKind}
            />
            <SecretField
              label="Auth token"
              name="authToken"
              state={settings.secrets.authToken}
              kind={secretsKind}
            />
          </>
        )}
        <p className="muted small">
          Leaving both unset uses Claude Code&apos;s own sign-in on this machine (
          <code>claude login</code> with a Claude subscription). That still works, but
          Anthropic&apos;s terms may not allow subscription sign-in for third-party tools such as
          Nightshift; an API key is the safe choice.
        </p>
      </section>
      <DefaultsSection settings={settings} />
      <RunsSection settings={settings} />
      <StallSettings />
      <BudgetEditor scope="global" title="Budgets (all projects)" />
      <SandboxSection settings={settings} />
      <ProviderSection settings={settings} />
      <NotificationsSection settings={settings} />
      <AppSection settings={settings} />
    </div>
  );
}
