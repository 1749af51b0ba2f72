import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';

export interface TabSpec<K extends string> {
  key: K;
  label: ReactNode;
}

/** ARIA tabs: arrow keys move between tabs; only the active panel is rendered. */
export function Tabs<K extends string>(props: {
  label: string;
  tabs: readonly TabSpec<K>[];
  active: K;
  onChange: (key: K) => void;
  children: ReactNode;
}): ReactNode {
  const base = useId();
  const refs = useRef(new Map<K, HTMLButtonElement>());
  const index = props.tabs.findIndex((t) => t.key === props.active);
  const onKeyDown = (e: KeyboardEvent) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (index + 1) % props.tabs.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + props.tabs.length) % props.tabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = props.tabs.length - 1;
    const tab = props.tabs[next];
    if (!tab) return;
    e.preventDefault();
    props.onChange(tab.key);
    refs.current.get(tab.key)?.focus();
  };
  return (
    <div className="tabs">
      <div role="tablist" aria-label={props.label} className="tablist" onKeyDown={onKeyDown}>
        {props.tabs.map((t) => (
          <button
            key={t.key}
            ref={(el) => {
              if (el) refs.current.set(t.key, el);
              else refs.current.delete(t.key);
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.key}`}
            aria-selected={t.key === props.active}
            aria-controls={`${base}-panel`}
            tabIndex={t.key === props.active ? 0 : -1}
            className="tab"
            onClick={() => props.onChange(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${base}-panel`}
        aria-labelledby={`${base}-tab-${props.active}`}
        className="tabpanel"
      >
        {props.children}
      </div>
    </div>
  );
}
