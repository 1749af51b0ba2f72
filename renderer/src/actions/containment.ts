/**
 * Containment actions: load a project's sandbox status, change its containment choices, read
 * its `.claude/` files before trusting them, and open Settings → Provider. Components call these;
 * they call the API and update the containment store.
 */
import type {
  ContainmentStatus,
  ProjectContainment,
  ProjectSettingsFile,
  Result,
} from '../../../contract/index.ts';
import { getApi } from '../api.ts';
import { useApp } from '../stores/app.ts';
import { useContainment } from '../stores/containment.ts';

export async function loadContainment(projectId: string): Promise<Result<ContainmentStatus>> {
  const r = await getApi().call['containment.status']({ id: projectId });
  if (r.ok) useContainment.getState().set(projectId, r.value);
  return r;
}

export async function saveContainment(
  projectId: string,
  containment: ProjectContainment,
): Promise<Result<ContainmentStatus>> {
  const r = await getApi().call['containment.update']({ id: projectId, containment });
  if (r.ok) useContainment.getState().set(projectId, r.value);
  return r;
}

export function readProjectSettingsFiles(
  projectId: string,
): Promise<Result<ProjectSettingsFile[]>> {
  return getApi().call['containment.projectFiles']({ id: projectId });
}

/** Shows Settings and brings its Credentials section (the provider's key) into view. */
export function openProviderSettings(): void {
  useApp.getState().select({ kind: 'settings' });
  requestAnimationFrame(() =>
    document.getElementById('settings-provider')?.scrollIntoView({ block: 'start' }),
  );
}
