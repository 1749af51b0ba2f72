/**
 * What Nightshift's orchestrator needs before it can do anything in a project: a spec to turn
 * into features, or features to work on (in a database, or autocoder's legacy JSON list). Checked
 * before the agent is spawned, so a missing spec is an answer next to the Start button (or a
 * scheduled start that says why it did not happen) instead of an agent that starts and "crashes".
 */
import { existsSync } from 'node:fs';
import { countFeatures } from './features-view.ts';
import { findFeaturesDb, findSpec, legacyFeatureListPath } from './project-paths.ts';

/** Null when the orchestrator can run in `projectDir`; otherwise a sentence saying what to do. */
export function orchestratorPreflight(projectDir: string): string | null {
  if (findSpec(projectDir)) return null;
  if (existsSync(legacyFeatureListPath(projectDir))) return null;
  const db = findFeaturesDb(projectDir);
  try {
    if (db && countFeatures(db) > 0) return null;
  } catch {
    // An unreadable database is the agent's to report (with its real error), not ours to guess.
    return null;
  }
  return 'There is no app spec yet. Write one in the Spec tab (it is saved to app_spec.txt), then press Start.';
}
