/**
 * Run overrides as a form edits them: an empty model, a 'default' YOLO choice and a null count
 * all mean "use the next level's value" (project, then global). Pure, unit tested from Node.
 */
import type { RunOverrides } from '../../../contract/index.ts';

export type YoloChoice = 'default' | 'on' | 'off';

export interface OverridesDraft {
  model: string;
  yolo: YoloChoice;
  codingAgents: number | null;
  regressionAgents: number | null;
}

export function overridesDraft(o: RunOverrides): OverridesDraft {
  return {
    model: o.model ?? '',
    yolo: o.yolo === undefined ? 'default' : o.yolo ? 'on' : 'off',
    codingAgents: o.codingAgents ?? null,
    regressionAgents: o.regressionAgents ?? null,
  };
}

export function overridesOf(d: OverridesDraft): RunOverrides {
  const run: RunOverrides = {};
  if (d.model.trim()) run.model = d.model.trim();
  if (d.yolo !== 'default') run.yolo = d.yolo === 'on';
  if (d.codingAgents !== null) run.codingAgents = d.codingAgents;
  if (d.regressionAgents !== null) run.regressionAgents = d.regressionAgents;
  return run;
}
