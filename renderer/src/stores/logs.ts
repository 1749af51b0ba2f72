import { create } from 'zustand';
import type { LogLine } from '../../../contract/index.ts';
import {
  appendToProject,
  emptyLogBuffer,
  hydrateBuffer,
  type LogBuffer,
  type LogBuffers,
} from './log-buffer.ts';

interface LogsState {
  buffers: LogBuffers;
  /** One `agent.log` event: the whole batch lands in one update. */
  append: (projectId: string, lines: readonly LogLine[]) => void;
  hydrate: (projectId: string, history: readonly LogLine[]) => void;
}

export const useLogs = create<LogsState>()((set) => ({
  buffers: {},
  append: (projectId, lines) => {
    if (lines.length === 0) return;
    set((s) => ({ buffers: appendToProject(s.buffers, projectId, lines) }));
  },
  hydrate: (projectId, history) =>
    set((s) => ({
      buffers: {
        ...s.buffers,
        [projectId]: hydrateBuffer(s.buffers[projectId] ?? emptyLogBuffer, history),
      },
    })),
}));

export const selectBuffer =
  (projectId: string) =>
  (s: LogsState): LogBuffer =>
    s.buffers[projectId] ?? emptyLogBuffer;
