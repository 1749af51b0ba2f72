import { z } from 'zod';
import { ModelId } from './models.ts';

export const CodingAgents = z
  .number()
  .int('Coding agents must be a whole number')
  .min(1, 'Coding agents must be between 1 and 5')
  .max(5, 'Coding agents must be between 1 and 5');
export const RegressionAgents = z
  .number()
  .int('Regression agents must be a whole number')
  .min(0, 'Regression agents must be between 0 and 3')
  .max(3, 'Regression agents must be between 0 and 3');

/** The four values that shape a run. */
export const RunSettings = z.object({
  model: ModelId,
  yolo: z.boolean(),
  codingAgents: CodingAgents,
  regressionAgents: RegressionAgents,
});
export type RunSettings = z.infer<typeof RunSettings>;

/** Per-project or per-request overrides; an absent value falls back to the next layer. */
export const RunOverrides = z
  .object({
    model: ModelId.optional(),
    yolo: z.boolean().optional(),
    codingAgents: CodingAgents.optional(),
    regressionAgents: RegressionAgents.optional(),
  })
  .strict();
export type RunOverrides = z.infer<typeof RunOverrides>;

/** Resolves request → project → global, in that order of precedence. */
export function resolveRunSettings(
  defaults: RunSettings,
  ...layers: (RunOverrides | undefined)[]
): RunSettings {
  const out: RunSettings = { ...defaults };
  // Layers are given lowest precedence first.
  for (const layer of layers) {
    if (!layer) continue;
    if (layer.model !== undefined) out.model = layer.model;
    if (layer.yolo !== undefined) out.yolo = layer.yolo;
    if (layer.codingAgents !== undefined) out.codingAgents = layer.codingAgents;
    if (layer.regressionAgents !== undefined) out.regressionAgents = layer.regressionAgents;
  }
  return out;
}
