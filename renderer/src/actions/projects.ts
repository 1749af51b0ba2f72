/** Adding, editing and removing projects: the command, then the stores (before the event). */
import type { CommandInput, Project, Result } from '../../../contract/index.ts';
import { useApp } from '../stores/app.ts';
import { useProjects } from '../stores/projects.ts';
import { call } from './call.ts';

/** Adds a project and shows it. */
export async function addProject(input: CommandInput<'projects.add'>): Promise<Result<Project>> {
  const result = await call('projects.add', input);
  if (!result.ok) return result;
  const store = useProjects.getState();
  if (!store.projects.some((p) => p.id === result.value.id))
    store.setProjects([...store.projects, result.value]);
  useApp.getState().select({ kind: 'project', id: result.value.id });
  return result;
}

export async function updateProject(
  input: CommandInput<'projects.update'>,
): Promise<Result<Project>> {
  const result = await call('projects.update', input);
  if (!result.ok) return result;
  const store = useProjects.getState();
  store.setProjects(store.projects.map((p) => (p.id === result.value.id ? result.value : p)));
  return result;
}

/** Removes a project, shows the next one, and says what happened where it stays visible. */
export async function removeProject(project: Project): Promise<Result<{ id: string }>> {
  const result = await call('projects.remove', { id: project.id });
  if (!result.ok) return result;
  const store = useProjects.getState();
  const rest = store.projects.filter((p) => p.id !== project.id);
  store.setProjects(rest);
  const first = rest[0];
  useApp.getState().select(first ? { kind: 'project', id: first.id } : { kind: 'none' });
  useApp.setState({
    notice:
      result.value.message ??
      `${project.name} was removed from Nightshift. Its files stay on disk.`,
  });
  return result;
}

/** The desktop app's folder picker: the chosen folder, or null when cancelled. */
export function pickFolder(): Promise<Result<string | null>> {
  return call('projects.pickFolder');
}

export function dismissNotice(): void {
  useApp.setState({ notice: null });
}
