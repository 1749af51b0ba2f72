/**
 * Schedule commands. The project's schedules and every schedule status reach the stores through
 * `projects.changed` and `schedules.changed` (see stores/sync.ts); skip-next also answers with the
 * statuses, which are stored at once.
 */
import type { Result, Schedule, ScheduleFields, ScheduleStatus } from '../../../contract/index.ts';
import { useSchedules } from '../stores/schedules.ts';
import { call } from './call.ts';

export const addSchedule = (projectId: string, schedule: ScheduleFields) =>
  call('schedules.add', { id: projectId, schedule });

export const updateSchedule = (projectId: string, scheduleId: string, schedule: ScheduleFields) =>
  call('schedules.update', { id: projectId, scheduleId, schedule });

export function setScheduleEnabled(
  projectId: string,
  schedule: Schedule,
  enabled: boolean,
): Promise<Result<Schedule>> {
  const { id, createdAt: _createdAt, ...fields } = schedule;
  return updateSchedule(projectId, id, { ...fields, enabled });
}

export const removeSchedule = (projectId: string, scheduleId: string) =>
  call('schedules.remove', { id: projectId, scheduleId });

/** Skips (or un-skips) the next window of one project, or of all with `projectId` null. */
export async function skipNextWindow(
  projectId: string | null,
  skip: boolean,
): Promise<Result<ScheduleStatus[]>> {
  const result = await call('schedules.skipNext', projectId ? { id: projectId, skip } : { skip });
  if (result.ok) useSchedules.getState().setStatuses(result.value);
  return result;
}
