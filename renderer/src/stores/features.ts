import { create } from 'zustand';
import type { FeatureList } from '../../../contract/index.ts';

export interface FeatureEntry {
  list: FeatureList | null;
  error: string | null;
  loading: boolean;
  fetchedAt: number;
}

interface FeaturesState {
  entries: Readonly<Record<string, FeatureEntry>>;
  patch: (projectId: string, patch: Partial<FeatureEntry>) => void;
}

export const emptyFeatureEntry: FeatureEntry = {
  list: null,
  error: null,
  loading: false,
  fetchedAt: 0,
};

export const useFeatures = create<FeaturesState>()((set) => ({
  entries: {},
  patch: (projectId, patch) =>
    set((s) => ({
      entries: {
        ...s.entries,
        [projectId]: { ...(s.entries[projectId] ?? emptyFeatureEntry), ...patch },
      },
    })),
}));
