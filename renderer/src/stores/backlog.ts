/**
 * UI state of the backlog views, per project: which view, the filter, the selected feature, the
 * editor, the last message, and the details of the selected feature. The features themselves
 * stay in stores/features.ts (main owns them; this only remembers how the user looks at them).
 */
import { create } from 'zustand';
import type { FeatureDetails, FeatureState, FeatureView } from '../../../contract/index.ts';

export type BacklogViewKind = 'groups' | 'board' | 'list' | 'graph';

export type EditorState = { mode: 'add' } | { mode: 'edit'; feature: FeatureView } | null;

export interface BacklogUi {
  view: BacklogViewKind;
  text: string;
  state: FeatureState | 'all';
  category: string | 'all';
  selectedId: number | null;
  editor: EditorState;
  /** The "Expand the project" dialog is open. */
  expanding: boolean;
  notice: { kind: 'ok' | 'error'; text: string } | null;
  details: { featureId: number; value: FeatureDetails | null; error: string | null } | null;
}

export const emptyBacklogUi: BacklogUi = {
  view: 'groups',
  text: '',
  state: 'all',
  category: 'all',
  selectedId: null,
  editor: null,
  expanding: false,
  notice: null,
  details: null,
};

interface BacklogStore {
  ui: Readonly<Record<string, BacklogUi>>;
  patch: (projectId: string, patch: Partial<BacklogUi>) => void;
}

export const useBacklog = create<BacklogStore>()((set) => ({
  ui: {},
  patch: (projectId, patch) =>
    set((s) => ({
      ui: { ...s.ui, [projectId]: { ...(s.ui[projectId] ?? emptyBacklogUi), ...patch } },
    })),
}));

export const useBacklogUi = (projectId: string): BacklogUi =>
  useBacklog((s) => s.ui[projectId]) ?? emptyBacklogUi;
