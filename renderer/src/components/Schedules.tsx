import type { ReactNode } from 'react';
import type { Project } from '../../../contract/index.ts';
import { ScheduleEditor } from './ScheduleEditor.tsx';

/** Schedules of a project: the weekly windows, their next start and end, and skip-next. */
export function Schedules(props: { project: Project }): ReactNode {
  return <ScheduleEditor project={props.project} />;
}
