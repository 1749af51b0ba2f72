import { useState, type FormEvent, type ReactNode } from 'react';
import {
  isActiveStatus,
  type AppError,
  type Project,
  type Result,
} from '../../../contract/index.ts';
import { addProject, pickFolder, removeProject, updateProject } from '../actions/projects.ts';
import { errorAt, formError } from '../lib/field-errors.ts';
import { overridesDraft, overridesOf, type OverridesDraft } from '../lib/run-overrides-draft.ts';
import { useFormSubmit } from '../lib/hooks.ts';
import { useApp } from '../stores/app.ts';
import { useProjects } from '../stores/projects.ts';
import { Dialog } from './Dialog.tsx';
import { FormFooter, RunOverridesFields, TextField } from './fields.tsx';

/** Name and folder, as the Add and Edit dialogs both ask for them. */
function ProjectFields(props: {
  value: { name: string; path: string };
  onChange: (patch: Partial<{ name: string; path: string }>) => void;
  error: AppError | null;
  /** With hints and a folder picker (the Add dialog). */
  adding?: { canPick: boolean; pick: () => void };
}): ReactNode {
  const { value, onChange, error, adding } = props;
  return (
    <>
      <TextField
        label="Name"
        autoFocus
        value={value.name}
        onChange={(name) => onChange({ name })}
        error={errorAt(error, 'name')}
        hint={adding ? 'Letters, digits, hyphens and underscores; up to 50.' : undefined}
      />
      <TextField
        label="Folder"
        value={value.path}
        onChange={(path) => onChange({ path })}
        error={errorAt(error, 'path')}
        {...(adding
          ? {
              hint: 'The absolute path of the folder.',
              placeholder: '/home/you/code/my-app',
              after: adding.canPick ? (
                <button type="button" className="button" onClick={adding.pick}>
                  Choose…
                </button>
              ) : undefined,
            }
          : {})}
      />
    </>
  );
}

type NameAndPath = { name: string; path: string };

/**
 * The Add and Edit dialogs' form: name and folder, what else the dialog asks (`children`), the
 * error that belongs to no field shown, then Cancel and the submit. `onSubmit` gets the name and
 * folder trimmed.
 */
function ProjectForm(props: {
  value: NameAndPath;
  setValue: (update: (value: NameAndPath) => NameAndPath) => void;
  error: AppError | null;
  adding?: { canPick: boolean; pick: () => void };
  /** The children's fields, so their errors are not repeated under the form. */
  childFields?: readonly string[];
  onSubmit: (value: NameAndPath) => void;
  onCancel: () => void;
  busy: boolean;
  label: string;
  busyLabel: string;
  intro?: ReactNode;
  children?: ReactNode;
}): ReactNode {
  const { value, error } = props;
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit({ name: value.name.trim(), path: value.path.trim() });
  };
  return (
    <form className="dialog-body" onSubmit={onSubmit} noValidate>
      {props.intro}
      <ProjectFields
        value={value}
        onChange={(patch) => props.setValue((v) => ({ ...v, ...patch }))}
        error={error}
        {...(props.adding ? { adding: props.adding } : {})}
      />
      {props.children}
      <FormFooter
        layout="dialog"
        error={formError(error, ['name', 'path', ...(props.childFields ?? [])])}
        onCancel={props.onCancel}
        busy={props.busy}
        label={props.label}
        busyLabel={props.busyLabel}
      />
    </form>
  );
}

/** A suggested project name for a folder: its last part, with only the allowed characters. */
function nameForFolder(path: string): string {
  const base = path.split(/[\\/]/).filter(Boolean).pop() ?? '';
  return base.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 50);
}

/** A dialog's submit of one command: on success `done` has its value, else its error is shown. */
function useSubmit<T>(): ReturnType<typeof useFormSubmit<AppError>> & {
  send: (command: () => Promise<Result<T>>, done: (value: T) => void) => Promise<void>;
} {
  const form = useFormSubmit<AppError>();
  const send = (command: () => Promise<Result<T>>, done: (value: T) => void) =>
    form.submit(async () => {
      const result = await command();
      if (!result.ok) return result.error;
      done(result.value);
      return null;
    });
  return { ...form, send };
}

export function AddProjectDialog(props: { onClose: () => void }): ReactNode {
  const canPick = useApp((s) => s.info?.canPickFolder ?? false);
  const [value, setValue] = useState({ name: '', path: '' });
  const { busy, error, setError, send } = useSubmit<Project>();

  const pick = async () => {
    const result = await pickFolder();
    if (!result.ok) {
      setError({ ...result.error, field: 'path' });
      return;
    }
    const path = result.value;
    if (path === null) return;
    setValue((v) => ({ path, name: v.name === '' ? nameForFolder(path) || v.name : v.name }));
  };

  return (
    <Dialog title="Add project" onClose={props.onClose}>
      <ProjectForm
        value={value}
        setValue={setValue}
        error={error}
        adding={{ canPick, pick: () => void pick() }}
        onSubmit={(v) => void send(() => addProject(v), props.onClose)}
        onCancel={props.onClose}
        busy={busy}
        label="Add project"
        busyLabel="Adding…"
        intro={
          <p className="muted">
            Point Nightshift at the folder of a project. Its files stay where they are.
          </p>
        }
      />
    </Dialog>
  );
}

export function EditProjectDialog(props: { project: Project; onClose: () => void }): ReactNode {
  const { project } = props;
  const defaults = useApp((s) => s.settings?.defaults);
  const models = useApp((s) => s.models);
  const [value, setValue] = useState({ name: project.name, path: project.path });
  const [overrides, setOverrides] = useState(() => overridesDraft(project.overrides));
  const { busy, error, send } = useSubmit<Project>();
  const dflt = (v: string | number | undefined) =>
    v === undefined ? 'Use global default' : `Use global default (${v})`;
  const defaultLabel = (field: keyof OverridesDraft) =>
    field === 'yolo'
      ? dflt(defaults === undefined ? undefined : defaults.yolo ? 'on' : 'off')
      : dflt(defaults?.[field]);

  return (
    <Dialog title={`Edit ${project.name}`} onClose={props.onClose} wide>
      <ProjectForm
        value={value}
        setValue={setValue}
        error={error}
        childFields={overrideKeys.map((k) => `overrides.${k}`)}
        onSubmit={(v) =>
          void send(
            () => updateProject({ id: project.id, ...v, overrides: overridesOf(overrides) }),
            props.onClose,
          )
        }
        onCancel={props.onClose}
        busy={busy}
        label="Save changes"
        busyLabel="Saving…"
      >
        <fieldset className="group">
          <legend>Run settings for this project</legend>
          <p className="field-hint">
            These replace the global defaults for this project. Schedules and the Start button can
            still choose other values for one run.
          </p>
          <RunOverridesFields
            value={overrides}
            onChange={(patch) => setOverrides((o) => ({ ...o, ...patch }))}
            models={models}
            defaultLabel={defaultLabel}
            errorAt={(field) => errorAt(error, `overrides.${field}`)}
          />
        </fieldset>
      </ProjectForm>
    </Dialog>
  );
}

const overrideKeys = ['model', 'yolo', 'codingAgents', 'regressionAgents'] as const;

export function RemoveProjectDialog(props: { project: Project; onClose: () => void }): ReactNode {
  const { project } = props;
  const { busy, error, send } = useSubmit<{ id: string }>();
  const agent = useProjects((s) => s.agents[project.id]);
  // The removal stops a run the project's schedule started; one started by hand is refused.
  const scheduledRun = agent?.origin === 'schedule' && isActiveStatus(agent.status);
  const remove = () => send(() => removeProject(project), props.onClose);
  return (
    <Dialog title={`Remove ${project.name}?`} onClose={props.onClose} describedBy="remove-text">
      <div className="dialog-body">
        <p id="remove-text">
          Nightshift will forget this project and its schedules. The files on disk are kept:{' '}
          <code>{project.path}</code> stays as it is, including its features database and run logs.
        </p>
        {scheduledRun ? (
          <p data-testid="remove-stops-run">
            Its agent is running in a scheduled window: removing the project stops it first, without
            waiting for current work to finish.
          </p>
        ) : null}
        <FormFooter
          layout="dialog"
          error={error?.message}
          onCancel={props.onClose}
          cancelFirstFocus
          tone="danger"
          onAction={() => void remove()}
          busy={busy}
          label="Remove project"
          busyLabel="Removing…"
        />
      </div>
    </Dialog>
  );
}
