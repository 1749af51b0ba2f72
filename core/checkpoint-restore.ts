/**
 * What restoring a checkpoint would change, and restoring it: the project's files become the
 * checkpoint's files (ignored files and Nightshift's own state stay as they are), HEAD does not
 * move, and the index is reset to HEAD for those files, so `git status` then shows exactly how
 * the restored files differ from the last commit.
 *
 * Invariants:
 * - no work is lost: before any file changes, the working tree (uncommitted changes included) is
 *   itself checkpointed under `refs/nightshift/checkpoints/undo-<ms>/<feature>-0`, and restoring
 *   that undoes the restore;
 * - a restore that would change nothing changes nothing and keeps no undo checkpoint;
 * - every git call is asynchronous and its failure is a sentence.
 */
import { mkdtempSync, rmSync, rmdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import {
  type Checkpoint,
  NIGHTSHIFT_STATE_EXCLUDES,
  createCheckpoint,
  runGit,
  snapshotTree,
} from './checkpoints.ts';

export interface CheckpointChange {
  /** Relative to the project folder. */
  path: string;
  /** What restoring does to the file. */
  change: 'added' | 'modified' | 'deleted';
  /** Null for a binary file. */
  insertions: number | null;
  deletions: number | null;
}

export interface CheckpointDiff {
  files: number;
  insertions: number;
  deletions: number;
  changes: CheckpointChange[];
}

export type DiffResult = { ok: true; diff: CheckpointDiff } | { ok: false; message: string };

const UNDO_PREFIX = 'undo-';

/** A checkpoint the restore itself made of what was there before (its run id says so). */
export const isUndoCheckpoint = (runId: string): boolean => runId.startsWith(UNDO_PREFIX);

/** What turning tree `from` into tree `to` changes, within the project folder. */
export async function diffTrees(projectDir: string, from: string, to: string): Promise<DiffResult> {
  const scope = ['--', '.', ...NIGHTSHIFT_STATE_EXCLUDES];
  const [numstat, status] = await Promise.all([
    runGit(projectDir, [
      'diff',
      '--no-renames',
      '--relative',
      '--numstat',
      '-z',
      from,
      to,
      ...scope,
    ]),
    runGit(projectDir, [
      'diff',
      '--no-renames',
      '--relative',
      '--name-status',
      '-z',
      from,
      to,
      ...scope,
    ]),
  ]);
  if (!numstat.ok || !status.ok)
    return { ok: false, message: `git diff failed: ${numstat.err || status.err}` };
  const kinds = new Map<string, CheckpointChange['change']>();
  const st = status.out.split('\0').filter((x) => x !== '');
  for (let i = 0; i + 1 < st.length; i += 2) {
    const code = st[i]!;
    kinds.set(st[i + 1]!, code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified');
  }
  const changes: CheckpointChange[] = [];
  for (const entry of numstat.out.split('\0').filter((x) => x !== '')) {
    const [ins = '-', del = '-', ...rest] = entry.split('\t');
    const path = rest.join('\t');
    changes.push({
      path,
      change: kinds.get(path) ?? 'modified',
      insertions: ins === '-' ? null : Number(ins),
      deletions: del === '-' ? null : Number(del),
    });
  }
  return {
    ok: true,
    diff: {
      files: changes.length,
      insertions: changes.reduce((n, c) => n + (c.insertions ?? 0), 0),
      deletions: changes.reduce((n, c) => n + (c.deletions ?? 0), 0),
      changes,
    },
  };
}

/** The checkpoint's tree, or null when the ref does not name a commit. */
export async function checkpointTree(projectDir: string, ref: string): Promise<string | null> {
  const r = await runGit(projectDir, ['rev-parse', '--verify', '--quiet', `${ref}^{tree}`]);
  return r.ok && r.out ? r.out : null;
}

/** What restoring `ref` would change in the working tree as it is now. */
export async function previewRestore(projectDir: string, ref: string): Promise<DiffResult> {
  const target = await checkpointTree(projectDir, ref);
  if (!target) return { ok: false, message: `The checkpoint ${ref} does not exist any more.` };
  const now = await snapshotTree(projectDir);
  if (!now.ok) return now;
  return diffTrees(projectDir, now.tree, target);
}

export type RestoreResult =
  { ok: true; diff: CheckpointDiff; undo: Checkpoint | null } | { ok: false; message: string };

/** Removes a file, then its parent folders that became empty (never the project folder). */
function removeFile(projectDir: string, path: string): void {
  const root = resolve(projectDir);
  const full = resolve(root, path);
  if (!full.startsWith(root + sep)) return;
  try {
    unlinkSync(full);
  } catch {
    return; // already gone
  }
  for (let dir = dirname(full); dir !== root && dir.startsWith(root + sep); dir = dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      break; // not empty
    }
  }
}

/**
 * Makes the project's files those of checkpoint `ref`, after checkpointing them as they are
 * (under `featureId`, so the undo shows with the feature's checkpoints).
 */
export async function restoreCheckpoint(
  projectDir: string,
  ref: string,
  undoFor: { featureId: number; now?: number },
): Promise<RestoreResult> {
  const target = await checkpointTree(projectDir, ref);
  if (!target) return { ok: false, message: `The checkpoint ${ref} does not exist any more.` };
  const now = undoFor.now ?? Date.now();
  const undo = await createCheckpoint(projectDir, {
    runId: `${UNDO_PREFIX}${now}`,
    featureId: undoFor.featureId,
    attempt: 0,
    now,
    message: `Nightshift: the working tree before restoring ${ref}`,
  });
  if (!undo.ok)
    return {
      ok: false,
      message: `Nothing was restored: the working tree could not be checkpointed first (${undo.message}).`,
    };
  const d = await diffTrees(projectDir, undo.checkpoint.tree, target);
  if (!d.ok) return { ok: false, message: `Nothing was restored: ${d.message}` };
  if (d.diff.files === 0) {
    await runGit(projectDir, ['update-ref', '-d', undo.checkpoint.ref]);
    return { ok: true, diff: d.diff, undo: null };
  }
  for (const c of d.diff.changes) if (c.change === 'deleted') removeFile(projectDir, c.path);
  const written = d.diff.changes.filter((c) => c.change !== 'deleted').map((c) => c.path);
  if (written.length > 0) {
    // The checkpoint's files are written from a temporary index holding its tree.
    const tmp = mkdtempSync(join(tmpdir(), 'ns-restore-'));
    try {
      const env = { GIT_INDEX_FILE: join(tmp, 'index') };
      const read = await runGit(projectDir, ['read-tree', target], env);
      const out = read.ok
        ? await runGit(
            projectDir,
            ['checkout-index', '-f', '-z', '--stdin'],
            env,
            written.map((p) => `${p}\0`).join(''),
          )
        : read;
      if (!out.ok)
        return {
          ok: false,
          message: `The restore stopped part way (${out.err}). Restore ${undo.checkpoint.ref} to get back what was there before.`,
        };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  // The index follows HEAD again for these files: what the restore changed shows as unstaged.
  await runGit(projectDir, ['reset', '-q', '--', '.', ...NIGHTSHIFT_STATE_EXCLUDES]);
  return { ok: true, diff: d.diff, undo: undo.checkpoint };
}
