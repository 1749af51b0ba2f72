import { useState, type FormEvent, type ReactNode } from 'react';
import type { FeatureView } from '../../../../contract/index.ts';
import { addFeature, editFeature, setBacklogUi } from '../../actions/backlog.ts';
import type { EditorState } from '../../stores/backlog.ts';
import { useFormSubmit } from '../../lib/hooks.ts';
import { Dialog } from '../Dialog.tsx';
import { FormFooter, TextAreaField, TextField } from '../fields.tsx';

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
  const { busy, error, setError, submit: send } = useFormSubmit<string>();
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
    const text = { category, name, description, steps: stepList };
    await send(async () => {
      const ok = seen
        ? await editFeature(projectId, seen, text)
        : await addFeature(projectId, { ...text, dependencies });
      return ok ? null : 'Not saved; see the message above the backlog.';
    });
  };

  return (
    <Dialog title={seen ? `Edit #${seen.id}` : 'Add a feature'} onClose={close} wide>
      <form
        onSubmit={(e) => void submit(e)}
        noValidate
        aria-label={seen ? 'Edit feature' : 'New feature'}
      >
        <TextField
          label="Category"
          autoFocus
          value={category}
          onChange={setCategory}
          maxLength={100}
        />
        <TextField label="Name" value={name} onChange={setName} maxLength={255} />
        <TextAreaField label="Description" rows={3} value={description} onChange={setDescription} />
        <TextAreaField label="Steps (one per line)" rows={4} value={steps} onChange={setSteps} />
        {seen ? null : (
          <TextField
            label="Depends on (feature numbers)"
            value={deps}
            placeholder="e.g. 3, 7"
            onChange={setDeps}
          />
        )}
        <FormFooter
          layout="row"
          error={error}
          onCancel={close}
          busy={busy}
          label={seen ? 'Save feature' : 'Add feature'}
        />
      </form>
    </Dialog>
  );
}
