import { z } from 'zod';

/** Current Claude models and aliases offered in the model pickers. */
export const knownModels = [
  { id: 'claude-opus-4-6', name: 'Claude Opus 4.6' },
  { id: 'claude-sonnet-4-6', name: 'Claude Sonnet 4.6' },
  { id: 'claude-opus-4-5-20251101', name: 'Claude Opus 4.5' },
  { id: 'claude-sonnet-4-5-20250929', name: 'Claude Sonnet 4.5' },
  { id: 'claude-haiku-4-5-20251001', name: 'Claude Haiku 4.5' },
  { id: 'opus', name: 'Opus (latest alias)' },
  { id: 'sonnet', name: 'Sonnet (latest alias)' },
  { id: 'haiku', name: 'Haiku (latest alias)' },
] as const;

export const defaultModel = 'claude-opus-4-6';

/**
 * A model id: one of the known ones, or a custom id for an Anthropic-compatible provider
 * (Ollama, GLM, a gateway). Custom ids are restricted to characters model ids use, so that
 * nothing odd reaches a command line.
 */
export const ModelId = z
  .string()
  .trim()
  .min(1, 'Choose a model')
  .max(200, 'A model id has at most 200 characters')
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/,
    'A model id may contain letters, digits and . _ : / @ - only',
  );
export type ModelId = z.infer<typeof ModelId>;

export const ModelInfo = z.object({ id: z.string(), name: z.string(), custom: z.boolean() });
export type ModelInfo = z.infer<typeof ModelInfo>;
