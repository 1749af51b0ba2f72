/**
 * The `backlog.*` commands: a human's edits, import/export and feature details, answered from
 * the project's features.db (wherever autocoder, AutoForge or Nightshift put it). Every write
 * opens the database with a short busy timeout so a busy agent cannot freeze the main process;
 * the rules of each edit (conflicts, cycles, claims) live in core/backlog-edit.ts.
 */
import type { z } from 'zod';
import { backlogCommands, type FeatureSession } from '../../contract/backlog.ts';
import { err, messageOf, ok, type Result } from '../../contract/result.ts';
import {
  addFeature,
  deleteFeature,
  editFeature,
  markForRetest,
  moveFeature,
  resetAttempts,
  setFeatureDependencies,
  skipFeature,
} from '../../core/backlog-edit.ts';
import {
  exportBacklog,
  exportFeatureList,
  exportFileName,
  importBacklog,
} from '../../core/backlog-transfer.ts';
import { changeFailure, FeaturesDb } from '../../core/features-db.ts';
import { readFeature, readFeatures } from '../../core/features-view.ts';
import { featuresDbPath, findFeaturesDb } from '../../core/project-paths.ts';
import { featureDetails } from './feature-details.ts';
import { reachableProjectFolder } from './project-folder-rules.ts';

/** `backlog.expand` needs the supervisor: it is answered by expand-service.ts. */
type BacklogCommand = Exclude<keyof typeof backlogCommands, 'backlog.expand'>;
type Input<K extends BacklogCommand> = z.infer<(typeof backlogCommands)[K]['input']>;
type Output<K extends BacklogCommand> = z.infer<(typeof backlogCommands)[K]['output']>;
export type BacklogHandlers = {
  [K in BacklogCommand]: (input: Input<K>) => Promise<Result<Output<K>>> | Result<Output<K>>;
};

export interface BacklogServiceDeps {
  /** The folder of a registered project, or null when the id is unknown. */
  projectDir(projectId: string): string | null;
  /** Called after every successful write (main refreshes views). */
  onChanged?(projectId: string): void;
  busyTimeoutMs?: number;
  /** The ledger's sessions of a feature (null without a ledger): details prefer them. */
  ledgerSessions?(projectId: string, featureId: number): FeatureSession[] | null;
}

export function createBacklogService(deps: BacklogServiceDeps): { handlers: BacklogHandlers } {
  const busyTimeoutMs = deps.busyTimeoutMs ?? 3000;

  const dir = (id: string): Result<string> => reachableProjectFolder(deps.projectDir(id));

  /** Opens the database for a write (creating it only when `create`), runs fn, closes. */
  const write = <T>(
    projectId: string,
    create: boolean,
    fn: (db: FeaturesDb) => Result<T>,
  ): Result<T> => {
    const folder = dir(projectId);
    if (!folder.ok) return folder;
    const path = create ? featuresDbPath(folder.value) : findFeaturesDb(folder.value);
    if (!path) return err('not-found', 'This project has no features yet.');
    let db: FeaturesDb | null = null;
    try {
      db = FeaturesDb.open(path, { create, busyTimeoutMs });
      const result = fn(db);
      if (result.ok) deps.onChanged?.(projectId);
      return result;
    } catch (error) {
      return changeFailure(error, 'Could not change the features database');
    } finally {
      db?.close();
    }
  };

  const handlers: BacklogHandlers = {
    'backlog.add': (input) => write(input.id, true, (db) => addFeature(db, input.feature)),
    'backlog.edit': (input) =>
      write(input.id, false, (db) =>
        editFeature(db, input.featureId, input.expected, input.changes),
      ),
    'backlog.remove': (input) => write(input.id, false, (db) => deleteFeature(db, input.featureId)),
    'backlog.move': (input) =>
      write(input.id, false, (db) =>
        moveFeature(db, input.featureId, input.beforeId, input.expectedPriority),
      ),
    'backlog.setDependencies': (input) =>
      write(input.id, false, (db) =>
        setFeatureDependencies(db, input.featureId, input.dependencies, input.expected),
      ),
    'backlog.skip': (input) =>
      write(input.id, false, (db) => skipFeature(db, input.featureId, input.skip)),
    'backlog.retest': (input) => write(input.id, false, (db) => markForRetest(db, input.featureId)),
    'backlog.resetAttempts': (input) =>
      write(input.id, false, (db) => resetAttempts(db, input.featureId)),
    'backlog.import': (input) =>
      write(input.id, true, (db) => {
        const result = importBacklog(db, input.format, input.text);
        if (!result.ok) return result;
        const n = result.value.created;
        return ok({
          created: n,
          message: `Imported ${n} feature${n === 1 ? '' : 's'}; the agents can pick them up at their next claim.`,
        });
      }),
    'backlog.export': (input) => {
      const folder = dir(input.id);
      if (!folder.ok) return folder;
      const path = findFeaturesDb(folder.value);
      try {
        // Read-only: exporting an autocoder project leaves its file as autocoder left it.
        const features = path ? readFeatures(path, { busyTimeoutMs }) : [];
        const text =
          input.format === 'feature-list-json'
            ? exportFeatureList(features)
            : exportBacklog(features);
        return ok({ fileName: exportFileName(input.format), text });
      } catch (error) {
        return err('io', `Could not read the features database: ${messageOf(error)}`);
      }
    },
    'backlog.details': async (input) => {
      const folder = dir(input.id);
      if (!folder.ok) return folder;
      const path = findFeaturesDb(folder.value);
      try {
        const feature = path ? readFeature(path, input.featureId, { busyTimeoutMs }) : null;
        if (!feature) return err('not-found', `Feature #${input.featureId} does not exist.`);
        const fromLedger = deps.ledgerSessions?.(input.id, input.featureId) ?? null;
        return ok(await featureDetails(folder.value, feature, fromLedger));
      } catch (error) {
        return err('io', `Could not read the feature's details: ${messageOf(error)}`);
      }
    },
  };
  return { handlers };
}
