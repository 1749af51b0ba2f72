/**
 * Real git repositories for the checkpoint tests: a folder holding some files, committed once,
 * and checkpoints dated in the past (pruning goes by age). Each test then states only what it is
 * about: the files that differ and the checkpoints it needs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, type CheckpointResult } from '../../core/checkpoints.ts';
import { git } from './git.ts';

/** Writes each file (path in `dir` → content). */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/**
 * Makes the existing folder `dir` a git repository holding `files`, all committed as `message`
 * (with `commit: false`, left uncommitted: a repository without any commit). Answers `dir`.
 */
export function initRepo(
  dir: string,
  files: Record<string, string>,
  options: { commit?: boolean; message?: string } = {},
): string {
  git(dir, 'init', '-q');
  writeFiles(dir, files);
  if (options.commit ?? true) {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', options.message ?? 'start');
  }
  return dir;
}

/** The same in a new temporary folder, removed when the test ends. */
export function tempRepo(
  t: { after: (fn: () => void) => void },
  prefix: string,
  files: Record<string, string>,
  options: { commit?: boolean } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return initRepo(dir, files, options);
}

/** A checkpoint of the working tree before `featureId`'s attempt, dated `now`. */
export function checkpointAt(
  dir: string,
  now: number,
  featureId: number,
  attempt = 1,
  runId = 'r',
): Promise<CheckpointResult> {
  return createCheckpoint(dir, { runId, featureId, attempt, now });
}
