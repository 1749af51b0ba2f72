import { z } from 'zod';
import { ProjectRef } from './project-ref.ts';

export const FeatureState = z.enum([
  'pending',
  'in-progress',
  'under-test',
  'passing',
  'blocked',
  'needs-human',
  /** Set aside by a human on the board: agents leave it until it is unskipped. */
  'skipped',
]);
export type FeatureState = z.infer<typeof FeatureState>;

export const HumanInputField = z.object({
  id: z.string(),
  label: z.string(),
  type: z.enum(['text', 'textarea', 'select', 'boolean']),
  required: z.boolean().optional(),
  placeholder: z.string().optional(),
  options: z.array(z.string()).optional(),
});
export type HumanInputField = z.infer<typeof HumanInputField>;

export const FeatureView = z.object({
  id: z.number(),
  priority: z.number(),
  category: z.string(),
  name: z.string(),
  description: z.string(),
  steps: z.array(z.string()),
  dependencies: z.array(z.number()),
  state: FeatureState,
  blockedReason: z.string().nullable(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  humanInput: z.object({ prompt: z.string(), fields: z.array(HumanInputField) }).nullable(),
});
export type FeatureView = z.infer<typeof FeatureView>;

export const FeatureList = z.object({
  features: z.array(FeatureView),
  dbPath: z.string().nullable(),
});
export type FeatureList = z.infer<typeof FeatureList>;

export const SpecRef = ProjectRef;
export const SpecSave = ProjectRef.extend({
  text: z.string().max(1_000_000, 'The spec is larger than 1 MB'),
});
export const HumanInputResolve = ProjectRef.extend({
  featureId: z.number().int().min(1),
  values: z.record(z.string(), z.union([z.string(), z.boolean()])),
});
