/** Commands about a project's agent lock (see core/agent-lock.ts: a lock is a claim, not proof). */
import { AgentState } from './agent.ts';
import { ProjectRef } from './project-ref.ts';

export const lockCommands = {
  /**
   * Removes a lock that names no process the OS confirms as the project's agent. Signals
   * nothing; refused while a confirmed agent runs.
   */
  'agent.clearLock': { input: ProjectRef, output: AgentState },
} as const;
