import { create } from 'zustand';
import type { AgentState, Project, RunView } from '../../../contract/index.ts';

interface ProjectsState {
  projects: Project[];
  loaded: boolean;
  agents: Readonly<Record<string, AgentState>>;
  runViews: Readonly<Record<string, RunView>>;
  setProjects: (projects: Project[]) => void;
  setAgent: (state: AgentState) => void;
  setAgents: (states: AgentState[]) => void;
  setRunView: (view: RunView) => void;
}

export const useProjects = create<ProjectsState>()((set) => ({
  projects: [],
  loaded: false,
  agents: {},
  runViews: {},
  setProjects: (projects) => set({ projects, loaded: true }),
  setAgent: (state) => set((s) => ({ agents: { ...s.agents, [state.projectId]: state } })),
  setAgents: (states) =>
    set((s) => {
      const agents = { ...s.agents };
      for (const a of states) agents[a.projectId] = a;
      return { agents };
    }),
  setRunView: (view) => set((s) => ({ runViews: { ...s.runViews, [view.projectId]: view } })),
}));
