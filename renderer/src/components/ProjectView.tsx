import { useState, type ReactNode } from 'react';
import type { Project } from '../../../contract/index.ts';
import { useProjects } from '../stores/projects.ts';
import { ContainmentPanel } from './ContainmentPanel.tsx';
import { GitPanel } from './checkpoints/GitPanel.tsx';
import { ControlPanel } from './ControlPanel.tsx';
import { BacklogView } from './backlog/BacklogView.tsx';
import { LogView } from './LogView.tsx';
import { RunOverview } from './RunOverview.tsx';
import { ScheduleEditor } from './ScheduleEditor.tsx';
import { SpecEditor } from './SpecEditor.tsx';
import { Tabs } from './Tabs.tsx';
import { HistoryTab } from './history/HistoryTab.tsx';

type TabKey = 'log' | 'features' | 'spec' | 'schedules' | 'history';

export function ProjectView(props: {
  project: Project;
  onEdit: () => void;
  onRemove: () => void;
}): ReactNode {
  const { project } = props;
  const [tab, setTab] = useState<TabKey>('log');
  const progress = useProjects((s) => s.runViews[project.id]?.progress ?? null);
  const attention = progress ? progress.needsHuman + progress.blocked : 0;
  return (
    <div className="project-view">
      <header className="project-header">
        <div>
          <h1>{project.name}</h1>
          <p className="muted mono small project-path">{project.path}</p>
        </div>
        <div className="header-actions">
          <button type="button" className="button" onClick={props.onEdit}>
            Edit project
          </button>
          <button type="button" className="button" onClick={props.onRemove}>
            Remove project
          </button>
        </div>
      </header>
      <ControlPanel project={project} />
      <ContainmentPanel projectId={project.id} />
      <GitPanel projectId={project.id} />
      <RunOverview projectId={project.id} />
      <Tabs<TabKey>
        label="Project sections"
        active={tab}
        onChange={setTab}
        tabs={[
          { key: 'log', label: 'Live log' },
          {
            key: 'features',
            label: (
              <>
                Features
                {attention > 0 ? (
                  <span className="tab-badge">
                    {attention} <span className="visually-hidden">need attention</span>
                  </span>
                ) : null}
              </>
            ),
          },
          { key: 'spec', label: 'Spec' },
          { key: 'schedules', label: 'Schedules' },
          { key: 'history', label: 'History' },
        ]}
      >
        {tab === 'log' ? <LogView projectId={project.id} /> : null}
        {tab === 'features' ? <BacklogView projectId={project.id} /> : null}
        {tab === 'spec' ? <SpecEditor projectId={project.id} /> : null}
        {tab === 'schedules' ? <ScheduleEditor project={project} /> : null}
        {tab === 'history' ? <HistoryTab projectId={project.id} /> : null}
      </Tabs>
    </div>
  );
}
