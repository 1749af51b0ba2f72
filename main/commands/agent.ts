/**
 * `agent.*`: start, stop, pause, resume and drain a project's agent (one or all), its status,
 * log and live view. Every command on an unknown project answers not-found and changes nothing;
 * a stop by hand is told to the scheduler first, so a schedule does not restart the agent.
 */
import { lockHandlers } from '../services/lock-handlers.ts';
import {
  type AgentState,
  type Project,
  type Result,
  type Settings,
  err,
  ok,
  resolveRunSettings,
} from '../../contract/index.ts';
import type { RunViewFeed } from '../services/run-view-feed.ts';
import type { AgentSupervisor } from '../services/supervisor.ts';
import type { AreaHandlers } from './handlers.ts';
import { notRegistered } from '../services/not-registered.ts';

export interface AgentCommandDeps {
  registry: { get(id: string): Project | null; list(): Project[] };
  settings: { get(): Settings };
  supervisor: AgentSupervisor;
  runViews: RunViewFeed;
  /** A stop by hand holds until the window ends and cancels a pending crash retry. */
  noteManualStop(projectId: string): void;
  /** The project's own refusal to start (its folder is gone or refused), answered as it is. */
  folderRefusal?(projectId: string): Result<never> | null;
  /** Why a start by hand may not happen now (a spent budget), or null. */
  startRefusal?(projectId: string, model: string): { message: string } | null;
}

export function agentCommands(deps: AgentCommandDeps): AreaHandlers<'agent'> {
  const { registry, supervisor } = deps;
  /** Runs `fn` for a registered project; answers not-found for any other id. */
  const known =
    <T>(fn: (id: string) => Promise<Result<T>> | Result<T>) =>
    (input: { id: string }): Promise<Result<T>> | Result<T> =>
      registry.get(input.id) ? fn(input.id) : notRegistered();
  const unchanged = (id: string) => Promise.resolve(ok(supervisor.state(id)));
  const forAll = async (action: (id: string) => Promise<Result<AgentState>>) => {
    await Promise.all(registry.list().map((p) => action(p.id)));
    return ok(registry.list().map((p) => supervisor.state(p.id)));
  };

  return {
    'agent.status': known((id) => ok(supervisor.state(id))),
    // The lock commands (contract/locks.ts): clearing a lock the OS could not confirm.
    ...lockHandlers(supervisor),
    'agent.statusAll': () => ok(registry.list().map((p) => supervisor.state(p.id))),
    'agent.start': (input) => {
      const project = registry.get(input.id);
      if (!project) return notRegistered();
      const settings = resolveRunSettings(
        deps.settings.get().defaults,
        project.overrides,
        input.overrides,
      );
      const folder = deps.folderRefusal?.(input.id) ?? null;
      if (folder) return folder;
      const refusal = deps.startRefusal?.(input.id, settings.model) ?? null;
      if (refusal) return err('conflict', `${project.name} was not started: ${refusal.message}`);
      return supervisor.start(input.id, { settings, origin: 'manual' });
    },
    'agent.stop': known((id) => {
      deps.noteManualStop(id);
      return supervisor.stop(id);
    }),
    'agent.pause': known((id) => supervisor.pause(id)),
    'agent.resume': known((id) => supervisor.resume(id)),
    'agent.drain': known((id) => supervisor.drain(id)),
    'agent.logs': (input) =>
      registry.get(input.id) ? ok(supervisor.logs(input.id, input.limit)) : notRegistered(),
    'agent.runView': known((id) => ok(deps.runViews.get(id))),
    'agent.pauseAll': () =>
      forAll((id) =>
        supervisor.state(id).status === 'running' ? supervisor.pause(id) : unchanged(id),
      ),
    'agent.resumeAll': () =>
      forAll((id) =>
        supervisor.state(id).status === 'paused' ? supervisor.resume(id) : unchanged(id),
      ),
    'agent.stopAll': () =>
      forAll((id) => {
        deps.noteManualStop(id);
        return supervisor.isActive(id) ? supervisor.stop(id) : unchanged(id);
      }),
  };
}
