import { useState, type ReactNode } from 'react';
import { dismissNotice } from './actions/projects.ts';
import { useApp } from './stores/app.ts';
import { useProjects } from './stores/projects.ts';
import { Sidebar } from './components/Sidebar.tsx';
import { ProjectView } from './components/ProjectView.tsx';
import { SettingsPage } from './components/SettingsPage.tsx';
import { Toasts } from './components/Toasts.tsx';
import { InboxView } from './components/inbox/InboxView.tsx';
import { UnseenReports } from './components/history/UnseenReports.tsx';
import {
  AddProjectDialog,
  EditProjectDialog,
  RemoveProjectDialog,
} from './components/ProjectDialogs.tsx';

type OpenDialog =
  { kind: 'add' } | { kind: 'edit'; id: string } | { kind: 'remove'; id: string } | null;

function ConnectionBanner(): ReactNode {
  const connection = useApp((s) => s.connection);
  if (connection.kind === 'open') return null;
  if (connection.kind === 'refused') {
    return (
      <div className="banner error top" role="alert">
        {connection.message}
      </div>
    );
  }
  if (connection.kind === 'connecting') return null;
  if (!connection.connectedBefore && connection.attempt >= 3) {
    return (
      <div className="banner error top" role="alert">
        This window cannot reach Nightshift. Check that `nightshift serve` is still running, and
        open the link it printed (the link carries the access token). Retrying…
      </div>
    );
  }
  if (!connection.connectedBefore) return null;
  return (
    <div className="banner warn top" role="status">
      The connection to Nightshift was lost. Retrying… Agents keep running; this window catches up
      when it reconnects.
    </div>
  );
}

export function App(): ReactNode {
  const view = useApp((s) => s.view);
  const loadError = useApp((s) => s.loadError);
  const notice = useApp((s) => s.notice);
  const projects = useProjects((s) => s.projects);
  const loaded = useProjects((s) => s.loaded);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const selected = view.kind === 'project' ? projects.find((p) => p.id === view.id) : undefined;
  const dialogProject =
    dialog && dialog.kind !== 'add' ? projects.find((p) => p.id === dialog.id) : undefined;
  const close = () => setDialog(null);

  return (
    <div className="app">
      <Sidebar onAdd={() => setDialog({ kind: 'add' })} />
      <main className="main">
        <ConnectionBanner />
        {loadError ? (
          <div className="banner error" role="alert">
            {loadError}
          </div>
        ) : null}
        {notice ? (
          <div className="banner notice" role="status">
            <span>{notice}</span>
            <button type="button" className="button small" onClick={dismissNotice}>
              Dismiss
            </button>
          </div>
        ) : null}
        {view.kind === 'settings' ? (
          <SettingsPage />
        ) : view.kind === 'inbox' ? (
          <InboxView />
        ) : selected ? (
          <ProjectView
            key={selected.id}
            project={selected}
            onEdit={() => setDialog({ kind: 'edit', id: selected.id })}
            onRemove={() => setDialog({ kind: 'remove', id: selected.id })}
          />
        ) : (
          <div className="empty-state">
            {loaded ? (
              <>
                <h1>No project selected</h1>
                <p className="muted">
                  {projects.length === 0
                    ? 'Add the folder of a project to hand its spec to the agents.'
                    : 'Choose a project in the list.'}
                </p>
                {projects.length === 0 ? (
                  <button
                    type="button"
                    className="button primary"
                    onClick={() => setDialog({ kind: 'add' })}
                  >
                    Add project
                  </button>
                ) : null}
              </>
            ) : (
              <p className="muted">Loading projects…</p>
            )}
          </div>
        )}
      </main>
      <Toasts />
      <UnseenReports />
      {dialog?.kind === 'add' ? <AddProjectDialog onClose={close} /> : null}
      {dialog?.kind === 'edit' && dialogProject ? (
        <EditProjectDialog project={dialogProject} onClose={close} />
      ) : null}
      {dialog?.kind === 'remove' && dialogProject ? (
        <RemoveProjectDialog project={dialogProject} onClose={close} />
      ) : null}
    </div>
  );
}
