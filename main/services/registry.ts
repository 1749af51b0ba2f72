/**
 * The project registry and global settings, persisted as one document through the Store port.
 * Every change is validated first and written whole, so a failed change changes nothing.
 * Stored folders are checked again whenever projects are read (and before every start through
 * `startRefusal`): a folder that is gone or now refused is reported on the project as
 * `folderProblem`, never stored, and nothing of the project is deleted.
 */
import { randomUUID } from 'node:crypto';
import {
  type Project,
  type ProjectAdd,
  type ProjectUpdate,
  type Result,
  type Schedule,
  type Settings,
  err,
  ok,
} from '../../contract/index.ts';
import type { EventBus } from './event-bus.ts';
import { type PathContext, checkProjectPath, storedFolderProblem } from './project-folder-rules.ts';
import type { Store, StoredDocument } from './store.ts';
import { notRegistered } from './not-registered.ts';

export class Registry {
  private doc: StoredDocument;
  private readonly store: Store;
  private readonly bus: EventBus | null;
  /** Set by the composition root: removal is refused while the project's agent is active. */
  isAgentActive: (projectId: string) => boolean = () => false;
  private readonly removedListeners = new Set<(project: Project) => void>();

  private readonly paths: PathContext;

  constructor(
    store: Store,
    doc: StoredDocument,
    bus: EventBus | null = null,
    paths: PathContext = {},
  ) {
    this.store = store;
    this.bus = bus;
    this.paths = paths;
    // A document written before a check existed may hold the derived field: never keep it.
    this.doc = { ...doc, projects: doc.projects.map(stored) };
  }

  /** Sentences for every stored project whose folder cannot be used now (for diagnostics). */
  folderProblems(): string[] {
    return this.list().flatMap((p) => (p.folderProblem ? [`${p.name}: ${p.folderProblem}`] : []));
  }

  list(): Project[] {
    return this.doc.projects.map((p) => this.withProblem(p));
  }

  get(id: string): Project | null {
    const project = this.doc.projects.find((p) => p.id === id);
    return project ? this.withProblem(project) : null;
  }

  /** Why the project cannot start now (its folder), as a Result error; null when it can. */
  startRefusal(id: string): Result<never> | null {
    const problem = this.get(id)?.folderProblem;
    return problem ? err('forbidden', problem, 'path') : null;
  }

  private withProblem(project: Project): Project {
    const problem = storedFolderProblem(project.path, this.paths);
    return problem ? { ...project, folderProblem: problem } : project;
  }

  settings(): Settings {
    return this.doc.settings;
  }

  add(input: ProjectAdd): Result<Project> {
    const name = this.checkName(input.name, null);
    if (!name.ok) return name;
    const path = this.checkPath(input.path, null);
    if (!path.ok) return path;
    const project: Project = {
      id: randomUUID(),
      name: input.name,
      path: path.value,
      createdAt: new Date().toISOString(),
      overrides: input.overrides ?? {},
      schedules: [],
    };
    this.commit({ ...this.doc, projects: [...this.doc.projects, project] });
    return ok(project);
  }

  update(input: ProjectUpdate): Result<Project> {
    const current = this.get(input.id);
    if (!current) return notRegistered();
    const next: Project = { ...current };
    if (input.name !== undefined && input.name !== current.name) {
      const name = this.checkName(input.name, current.id);
      if (!name.ok) return name;
      next.name = input.name;
    }
    if (input.path !== undefined) {
      const path = this.checkPath(input.path, current.id);
      if (!path.ok) return path;
      if (path.value !== current.path && this.isAgentActive(current.id)) {
        return err(
          'conflict',
          `Stop the agent of ${current.name} before moving the project to another folder.`,
          'path',
        );
      }
      next.path = path.value;
    }
    if (input.overrides !== undefined) next.overrides = input.overrides;
    if (input.containment !== undefined) next.containment = input.containment;
    this.commit({
      ...this.doc,
      projects: this.doc.projects.map((p) => (p.id === current.id ? next : p)),
    });
    return ok(this.get(current.id) ?? next);
  }

  remove(id: string): Result<{ id: string }> {
    const current = this.get(id);
    if (!current) return notRegistered();
    if (this.isAgentActive(id)) {
      // Runs a schedule started are stopped by the removal (see unattended.ts) before this.
      return err(
        'conflict',
        `The agent of ${current.name} is running and was not started by its schedule. Stop it first; the project's files stay on disk either way.`,
      );
    }
    this.commit({ ...this.doc, projects: this.doc.projects.filter((p) => p.id !== id) });
    for (const l of this.removedListeners) l(current);
    return ok({ id });
  }

  onRemoved(listener: (project: Project) => void): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  setSchedules(projectId: string, schedules: Schedule[]): Result<Project> {
    const current = this.get(projectId);
    if (!current) return notRegistered();
    const next = { ...current, schedules };
    this.commit({
      ...this.doc,
      projects: this.doc.projects.map((p) => (p.id === projectId ? next : p)),
    });
    return ok(next);
  }

  updateSettings(settings: Settings): void {
    // Written first: a failed write (full disk, read-only folder) changes nothing in memory.
    const doc = { ...this.doc, settings };
    this.store.write(doc);
    this.doc = doc;
  }

  private commit(next: StoredDocument): void {
    const doc = { ...next, projects: next.projects.map(stored) };
    this.store.write(doc);
    this.doc = doc;
    this.bus?.emit('projects.changed', this.list());
  }

  private checkName(name: string, selfId: string | null): Result<true> {
    const clash = this.doc.projects.find(
      (p) => p.id !== selfId && p.name.toLowerCase() === name.toLowerCase(),
    );
    if (clash)
      return err(
        'conflict',
        `A project named ${clash.name} already exists. Names are unique regardless of case.`,
        'name',
      );
    return ok(true);
  }

  private checkPath(input: string, selfId: string | null): Result<string> {
    const checked = checkProjectPath(input, this.paths);
    if (!checked.ok) return err('invalid-input', checked.message, 'path');
    const clash = this.doc.projects.find((p) => p.id !== selfId && p.path === checked.path);
    if (clash) return err('conflict', `That folder is already the project ${clash.name}.`, 'path');
    return ok(checked.path);
  }
}

/** A project as it is stored: without the fields main derives when it reads. */
function stored(project: Project): Project {
  if (project.folderProblem === undefined) return project;
  const { folderProblem: _derived, ...rest } = project;
  return rest;
}
