import { useCallback, useEffect, useId, useRef, type FocusEvent, type ReactNode } from 'react';
import { formatClock } from '../lib/format.ts';
import { useApp } from '../stores/app.ts';
import { useProjects } from '../stores/projects.ts';
import { openProject } from '../stores/sync.ts';
import { showsToasts, type Toast } from '../stores/toast-queue.ts';
import { useToasts } from '../stores/toasts.ts';

/** After "Open project", put focus on the project's heading (the button that had it is gone). */
function focusMainHeading(): void {
  requestAnimationFrame(() => {
    const heading = document.querySelector<HTMLElement>('main h1');
    if (!heading) return;
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus();
  });
}

function ToastView(props: { toast: Toast; onDismissed: () => void }): ReactNode {
  const { toast } = props;
  const titleId = useId();
  const bodyId = useId();
  const dismiss = useToasts((s) => s.dismiss);
  const known = useProjects(
    (s) => toast.projectId !== null && s.projects.some((p) => p.id === toast.projectId),
  );
  return (
    <div
      className={`toast toast-${toast.tone}`}
      role="group"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-kind={toast.kind}
    >
      <div className="toast-head">
        <strong id={titleId} className="toast-title">
          {toast.title}
        </strong>
        <time className="muted small" dateTime={new Date(toast.at).toISOString()}>
          {formatClock(toast.at)}
        </time>
      </div>
      <p id={bodyId} className="toast-body">
        {toast.body}
      </p>
      <div className="toast-actions">
        {known && toast.projectId !== null ? (
          <button
            type="button"
            className="button small primary"
            onClick={() => {
              if (toast.projectId !== null) openProject(toast.projectId);
              dismiss(toast.id);
              focusMainHeading();
            }}
          >
            Open project
          </button>
        ) : null}
        <button
          type="button"
          className="button small"
          data-dismiss=""
          onClick={() => {
            props.onDismissed();
            dismiss(toast.id);
          }}
        >
          Dismiss
        </button>
      </div>
    </div>
  );
}

/**
 * The browser shell's notifications (the desktop app shows OS notifications instead). Two live
 * regions that always exist, so screen readers announce what is added: failures as alerts, the
 * rest politely. Pointing at or focusing a toast stops the auto-dismiss clocks.
 */
export function Toasts(): ReactNode {
  const info = useApp((s) => s.info);
  const queue = useToasts((s) => s.queue);
  const hold = useToasts((s) => s.hold);
  const release = useToasts((s) => s.release);
  const container = useRef<HTMLDivElement>(null);
  const pointer = useRef(false);
  const focus = useRef(false);
  const sync = useCallback(() => {
    if (pointer.current || focus.current) hold();
    else release();
  }, [hold, release]);
  // Toasts come and go under a still pointer or a focused button (a removed element sends no
  // blur): after every change, ask the page where the pointer and focus really are.
  useEffect(() => {
    const el = container.current;
    pointer.current = el !== null && el.matches(':hover');
    focus.current = el !== null && el.contains(document.activeElement);
    sync();
  }, [queue.visible, sync]);

  if (!showsToasts(info)) return null;
  const alerts = queue.visible.filter((t) => t.tone === 'alert');
  const statuses = queue.visible.filter((t) => t.tone === 'status');
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (e.relatedTarget instanceof Node && e.currentTarget.contains(e.relatedTarget)) return;
    focus.current = false;
    sync();
  };
  /** Keeps keyboard users in the toasts: focus moves to the next toast's Dismiss button. */
  const dismissed = () => {
    const el = container.current;
    if (!el?.contains(document.activeElement)) return;
    requestAnimationFrame(() => {
      el.querySelector<HTMLElement>('.toast [data-dismiss]')?.focus();
    });
  };
  return (
    <div
      ref={container}
      className="toasts"
      onMouseEnter={() => {
        pointer.current = true;
        sync();
      }}
      onMouseLeave={() => {
        pointer.current = false;
        sync();
      }}
      onFocus={() => {
        focus.current = true;
        sync();
      }}
      onBlur={onBlur}
    >
      <div role="alert" className="toast-stack" aria-label="Urgent notifications">
        {alerts.map((t) => (
          <ToastView key={t.id} toast={t} onDismissed={dismissed} />
        ))}
      </div>
      <div role="status" aria-live="polite" className="toast-stack" aria-label="Notifications">
        {statuses.map((t) => (
          <ToastView key={t.id} toast={t} onDismissed={dismissed} />
        ))}
      </div>
      {queue.waiting.length > 0 ? (
        <p className="toast-more small">
          {queue.waiting.length} more{' '}
          {queue.waiting.length === 1 ? 'notification waits' : 'notifications wait'}; they show as
          you dismiss these.
        </p>
      ) : null}
    </div>
  );
}
