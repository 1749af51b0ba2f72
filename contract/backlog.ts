/**
 * Backlog editing from the UI: every change to `<project>/features.db` the board can make, plus
 * import/export, feature details and project expansion. Each edit that could race an agent
 * carries what the editor saw (`expected`), and is refused when the row changed since.
 */
import { z } from 'zod';
import { SessionRecord } from './ledger.ts';
import { ProjectRef } from './project-ref.ts';

const FeatureId = z.number().int().min(1);
const Category = z.string().trim().min(1, 'Give the feature a category').max(100);
const Name = z.string().trim().min(1, 'Give the feature a name').max(255);
const Description = z.string().trim().min(1, 'Describe the feature').max(100_000);
const Steps = z
  .array(z.string().trim().min(1, 'A step cannot be empty').max(10_000))
  .min(1, 'List at least one step')
  .max(200);
const Dependencies = z.array(FeatureId).max(20, 'A feature can have at most 20 dependencies');

export const FeatureText = z.object({
  category: Category,
  name: Name,
  description: Description,
  steps: Steps,
});
export type FeatureText = z.infer<typeof FeatureText>;

export const BacklogAdd = ProjectRef.extend({
  feature: FeatureText.extend({ dependencies: Dependencies }).strict(),
});
/** One feature of one project: what every edit of a single row starts from. */
export const BacklogFeatureRef = ProjectRef.extend({ featureId: FeatureId });
export const BacklogEdit = BacklogFeatureRef.extend({
  /** The text the editor started from; the edit is refused if the row no longer has it. */
  expected: FeatureText.strict(),
  changes: FeatureText.partial().strict(),
});
export const BacklogMove = BacklogFeatureRef.extend({
  /** Put it just before this feature in priority order; null puts it last. */
  beforeId: FeatureId.nullable(),
  expectedPriority: z.number().int(),
});
export const BacklogSetDependencies = BacklogFeatureRef.extend({
  dependencies: Dependencies,
  expected: z.array(FeatureId),
});
export const BacklogSkip = BacklogFeatureRef.extend({ skip: z.boolean() });
export const BacklogFormat = z.enum(['backlog-json', 'feature-list-json']);
export type BacklogFormat = z.infer<typeof BacklogFormat>;
export const BacklogExport = ProjectRef.extend({ format: BacklogFormat });
export const BacklogImport = ProjectRef.extend({
  format: BacklogFormat,
  text: z.string().min(1, 'The file is empty').max(20_000_000, 'The file is larger than 20 MB'),
});
/** An addendum goes whole into one expander prompt, so it stays well inside a model's context. */
export const MAX_ADDENDUM_CHARS = 50_000;
export const BacklogExpand = ProjectRef.extend({
  addendum: z
    .string()
    .trim()
    .min(1, 'Write what the project should also do')
    .max(
      MAX_ADDENDUM_CHARS,
      'The addendum is longer than 50,000 characters: split it into smaller expansions',
    ),
});

export const ExpandResult = z.object({
  /** True when an expand run was started for it; false when a running agent takes it up. */
  started: z.boolean(),
  specPath: z.string(),
  message: z.string(),
});
export type ExpandResult = z.infer<typeof ExpandResult>;

export const BacklogChange = z.object({ featureId: z.number(), message: z.string() });
export type BacklogChange = z.infer<typeof BacklogChange>;

/**
 * A session that worked on the feature: the ledger's session row, or the same read back from the
 * run logs where the ledger lacks it. So role and outcome are plain words (a log says the agent's
 * outcome, the ledger its own), input tokens include cache reads and writes, and an unknown cost
 * is 0.
 */
export const FeatureSession = SessionRecord.pick({
  runId: true,
  agentId: true,
  startedAt: true,
  endedAt: true,
  message: true,
  outputTokens: true,
}).extend({
  role: z.string(),
  outcome: z.string().nullable(),
  inputTokens: z.number(),
  costUsd: z.number(),
});
export type FeatureSession = z.infer<typeof FeatureSession>;

export const FeatureDetails = z.object({
  featureId: z.number(),
  sessions: z.array(FeatureSession),
  lastError: z.string().nullable(),
  humanInput: z
    .object({
      prompt: z.string(),
      answer: z.record(z.string(), z.union([z.string(), z.boolean()])).nullable(),
      waiting: z.boolean(),
    })
    .nullable(),
  commits: z.array(z.object({ hash: z.string(), date: z.string(), subject: z.string() })),
  checkpoints: z.array(z.object({ ref: z.string(), hash: z.string(), date: z.string() })),
});
export type FeatureDetails = z.infer<typeof FeatureDetails>;

export const backlogCommands = {
  'backlog.add': { input: BacklogAdd, output: BacklogChange },
  'backlog.edit': { input: BacklogEdit, output: BacklogChange },
  'backlog.remove': { input: BacklogFeatureRef, output: BacklogChange },
  'backlog.move': { input: BacklogMove, output: BacklogChange },
  'backlog.setDependencies': { input: BacklogSetDependencies, output: BacklogChange },
  'backlog.skip': { input: BacklogSkip, output: BacklogChange },
  'backlog.retest': { input: BacklogFeatureRef, output: BacklogChange },
  'backlog.resetAttempts': { input: BacklogFeatureRef, output: BacklogChange },
  'backlog.export': {
    input: BacklogExport,
    output: z.object({ fileName: z.string(), text: z.string() }),
  },
  'backlog.import': {
    input: BacklogImport,
    output: z.object({ created: z.number(), message: z.string() }),
  },
  'backlog.details': { input: BacklogFeatureRef, output: FeatureDetails },
  'backlog.expand': { input: BacklogExpand, output: ExpandResult },
} as const;
