/**
 * Checkpoint actions: list a feature's checkpoints, see what restoring one changes, restore it,
 * and `git init` a project without git. Components call these; they call the API. After a
 * restore or an init, the feature details and the project's repository status are reloaded.
 */
import type {
  CheckpointList,
  CheckpointPreview,
  CheckpointRestored,
  RepositoryStatus,
  Result,
} from '../../../contract/index.ts';
import { call } from './call.ts';
import { loadDetails } from './backlog.ts';
import { useBacklog } from '../stores/backlog.ts';

export function listCheckpoints(
  projectId: string,
  featureId: number,
): Promise<Result<CheckpointList>> {
  return call('checkpoints.list', { id: projectId, featureId });
}

export function previewCheckpoint(
  projectId: string,
  ref: string,
): Promise<Result<CheckpointPreview>> {
  return call('checkpoints.preview', { id: projectId, ref });
}

export async function restoreCheckpoint(
  projectId: string,
  ref: string,
): Promise<Result<CheckpointRestored>> {
  const r = await call('checkpoints.restore', { id: projectId, ref });
  const selected = useBacklog.getState().ui[projectId]?.details?.featureId;
  if (r.ok && selected !== undefined) void loadDetails(projectId, selected);
  return r;
}

export function repositoryStatus(projectId: string): Promise<Result<RepositoryStatus>> {
  return call('checkpoints.repository', { id: projectId });
}

export function initGit(projectId: string): Promise<Result<{ message: string }>> {
  return call('checkpoints.initGit', { id: projectId });
}
