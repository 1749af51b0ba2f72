/** Handlers of the lock commands (contract/locks.ts), to spread into the app's handler map. */
import type { AgentState, ProjectRef, Result } from '../../contract/index.ts';

export function lockHandlers(supervisor: {
  clearLock(projectId: string): Promise<Result<AgentState>>;
}) {
  return {
    'agent.clearLock': (input: ProjectRef) => supervisor.clearLock(input.id),
  };
}
