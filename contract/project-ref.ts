/**
 * How a command names a project: by its id. A leaf module, so every command schema can build on
 * it (`ProjectRef.extend`), including those of modules `projects.ts` itself imports.
 */
import { z } from 'zod';

export const ProjectId = z.string().min(1).max(64);

export const ProjectRef = z.object({ id: ProjectId }).strict();
export type ProjectRef = z.infer<typeof ProjectRef>;
