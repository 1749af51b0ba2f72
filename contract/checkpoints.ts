/**
 * Checkpoints of a project's working tree (git refs the orchestrator keeps before each coding
 * session): list them, see what restoring one changes, restore one (the tree as it was is itself
 * checkpointed first, so a restore can be undone), and `git init` a project that has no git.
 */
import { z } from 'zod';
import { ProjectRef } from './project-ref.ts';

/** `refs/nightshift/checkpoints/<run>/<feature>-<attempt>`, nothing else. */
export const CheckpointRefName = z
  .string()
  .max(300, 'That is not a Nightshift checkpoint.')
  .regex(
    /^refs\/nightshift\/checkpoints\/[A-Za-z0-9._-]+\/\d+-\d+$/,
    'That is not a Nightshift checkpoint.',
  )
  .refine((r) => !r.includes('..'), 'That is not a Nightshift checkpoint.');

export const DiffStat = z.object({
  files: z.number().int(),
  insertions: z.number().int(),
  deletions: z.number().int(),
});
export type DiffStat = z.infer<typeof DiffStat>;

export const CheckpointChange = z.object({
  path: z.string(),
  /** What restoring does to the file. */
  change: z.enum(['added', 'modified', 'deleted']),
  /** Null for a binary file. */
  insertions: z.number().int().nullable(),
  deletions: z.number().int().nullable(),
});
export type CheckpointChange = z.infer<typeof CheckpointChange>;

export const CheckpointEntry = z.object({
  ref: z.string(),
  commit: z.string(),
  runId: z.string(),
  featureId: z.number().int(),
  attempt: z.number().int(),
  /** Epoch ms. */
  createdAt: z.number(),
  /** session: made before a coding session; undo: what was there before a restore. */
  kind: z.enum(['session', 'undo']),
  /** What restoring it would change in the working tree as it is now; null if unknown. */
  stat: DiffStat.nullable(),
  /** Set when it is past the age limit but kept: "kept: holds work nothing else has". */
  kept: z.string().nullable(),
});
export type CheckpointEntry = z.infer<typeof CheckpointEntry>;

export const CheckpointList = z.object({
  /** False when the project folder is not a git repository (so there are no checkpoints). */
  repository: z.boolean(),
  checkpoints: z.array(CheckpointEntry),
});
export type CheckpointList = z.infer<typeof CheckpointList>;

export const CheckpointPreview = DiffStat.extend({
  ref: z.string(),
  /** The files it changes (the first 500). */
  changes: z.array(CheckpointChange),
});
export type CheckpointPreview = z.infer<typeof CheckpointPreview>;

export const CheckpointRestored = DiffStat.extend({
  ref: z.string(),
  /** The checkpoint of the tree as it was before; restoring it undoes this restore. */
  undoRef: z.string().nullable(),
  message: z.string(),
});
export type CheckpointRestored = z.infer<typeof CheckpointRestored>;

export const RepositoryStatus = z.object({
  repository: z.boolean(),
  /** What the project panel says when it is not one; null when it is. */
  message: z.string().nullable(),
});
export type RepositoryStatus = z.infer<typeof RepositoryStatus>;

export const notARepositoryMessage =
  'This folder is not a git repository: Nightshift cannot checkpoint work before each session.';

const Ref = ProjectRef.extend({ ref: CheckpointRefName });

export const checkpointCommands = {
  'checkpoints.list': {
    input: ProjectRef.extend({ featureId: z.number().int().min(1).optional() }),
    output: CheckpointList,
  },
  'checkpoints.preview': { input: Ref, output: CheckpointPreview },
  'checkpoints.restore': { input: Ref, output: CheckpointRestored },
  'checkpoints.repository': { input: ProjectRef, output: RepositoryStatus },
  /** `git init` and a first commit of the files as they are. */
  'checkpoints.initGit': { input: ProjectRef, output: z.object({ message: z.string() }) },
} as const;
