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

/** Dollars per million tokens. Cache writes are the 5-minute kind Claude Code uses. */
export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
}

const price = (input: number, output: number): ModelPrice => ({
  input,
  output,
  cacheWrite: input * 1.25,
  cacheRead: input * 0.1,
});

/**
 * Anthropic's list prices for the current Claude models, matched on the model id with or without
 * its date suffix. Only for an estimate while a session runs: the SDK's own figure replaces it
 * when the session ends. Opus 4 and 4.1 were priced higher than the later Opus models.
 */
const priceFamilies: { pattern: RegExp; price: ModelPrice }[] = [
  { pattern: /^claude-opus-4-[01](-\d{8})?$|^claude-opus-4-\d{8}$/, price: price(15, 75) },
  { pattern: /^claude-opus-4-([5-9]|\d\d)(-\d{8})?$|^opus$/, price: price(5, 25) },
  { pattern: /^claude-sonnet-4(-\d{1,2})?(-\d{8})?$|^sonnet$/, price: price(3, 15) },
  { pattern: /^claude-haiku-4-5(-\d{8})?$|^haiku$/, price: price(1, 5) },
];

/** The price of a model, or null for ids we cannot price (custom providers, older models). */
export function modelPrice(model: string | null): ModelPrice | null {
  if (!model) return null;
  const id = model.trim().toLowerCase();
  return priceFamilies.find((f) => f.pattern.test(id))?.price ?? null;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** Estimated dollars for token counts on a model, or null when the model has no known price. */
export function estimateCostUsd(model: string | null, tokens: TokenCounts): number | null {
  const p = modelPrice(model);
  if (!p) return null;
  return (
    (tokens.inputTokens * p.input +
      tokens.outputTokens * p.output +
      tokens.cacheWriteTokens * p.cacheWrite +
      tokens.cacheReadTokens * p.cacheRead) /
    1_000_000
  );
}
