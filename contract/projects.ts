import { z } from 'zod';
import { RunOverrides } from './run-settings.ts';
import { Schedule } from './schedules.ts';
import { ProjectContainment } from './containment.ts';
import { ProjectRef } from './project-ref.ts';

export const ProjectName = z
  .string()
  .regex(
    /^[a-zA-Z0-9_-]{1,50}$/,
    'A project name is 1 to 50 letters, digits, hyphens or underscores',
  );

export const ProjectPath = z
  .string()
  .min(1, 'Enter the folder of the project')
  .max(4096, 'That path is too long');

export const Project = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  createdAt: z.string(),
  overrides: RunOverrides,
  schedules: z.array(Schedule),
  /** Sandbox extras, extra environment names and settings trust; absent = the strictest. */
  containment: ProjectContainment.optional(),
  /**
   * Why the project's folder cannot be used now (gone, or a folder Nightshift refuses), as a
   * sentence; absent when it can. Worked out by main each time projects are read, never stored.
   */
  folderProblem: z.string().optional(),
});
export type Project = z.infer<typeof Project>;

export const ProjectAdd = z
  .object({ name: ProjectName, path: ProjectPath, overrides: RunOverrides.optional() })
  .strict();
export type ProjectAdd = z.infer<typeof ProjectAdd>;

export const ProjectUpdate = ProjectRef.extend({
  name: ProjectName.optional(),
  path: ProjectPath.optional(),
  overrides: RunOverrides.optional(),
  containment: ProjectContainment.optional(),
});
export type ProjectUpdate = z.infer<typeof ProjectUpdate>;
