import { create } from 'zustand';
import type { ScheduleStatus } from '../../../contract/index.ts';

/** Every project's schedule status (the scheduler's view), fed by stores/sync.ts. */
interface SchedulesState {
  statuses: ScheduleStatus[];
  setStatuses: (statuses: ScheduleStatus[]) => void;
}

export const useSchedules = create<SchedulesState>()((set) => ({
  statuses: [],
  setStatuses: (statuses) => set({ statuses }),
}));
