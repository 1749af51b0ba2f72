import type { ReactNode } from 'react';
import {
  statusLabel,
  statusShort,
  type AgentStatus,
  type Project,
} from '../../../contract/index.ts';
import { useApp } from '../stores/app.ts';
import { useProjects } from '../stores/projects.ts';
import { InboxCount } from './inbox/InboxView.tsx';

/** A link in the sidebar's foot to a page of its own, marked while that page is shown. */
function NavLink(props: { to: 'inbox' | 'settings'; children: ReactNode }): ReactNode {
  const here = useApp((s) => s.view.kind === props.to);
  const select = useApp((s) => s.select);
  return (
    <button
      type="button"
      className={here ? 'nav-link selected' : 'nav-link'}
      aria-current={here ? 'page' : undefined}
      onClick={() => select({ kind: props.to })}
    >
      {props.children}
    </button>
  );
}

function ProjectRow(props: { project: Project; selected: boolean }): ReactNode {
  const { project, selected } = props;
  const agent = useProjects((s) => s.agents[project.id]);
  const progress = useProjects((s) => s.runViews[project.id]?.progress ?? null);
  const select = useApp((s) => s.select);
  const status: AgentStatus = agent?.status ?? 'stopped';
  const words = agent ? statusLabel(agent) : 'Stopped';
  const showProgress = progress !== null && progress.total > 0;
  const pct = showProgress ? Math.round((progress.passing / progress.total) * 100) : 0;
  return (
    <li>
      <button
        type="button"
        className={selected ? 'project-row selected' : 'project-row'}
        aria-current={selected ? 'page' : undefined}
        onClick={() => select({ kind: 'project', id: project.id })}
      >
        <span className={`status-dot status-${status}`} aria-hidden="true" />
        <span className="project-row-main">
          <span className="project-row-name">{project.name}</span>
          <span className="project-row-status">
            <span aria-hidden="true">{statusShort(status)}</span>
            <span className="visually-hidden">Status: {words}</span>
          </span>
        </span>
        {showProgress ? (
          <span className="project-row-progress">
            <span className="count" aria-label={`${progress.passing} of ${progress.total} passing`}>
              {progress.passing}/{progress.total}
            </span>
            <span className="bar thin" aria-hidden="true">
              <span style={{ width: `${pct}%` }} />
            </span>
          </span>
        ) : null}
      </button>
    </li>
  );
}

export function Sidebar(props: { onAdd: () => void }): ReactNode {
  const projects = useProjects((s) => s.projects);
  const loaded = useProjects((s) => s.loaded);
  const view = useApp((s) => s.view);
  return (
    <nav className="sidebar" aria-label="Projects">
      <div className="sidebar-head">
        <span className="brand">Nightshift</span>
      </div>
      <div className="sidebar-section-title" id="projects-heading">
        Projects
      </div>
      {loaded && projects.length === 0 ? (
        <p className="sidebar-empty">No projects yet. Add the folder of one to begin.</p>
      ) : null}
      <ul className="project-list" aria-labelledby="projects-heading">
        {projects.map((p) => (
          <ProjectRow
            key={p.id}
            project={p}
            selected={view.kind === 'project' && view.id === p.id}
          />
        ))}
      </ul>
      <div className="sidebar-foot">
        <button type="button" className="button wide" onClick={props.onAdd}>
          Add project
        </button>
        <NavLink to="inbox">
          Inbox <InboxCount />
        </NavLink>
        <NavLink to="settings">Settings</NavLink>
      </div>
    </nav>
  );
}
