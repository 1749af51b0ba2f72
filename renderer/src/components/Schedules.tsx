import type { ReactNode } from 'react';
import type { Project } from '../../../contract/index.ts';

/**
 * Schedules of a project. The editor itself (ScheduleEditor.tsx) is written separately; until it
 * lands this section says so instead of pretending.
 */
export function Schedules(props: { project: Project }): ReactNode {
  const count = props.project.schedules.length;
  return (
    <section className="panel" aria-label="Schedules">
      <h3>Schedules</h3>
      <p className="muted">
        The schedule editor is not part of this build yet. This project has {count} schedule
        {count === 1 ? '' : 's'} stored.
      </p>
    </section>
  );
}
