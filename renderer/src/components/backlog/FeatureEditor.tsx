import { useState, type FormEvent, type ReactNode } from 'react';
import type { FeatureView } from '../../../../contract/index.ts';
import { addFeature, editFeature, setBacklogUi } from '../../actions/backlog.ts';
import type { EditorState } from '../../stores/backlog.ts';
import { Dialog } from '../Dialog.tsx';

/** "3, #5 7" → [3, 5, 7]; null when something is not a feature number. */
export function parseIds(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  const ids = parts.map((p) => Number(p.replace(/^#/, '')));
  return ids.every((n) => Number.isInteger(n) && n > 0) ? ids : null;
}

export function FeatureEditor(props: {
  projectId: string;
  editor: NonNullable<EditorState>;
  features: readonly FeatureView[];
}): ReactNode {
  const { projectId, editor } = props;
  const seen = editor.mode === 'edit' ? editor.feature : null;
  const [category, setCategory] = useState(seen?.category ?? '');
  const [name, setName] = useState(seen?.name ?? '');
  const [description, setDescription] = useState(seen?.description ?? '');
  const [steps, setSteps] = useState((seen?.steps ?? []).join('\n'));
  const [deps, setDeps] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const close = () => setBacklogUi(projectId, { editor: null });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const stepList = steps
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!category.trim() || !name.trim() || !description.trim() || stepList.length === 0) {
      setError('Fill in the category, name, description and at least one step.');
      return;
    }
    const dependencies = parseIds(deps);
    if (dependencies === null) {
      setError('Dependencies are feature numbers separated by commas, like 3, 7.');
      return;
    }
    setBusy(true);
    setError(null);
    const text = { category, name, description, steps: stepList };
    const ok = seen
      ? await editFeature(projectId, seen, text)
      : await addFeature(projectId, { ...text, dependencies });
    setBusy(false);
    if (!ok) setError('Not saved; see the message above the backlog.');
  };

  return (
    <Dialog title={seen ? `Edit #${seen.id}` : 'Add a feature'} onClose={close} wide>
      <form
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={seen ? 'Edit feature' : 'New feature'}
      >
        <div className="field">
          <label htmlFor="fe-category">Category</label>
          <input
            id="fe-category"
            data-autofocus
            value={category}
            onChange={(e) => setCategory(e.target.value)}
            maxLength={100}
          />
        </div>
        <div className="field">
          <label htmlFor="fe-name">Name</label>
          <input
            id="fe-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={255}
          />
        </div>
        <div className="field">
          <label htmlFor="fe-description">Description</label>
          <textarea
            id="fe-description"
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="fe-steps">Steps (one per line)</label>
          <textarea
            id="fe-steps"
            rows={4}
            value={steps}
            onChange={(e) => setSteps(e.target.value)}
          />
        </div>
        {seen ? null : (
          <div className="field">
            <label htmlFor="fe-deps">Depends on (feature numbers)</label>
            <input
              id="fe-deps"
              value={deps}
              placeholder="e.g. 3, 7"
              onChange={(e) => setDeps(e.target.value)}
            />
          </div>
        )}
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="buttons">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {seen ? 'Save feature' : 'Add feature'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
