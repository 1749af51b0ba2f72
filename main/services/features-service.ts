/**
 * What main uses to answer `features.list`, `features.resolveHumanInput`, `spec.get` and
 * `spec.save`. Plain Node (no electron). Reads the project's features.db wherever autocoder,
 * AutoForge or Nightshift put it. Looking never writes: listing opens the database read-only (no
 * migration, no journal-mode switch, no file created), so a project another tool owns stays as
 * that tool left it. Only a human's answer to an input request writes, and only after a read-only
 * check that there is something to answer. Writes use a short busy timeout so a busy agent cannot
 * freeze the main process.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { err, messageOf, ok, type Result } from '../../contract/result.ts';
import type { FeatureList, FeatureState, FeatureView } from '../../contract/features.ts';
import {
  analyzeGraph,
  compareBySchedule,
  type GraphAnalysis,
} from '../../core/dependency-graph.ts';
import {
  asGraphNode,
  changeFailure,
  FeaturesDb,
  featureBasics,
  type Feature,
} from '../../core/features-db.ts';
import { readFeature, readFeatures } from '../../core/features-view.ts';
import { findFeaturesDb, findSpec, specPath } from '../../core/project-paths.ts';
import { reachableProjectFolder } from './project-folder-rules.ts';

export interface FeaturesServiceDeps {
  /** The folder of a registered project, or null when the id is unknown. */
  projectDir(projectId: string): string | null;
}

export function featureState(f: Feature, graph: GraphAnalysis): FeatureState {
  if (f.needsHumanInput && !f.passes) return 'needs-human';
  if (f.testingInProgress) return 'under-test';
  if (f.passes) return 'passing';
  if (f.inProgress) return 'in-progress';
  if (f.userSkippedAt !== null) return 'skipped';
  if (graph.blockedReasons.has(f.id)) return 'blocked';
  return 'pending';
}

export function toFeatureView(f: Feature, graph: GraphAnalysis): FeatureView {
  const state = featureState(f, graph);
  return {
    ...featureBasics(f),
    dependencies: f.dependencies,
    state,
    blockedReason: state === 'blocked' ? (graph.blockedReasons.get(f.id) ?? null) : null,
    attempts: f.attempts,
    lastError: f.lastError,
    humanInput:
      state === 'needs-human'
        ? {
            prompt: f.humanInputRequest?.prompt ?? 'This feature needs a decision from you.',
            fields: f.humanInputRequest?.fields.length
              ? f.humanInputRequest.fields
              : [{ id: 'answer', label: 'Answer', type: 'textarea' }],
          }
        : null,
  };
}

/** The features of a project folder, in schedule order (best next first, passing last). */
export function listFeaturesIn(projectDir: string): FeatureList {
  const path = findFeaturesDb(projectDir);
  if (!path) return { features: [], dbPath: null };
  const features = readFeatures(path, { busyTimeoutMs: 3000 });
  const graph = analyzeGraph(features.map(asGraphNode));
  const order = compareBySchedule(graph.scores);
  const sorted = [...features].sort((a, b) => Number(a.passes) - Number(b.passes) || order(a, b));
  return { features: sorted.map((f) => toFeatureView(f, graph)), dbPath: path };
}

export class FeaturesService {
  private readonly deps: FeaturesServiceDeps;

  constructor(deps: FeaturesServiceDeps) {
    this.deps = deps;
  }

  private dir(id: string): Result<string> {
    return reachableProjectFolder(this.deps.projectDir(id));
  }

  list(input: { id: string }): Result<FeatureList> {
    const dir = this.dir(input.id);
    if (!dir.ok) return dir;
    try {
      return ok(listFeaturesIn(dir.value));
    } catch (error) {
      return err('io', `Could not read the features database: ${messageOf(error)}`);
    }
  }

  getSpec(input: { id: string }): Result<{ text: string; path: string }> {
    const dir = this.dir(input.id);
    if (!dir.ok) return dir;
    const path = findSpec(dir.value) ?? specPath(dir.value);
    try {
      return ok({ text: existsSync(path) ? readFileSync(path, 'utf8') : '', path });
    } catch (error) {
      return err('io', `Could not read ${path}: ${messageOf(error)}`);
    }
  }

  /** Writes <project>/app_spec.txt atomically (temp file, then rename). */
  saveSpec(input: { id: string; text: string }): Result<{ path: string }> {
    const dir = this.dir(input.id);
    if (!dir.ok) return dir;
    const path = specPath(dir.value);
    try {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, input.text);
      renameSync(tmp, path);
      return ok({ path });
    } catch (error) {
      return err('io', `Could not save the spec to ${path}: ${messageOf(error)}`);
    }
  }

  resolveHumanInput(input: {
    id: string;
    featureId: number;
    values: Record<string, string | boolean>;
  }): Result<{ featureId: number }> {
    const dir = this.dir(input.id);
    if (!dir.ok) return dir;
    const path = findFeaturesDb(dir.value);
    if (!path) return err('not-found', 'This project has no features yet.');
    let db: FeaturesDb | null = null;
    try {
      // Checked read-only first, so a wrong or stale answer leaves the file untouched.
      const feature = readFeature(path, input.featureId, { busyTimeoutMs: 3000 });
      if (!feature) return err('not-found', `Feature #${input.featureId} does not exist.`);
      if (!feature.needsHumanInput)
        return err('conflict', `Feature #${input.featureId} is not waiting for input.`);
      const missing = (feature.humanInputRequest?.fields ?? []).find(
        (f) => f.required && (input.values[f.id] === undefined || input.values[f.id] === ''),
      );
      if (missing)
        return err('invalid-input', `${missing.label} is required.`, `values.${missing.id}`);
      db = FeaturesDb.open(path, { create: false, busyTimeoutMs: 3000 });
      db.resolveHumanInput(input.featureId, input.values);
      return ok({ featureId: input.featureId });
    } catch (error) {
      return changeFailure(error, 'Could not save the answer');
    } finally {
      db?.close();
    }
  }
}
