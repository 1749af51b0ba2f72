/** The project's app spec: loaded for the editor, saved from it. */
import type { Result } from '../../../contract/index.ts';
import { call } from './call.ts';

export const loadSpec = (projectId: string): Promise<Result<{ text: string; path: string }>> =>
  call('spec.get', { id: projectId });

export const saveSpec = (projectId: string, text: string): Promise<Result<{ path: string }>> =>
  call('spec.save', { id: projectId, text });
