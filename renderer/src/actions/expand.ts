/**
 * "Expand the project": sends the addendum to main, which appends it to the spec and has the
 * project's agent add the new features. What happened goes to the backlog's notice.
 */
import { getApi } from '../api.ts';
import { useBacklog } from '../stores/backlog.ts';
import { refreshFeaturesNow } from '../stores/sync.ts';

/** Null when main took it (the dialog closes), else the sentence why not (the dialog stays). */
export async function expandProject(projectId: string, addendum: string): Promise<string | null> {
  const result = await getApi().call['backlog.expand']({ id: projectId, addendum });
  if (!result.ok) return result.error.message;
  useBacklog.getState().patch(projectId, {
    expanding: false,
    notice: { kind: 'ok', text: result.value.message },
  });
  await refreshFeaturesNow(projectId);
  return null;
}
