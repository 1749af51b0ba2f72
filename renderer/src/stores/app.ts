import { create } from 'zustand';
import type { CommandOutput, ModelInfo, SettingsView } from '../../../contract/index.ts';
import type { ConnectionState } from '../transport/ws-client.ts';

export type AppInfo = CommandOutput<'app.info'>;

/** What the main area shows. UI state only: never persisted. */
export type View =
  { kind: 'project'; id: string } | { kind: 'settings' } | { kind: 'inbox' } | { kind: 'none' };

interface AppState {
  info: AppInfo | null;
  settings: SettingsView | null;
  models: ModelInfo[];
  connection: ConnectionState;
  /** A sentence shown at the top when loading the basics failed. */
  loadError: string | null;
  /** What the last app-wide action did, in words (e.g. a removal), until dismissed. */
  notice: string | null;
  view: View;
  select: (view: View) => void;
}

export const useApp = create<AppState>()((set) => ({
  info: null,
  settings: null,
  models: [],
  connection: { kind: 'open' },
  loadError: null,
  notice: null,
  view: { kind: 'none' },
  select: (view) => set({ view }),
}));
