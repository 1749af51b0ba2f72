import { create } from 'zustand';
import type { ContainmentStatus } from '../../../contract/index.ts';

/** Each project's sandbox status and containment choices, as main last reported them. */
interface ContainmentState {
  byProject: Record<string, ContainmentStatus>;
  set: (projectId: string, status: ContainmentStatus) => void;
}

export const useContainment = create<ContainmentState>()((set) => ({
  byProject: {},
  set: (projectId, status) => set((s) => ({ byProject: { ...s.byProject, [projectId]: status } })),
}));
