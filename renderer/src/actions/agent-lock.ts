/** The renderer's write path for a project's agent lock: call the API, then update the store. */
import type { AgentState, Result } from '../../../contract/index.ts';
import { getApi } from '../api.ts';
import { useProjects } from '../stores/projects.ts';

/** Clears a lock that names a process Nightshift cannot confirm (nothing is signalled). */
export async function clearAgentLock(projectId: string): Promise<Result<AgentState>> {
  const result = await getApi().call['agent.clearLock']({ id: projectId });
  if (result.ok) useProjects.getState().setAgent(result.value);
  return result;
}
