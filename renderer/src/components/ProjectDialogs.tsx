import { useState, type FormEvent, type ReactNode } from 'react';
import {
  isActiveStatus,
  type AppError,
  type Project,
  type RunOverrides,
} from '../../../contract/index.ts';
import { getApi } from '../api.ts';
import { fieldMessage } from '../lib/format.ts';
import { toAppError } from '../lib/hooks.ts';
import { useApp } from '../stores/app.ts';
import { useProjects } from '../stores/projects.ts';
import { Dialog } from './Dialog.tsx';
import { Field, ModelPicker, NumberSelect } from './fields.tsx';

/** Splits a server error into the field it is about (name, path, …) or the whole form. */
function errorFor(error: AppError | null, field: string): string | null {
  if (!error?.field) return null;
  if (error.field === field || error.field.startsWith(`${field}.`)) {
    return fieldMessage(error.message, error.field);
  }
  return null;
}
function formError(error: AppError | null, fields: readonly string[]): string | null {
  if (!error) return null;
  if (error.field && fields.some((f) => error.field === f || error.field?.startsWith(`${f}.`))) {
    return null;
  }
  return error.message;
}

function FormError(props: { message: string | null }): ReactNode {
  if (!props.message) return null;
  return (
    <p className="form-error" role="alert">
      {props.message}
    </p>
  );
}

export function AddProjectDialog(props: { onClose: () => void }): ReactNode {
  const canPick = useApp((s) => s.info?.canPickFolder ?? false);
  const [name, setName] = useState('');
  const [path, setPath] = useState('');
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const api = getApi();

  const pick = async () => {
    const result = await api.call['projects.pickFolder']();
    if (!result.ok) {
      setError({ ...result.error, field: 'path' });
      return;
    }
    if (result.value === null) return;
    setPath(result.value);
    if (name === '') {
      const base = result.value.split(/[\\/]/).filter(Boolean).pop() ?? '';
      const suggestion = base.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 50);
      if (suggestion) setName(suggestion);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const result = await api.call['projects.add']({ name: name.trim(), path: path.trim() });
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const store = useProjects.getState();
    if (!store.projects.some((p) => p.id === result.value.id)) {
      store.setProjects([...store.projects, result.value]);
    }
    useApp.getState().select({ kind: 'project', id: result.value.id });
    props.onClose();
  };

  const fields = ['name', 'path'] as const;
  return (
    <Dialog title="Add project" onClose={props.onClose}>
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">
          Point Nightshift at the folder of a project. Its files stay where they are.
        </p>
        <Field
          label="Name"
          error={errorFor(error, 'name')}
          hint="Letters, digits, hyphens and underscores; up to 50."
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              data-autofocus
              type="text"
              value={name}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Folder"
          error={errorFor(error, 'path')}
          hint="The absolute path of the folder."
        >
          {({ id, describedBy, invalid }) => (
            <div className="input-row">
              <input
                id={id}
                type="text"
                value={path}
                autoComplete="off"
                spellCheck={false}
                placeholder="/home/you/code/my-app"
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                onChange={(e) => setPath(e.target.value)}
              />
              {canPick ? (
                <button type="button" className="button" onClick={() => void pick()}>
                  Choose…
                </button>
              ) : null}
            </div>
          )}
        </Field>
        <FormError message={formError(error, fields)} />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add project'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function EditProjectDialog(props: { project: Project; onClose: () => void }): ReactNode {
  const { project } = props;
  const defaults = useApp((s) => s.settings?.defaults);
  const models = useApp((s) => s.models);
  const [name, setName] = useState(project.name);
  const [path, setPath] = useState(project.path);
  const [model, setModel] = useState(project.overrides.model ?? '');
  const [yolo, setYolo] = useState<'' | 'on' | 'off'>(
    project.overrides.yolo === undefined ? '' : project.overrides.yolo ? 'on' : 'off',
  );
  const [coding, setCoding] = useState<number | null>(project.overrides.codingAgents ?? null);
  const [regression, setRegression] = useState<number | null>(
    project.overrides.regressionAgents ?? null,
  );
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const dflt = (v: string | number | undefined) =>
    v === undefined ? 'Use global default' : `Use global default (${v})`;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const overrides: RunOverrides = {};
    if (model.trim() !== '') overrides.model = model.trim();
    if (yolo !== '') overrides.yolo = yolo === 'on';
    if (coding !== null) overrides.codingAgents = coding;
    if (regression !== null) overrides.regressionAgents = regression;
    let result;
    try {
      result = await getApi().call['projects.update']({
        id: project.id,
        name: name.trim(),
        path: path.trim(),
        overrides,
      });
    } catch (thrown) {
      result = { ok: false as const, error: toAppError(thrown) };
    }
    setBusy(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    const store = useProjects.getState();
    store.setProjects(store.projects.map((p) => (p.id === result.value.id ? result.value : p)));
    props.onClose();
  };

  const fields = ['name', 'path', 'overrides'] as const;
  return (
    <Dialog title={`Edit ${project.name}`} onClose={props.onClose} wide>
      <form className="dialog-body" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Name" error={errorFor(error, 'name')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              data-autofocus
              type="text"
              value={name}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(e) => setName(e.target.value)}
            />
          )}
        </Field>
        <Field label="Folder" error={errorFor(error, 'path')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="text"
              value={path}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(e) => setPath(e.target.value)}
            />
          )}
        </Field>
        <fieldset className="group">
          <legend>Run settings for this project</legend>
          <p className="field-hint">
            These replace the global defaults for this project. Schedules and the Start button can
            still choose other values for one run.
          </p>
          <div className="run-settings-grid">
            <ModelPicker
              label="Model"
              value={model}
              models={models}
              defaultLabel={dflt(defaults?.model)}
              onChange={setModel}
              error={errorFor(error, 'overrides.model')}
            />
            <Field label="YOLO mode" error={errorFor(error, 'overrides.yolo')}>
              {({ id, describedBy }) => (
                <select
                  id={id}
                  value={yolo}
                  aria-describedby={describedBy}
                  onChange={(e) => setYolo(e.target.value as '' | 'on' | 'off')}
                >
                  <option value="">
                    {dflt(defaults === undefined ? undefined : defaults.yolo ? 'on' : 'off')}
                  </option>
                  <option value="on">On</option>
                  <option value="off">Off</option>
                </select>
              )}
            </Field>
            <NumberSelect
              label="Coding agents"
              min={1}
              max={5}
              value={coding}
              onChange={setCoding}
              defaultLabel={dflt(defaults?.codingAgents)}
              error={errorFor(error, 'overrides.codingAgents')}
            />
            <NumberSelect
              label="Regression agents"
              min={0}
              max={3}
              value={regression}
              onChange={setRegression}
              defaultLabel={dflt(defaults?.regressionAgents)}
              error={errorFor(error, 'overrides.regressionAgents')}
            />
          </div>
        </fieldset>
        <FormError
          message={
            formError(error, fields) ?? (error?.field === 'overrides' ? error.message : null)
          }
        />
        <div className="dialog-actions">
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function RemoveProjectDialog(props: { project: Project; onClose: () => void }): ReactNode {
  const { project } = props;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const agent = useProjects((s) => s.agents[project.id]);
  // The removal stops a run the project's schedule started; one started by hand is refused.
  const scheduledRun = agent?.origin === 'schedule' && isActiveStatus(agent.status);
  const remove = async () => {
    setBusy(true);
    setError(null);
    const result = await getApi().call['projects.remove']({ id: project.id });
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    const store = useProjects.getState();
    const rest = store.projects.filter((p) => p.id !== project.id);
    store.setProjects(rest);
    const first = rest[0];
    useApp.getState().select(first ? { kind: 'project', id: first.id } : { kind: 'none' });
    // The dialog goes away: say what happened where it stays visible.
    useApp.setState({
      notice:
        result.value.message ??
        `${project.name} was removed from Nightshift. Its files stay on disk.`,
    });
    props.onClose();
  };
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
        <FormError message={error} />
        <div className="dialog-actions">
          <button type="button" className="button" data-autofocus onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button danger"
            disabled={busy}
            onClick={() => void remove()}
          >
            {busy ? 'Removing…' : 'Remove project'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
