/** Agent controls: each answers with the agent's state, kept unless an event was newer. */
import type { AgentState, Result, RunOverrides } from '../../../contract/index.ts';
import { useProjects } from '../stores/projects.ts';
import { call } from './call.ts';

async function control(
  id: string,
  send: () => Promise<Result<AgentState>>,
): Promise<Result<AgentState>> {
  const before = useProjects.getState().agents[id];
  const result = await send();
  // Use the reply only if no status event arrived meanwhile (events are newer).
  const store = useProjects.getState();
  if (result.ok && store.agents[id] === before) store.setAgent(result.value);
  return result;
}

export const startAgent = (id: string, overrides: RunOverrides) =>
  control(id, () => call('agent.start', { id, overrides }));
export const pauseAgent = (id: string) => control(id, () => call('agent.pause', { id }));
export const drainAgent = (id: string) => control(id, () => call('agent.drain', { id }));
export const resumeAgent = (id: string) => control(id, () => call('agent.resume', { id }));
export const stopAgent = (id: string) => control(id, () => call('agent.stop', { id }));
