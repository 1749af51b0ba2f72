import { useEffect, useId, useState, type ReactNode } from 'react';
import { loadSpec, saveSpec } from '../actions/spec.ts';
import { useAction } from '../lib/hooks.ts';
import { Outcome } from './fields.tsx';

/** The project's spec (app_spec.txt or equivalent): load with spec.get, save with spec.save. */
export function SpecEditor(props: { projectId: string }): ReactNode {
  const { projectId } = props;
  const [loaded, setLoaded] = useState<{ text: string; path: string } | null>(null);
  const [text, setText] = useState('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const save = useAction();
  const id = useId();

  useEffect(() => {
    let live = true;
    void loadSpec(projectId).then((r) => {
      if (!live) return;
      if (r.ok) {
        setLoaded(r.value);
        setText(r.value.text);
        setLoadError(null);
      } else {
        setLoadError(r.error.message);
      }
    });
    return () => {
      live = false;
    };
  }, [projectId]);

  if (loadError) {
    return (
      <p className="error-text" role="alert">
        {loadError}
      </p>
    );
  }
  if (!loaded) return <p className="muted">Loading the spec…</p>;
  const dirty = text !== loaded.text;
  return (
    <form
      className="spec-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save
          .run(
            'Saving…',
            () => saveSpec(projectId, text),
            (v) => `Saved to ${v.path}.`,
          )
          .then((r) => {
            if (r.ok) setLoaded({ text, path: r.value.path });
          });
      }}
    >
      <div className="spec-head">
        <label htmlFor={id}>Spec</label>
        <span className="muted mono small">{loaded.path}</span>
        <span className="muted small">{dirty ? 'Unsaved changes' : 'Saved'}</span>
      </div>
      <textarea
        id={id}
        className="mono"
        value={text}
        spellCheck={false}
        onChange={(e) => setText(e.target.value)}
        rows={24}
      />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={!dirty || save.pending !== null}>
          Save spec
        </button>
        <button
          type="button"
          className="button"
          disabled={!dirty}
          onClick={() => {
            setText(loaded.text);
            save.clear();
          }}
        >
          Discard changes
        </button>
        <Outcome outcome={save.outcome} pending={save.pending} />
      </div>
    </form>
  );
}
