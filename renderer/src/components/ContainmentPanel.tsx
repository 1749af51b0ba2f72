import { useEffect, useState, type ReactNode } from 'react';
import {
  isCredentialsMessage,
  type ProjectContainment,
  type ProjectSettingsFile,
} from '../../../contract/index.ts';
import {
  loadContainment,
  openProviderSettings,
  readProjectSettingsFiles,
  saveContainment,
} from '../actions/containment.ts';
import { useApp } from '../stores/app.ts';
import { useContainment } from '../stores/containment.ts';
import { useSettingsLoaded } from './containment-hooks.ts';
import { Dialog } from './Dialog.tsx';
import { FormFooter, TextAreaField } from './fields.tsx';

/** "Open Settings → Provider" next to a sentence about missing or refused credentials. */
export function CredentialsButton(props: { message: string | null | undefined }): ReactNode {
  if (!isCredentialsMessage(props.message)) return null;
  return (
    <button type="button" className="button" onClick={openProviderSettings}>
      Open Settings → Provider
    </button>
  );
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The project's containment: sandbox state, settings trust, and the per-project extras. */
export function ContainmentPanel(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const status = useContainment((s) => s.byProject[projectId] ?? null);
  const settingsVersion = useSettingsLoaded();
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<keyof typeof dialogs | null>(null);
  useEffect(() => {
    void loadContainment(projectId).then((r) => setError(r.ok ? null : r.error.message));
  }, [projectId, settingsVersion]);

  if (!status)
    return error ? (
      <p className="error-text" role="alert">
        {error}
      </p>
    ) : null;
  const trusted = status.project.trustProjectSettings;
  const Opened = open ? dialogs[open] : null;
  const untrust = async () => {
    const r = await saveContainment(projectId, { ...status.project, trustProjectSettings: false });
    setError(r.ok ? null : r.error.message);
  };
  return (
    <section className="panel containment-panel" aria-label="Containment">
      <p className="containment-sandbox" data-testid="sandbox-status">
        <strong>
          {status.sandbox === 'on' ? 'Sandbox: on' : `Sandbox: off: ${status.reason ?? ''}`}
        </strong>
        {status.sandbox === 'off' ? (
          <span className={status.allowUnsandboxed ? 'muted' : 'error-text'}>
            {' '}
            {status.allowUnsandboxed
              ? 'Unsandboxed runs are allowed in Settings: agents run with your full access.'
              : 'Start is refused until the sandbox can start or you allow unsandboxed runs in Settings.'}
          </span>
        ) : null}
      </p>
      <p className="containment-trust">
        Project settings (<code>.claude/</code>):{' '}
        {trusted ? 'trusted, loaded into sessions' : 'not trusted, ignored'}{' '}
        {trusted ? (
          <button type="button" className="button" onClick={() => void untrust()}>
            Stop trusting
          </button>
        ) : (
          <button type="button" className="button" onClick={() => setOpen('trust')}>
            Review and trust…
          </button>
        )}{' '}
        <button type="button" className="button" onClick={() => setOpen('settings')}>
          Containment settings…
        </button>
        {status.sandbox === 'off' && !status.allowUnsandboxed ? (
          <button
            type="button"
            className="button"
            onClick={() => useApp.getState().select({ kind: 'settings' })}
          >
            Open Settings
          </button>
        ) : null}
      </p>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {Opened ? (
        <Opened projectId={projectId} value={status.project} onClose={() => setOpen(null)} />
      ) : null}
    </section>
  );
}

interface DialogProps {
  projectId: string;
  value: ProjectContainment;
  onClose: () => void;
}

/** Saves a change to the project's containment: the dialog closes, or says why it was refused. */
function useSaveContainment(props: DialogProps): {
  error: string | null;
  setError: (error: string | null) => void;
  save: (patch: Partial<ProjectContainment>) => Promise<void>;
} {
  const [error, setError] = useState<string | null>(null);
  const save = async (patch: Partial<ProjectContainment>) => {
    const r = await saveContainment(props.projectId, { ...props.value, ...patch });
    if (r.ok) props.onClose();
    else setError(r.error.message);
  };
  return { error, setError, save };
}

/** The per-project extras, one per line each. */
const extras = [
  {
    key: 'extraDomains',
    label: 'Extra network domains (one per line)',
    hint: 'Besides the provider, the package registries and localhost. E.g. api.example.com or *.example.com.',
  },
  {
    key: 'extraWritePaths',
    label: 'Extra folders agents may write (one per line)',
    hint: 'Absolute (/…) or under your home (~/…).',
  },
  {
    key: 'extraEnv',
    label: 'Extra environment variables passed to sessions (names, one per line)',
    hint: 'Credentials (SSH agent, cloud and forge tokens) stay out unless you name them here.',
  },
] as const;
type Extra = (typeof extras)[number]['key'];

function ContainmentDialog(props: DialogProps): ReactNode {
  const [text, setText] = useState(
    () =>
      Object.fromEntries(extras.map((x) => [x.key, props.value[x.key].join('\n')])) as Record<
        Extra,
        string
      >,
  );
  const { error, save } = useSaveContainment(props);
  return (
    <Dialog title="Containment settings" onClose={props.onClose} wide>
      <form
        className="dialog-body"
        onSubmit={(e) => {
          e.preventDefault();
          void save(Object.fromEntries(extras.map((x) => [x.key, lines(text[x.key])])));
        }}
      >
        {extras.map((x) => (
          <TextAreaField
            key={x.key}
            label={x.label}
            name={x.key}
            rows={3}
            value={text[x.key]}
            onChange={(v) => setText({ ...text, [x.key]: v })}
            hint={x.hint}
          />
        ))}
        <FormFooter layout="panel" error={error} onCancel={props.onClose} label="Save" />
      </form>
    </Dialog>
  );
}

function TrustDialog(props: DialogProps): ReactNode {
  const [files, setFiles] = useState<ProjectSettingsFile[] | null>(null);
  const { error, setError, save } = useSaveContainment(props);
  useEffect(() => {
    void readProjectSettingsFiles(props.projectId).then((r) =>
      r.ok ? setFiles(r.value) : setError(r.error.message),
    );
  }, [props.projectId, setError]);
  return (
    <Dialog title="Trust this project's settings?" onClose={props.onClose} wide>
      <div className="dialog-body">
        <p>
          Trusted settings are loaded into every session: their hooks run commands outside
          Nightshift&apos;s guard, and their permissions can widen what agents may do. Read them
          first.
        </p>
        {files === null && !error ? <p className="muted">Reading the files…</p> : null}
        {files && files.length === 0 ? (
          <p className="muted">This project has no .claude/ settings files.</p>
        ) : null}
        {files?.map((f) => (
          <div key={f.path} className="trust-file">
            <h3 className="mono small">
              {f.path}
              {f.truncated ? ' (first 64 KiB)' : ''}
            </h3>
            <pre className="log-pre">{f.content}</pre>
          </div>
        ))}
        <FormFooter
          layout="panel"
          error={error}
          onCancel={props.onClose}
          disabled={files === null}
          onAction={() => void save({ trustProjectSettings: true })}
          label="Trust these settings"
        />
      </div>
    </Dialog>
  );
}

const dialogs = { settings: ContainmentDialog, trust: TrustDialog } as const;
