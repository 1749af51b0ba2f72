/** `projects.*`: the registry's commands; removal goes through unattended operation. */
import { ok, type Result } from '../../contract/index.ts';
import type { Registry } from '../services/registry.ts';
import type { AreaHandlers } from './handlers.ts';

export interface ProjectCommandDeps {
  registry: Registry;
  /** Removes a project, first stopping a run its schedule started (see Scheduling). */
  removeProject(id: string): Promise<Result<{ id: string; message?: string }>>;
  pickFolder?: () => Promise<string | null>;
}

export function projectCommands(deps: ProjectCommandDeps): AreaHandlers<'projects'> {
  return {
    'projects.list': () => ok(deps.registry.list()),
    'projects.add': (input) => deps.registry.add(input),
    'projects.update': (input) => deps.registry.update(input),
    'projects.remove': (input) => deps.removeProject(input.id),
    'projects.pickFolder': async () => ok(deps.pickFolder ? await deps.pickFolder() : null),
  };
}
