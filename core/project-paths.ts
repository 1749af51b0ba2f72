/**
 * Where a project's files live. autocoder keeps `features.db` in the project root (later in
 * `.autocoder/`), AutoForge in `.autoforge/`; an existing database is used in place wherever it
 * is, and a new project gets `<project>/features.db`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const FEATURES_DB = 'features.db';

/** Candidate locations, most specific tool first. */
export const featuresDbCandidates = (projectDir: string): string[] => [
  join(projectDir, '.autoforge', FEATURES_DB),
  join(projectDir, '.autocoder', FEATURES_DB),
  join(projectDir, FEATURES_DB),
];

function nonEmptyFile(path: string): boolean {
  try {
    return statSync(path).isFile() && statSync(path).size > 0;
  } catch {
    return false;
  }
}

/** The existing features database of a project, or null when there is none yet. */
export function findFeaturesDb(projectDir: string): string | null {
  const candidates = featuresDbCandidates(projectDir);
  return candidates.find(nonEmptyFile) ?? candidates.find((p) => existsSync(p)) ?? null;
}

/** The database to open: the existing one, or the default location for a new project. */
export const featuresDbPath = (projectDir: string): string =>
  findFeaturesDb(projectDir) ?? join(projectDir, FEATURES_DB);

/** The app spec the initializer reads. */
export const specPath = (projectDir: string): string => join(projectDir, 'app_spec.txt');

/** Older autocoder projects kept the spec under prompts/. */
export const specCandidates = (projectDir: string): string[] => [
  specPath(projectDir),
  join(projectDir, 'prompts', 'app_spec.txt'),
  join(projectDir, '.autoforge', 'prompts', 'app_spec.txt'),
  join(projectDir, '.autocoder', 'prompts', 'app_spec.txt'),
];

export function findSpec(projectDir: string): string | null {
  return specCandidates(projectDir).find(hasText) ?? null;
}

/** A file with something in it besides white space (a blank spec is no spec). */
function hasText(path: string): boolean {
  if (!nonEmptyFile(path)) return false;
  try {
    return readFileSync(path, 'utf8').trim().length > 0;
  } catch {
    return false;
  }
}

/** The legacy JSON backlog that autocoder imported into the database on first start. */
export const legacyFeatureListPath = (projectDir: string): string =>
  join(projectDir, 'feature_list.json');
