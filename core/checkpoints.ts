/**
 * Checkpoints of a project's working tree, as git refs, so no session's work is ever lost: before
 * each coding session the whole tree (committed, staged, unstaged and untracked files; ignored
 * files and Nightshift's own state excepted) is recorded as a commit under `refs/nightshift/checkpoints/<run>/<feature>-<attempt>`.
 *
 * Invariants:
 * - creating a checkpoint changes nothing the user sees: not the index (a temporary index is
 *   used, seeded from the real one so unchanged files are not re-read), not HEAD, not the
 *   working tree, not the stash;
 * - the checkpoint's parent is HEAD when there is one, so `git diff <HEAD> <checkpoint>` is what
 *   the session had not committed;
 * - every git call is asynchronous (the event loop never waits on it) and its failure is data.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHECKPOINT_PREFIX = 'refs/nightshift/checkpoints';

export interface Checkpoint {
  ref: string;
  commit: string;
  /** The checkpoint's tree: two checkpoints with one tree hold the same files. */
  tree: string;
  runId: string;
  featureId: number;
  attempt: number;
  /** Epoch ms. */
  createdAt: number;
}

export type CheckpointResult =
  | { ok: true; checkpoint: Checkpoint }
  | { ok: false; code: 'not-a-repository' | 'git-failed'; message: string };

export interface GitOutput {
  ok: boolean;
  out: string;
  err: string;
}

/** Runs git asynchronously; its failure is data. `input` is written to its stdin. */
export function runGit(
  cwd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  input?: string,
): Promise<GitOutput> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      args,
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...env },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => resolve({ ok: !error, out: stdout.trim(), err: stderr.trim() }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
const git = runGit;

/**
 * Nightshift's own state is never part of a checkpoint, and a restore never touches it: the
 * backlog database (rolling it back would undo the run's bookkeeping, and copying it while an
 * agent writes could catch it half-written) and the run logs.
 */
export const NIGHTSHIFT_STATE_EXCLUDES = [
  // Glob forms: a plain `:(exclude).nightshift` makes `git add` fail where .gitignore has it.
  ':(exclude,glob)**/.nightshift/**',
  ':(exclude,glob)**/features.db',
  ':(exclude,glob)**/features.db-*',
];

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');

export function checkpointRef(runId: string, featureId: number, attempt: number): string {
  return `${CHECKPOINT_PREFIX}/${safe(runId)}/${featureId}-${attempt}`;
}

export async function isGitRepository(projectDir: string): Promise<boolean> {
  const r = await git(projectDir, ['rev-parse', '--is-inside-work-tree']);
  return r.ok && r.out === 'true';
}

export type Snapshot =
  | { ok: true; tree: string; head: string | null }
  | { ok: false; code: 'not-a-repository' | 'git-failed'; message: string };

/**
 * The working tree as a git tree object (committed, staged, unstaged and untracked files;
 * ignored files and Nightshift's state excepted), written through a temporary index so the
 * user's index is untouched.
 */
export async function snapshotTree(projectDir: string): Promise<Snapshot> {
  if (!(await isGitRepository(projectDir)))
    return {
      ok: false,
      code: 'not-a-repository',
      message: `${projectDir} is not a git repository, so no checkpoint can be kept.`,
    };
  const gitDir = await git(projectDir, ['rev-parse', '--absolute-git-dir']);
  const tmp = mkdtempSync(join(tmpdir(), 'ns-checkpoint-'));
  const index = join(tmp, 'index');
  try {
    const realIndex = join(gitDir.out, 'index');
    if (existsSync(realIndex)) copyFileSync(realIndex, index);
    const env = { GIT_INDEX_FILE: index };
    const add = await git(projectDir, ['add', '-A', '--', '.', ...NIGHTSHIFT_STATE_EXCLUDES], env);
    if (!add.ok) return { ok: false, code: 'git-failed', message: `git add failed: ${add.err}` };
    const tree = await git(projectDir, ['write-tree'], env);
    if (!tree.ok)
      return { ok: false, code: 'git-failed', message: `git write-tree failed: ${tree.err}` };
    const head = await git(projectDir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
    return { ok: true, tree: tree.out, head: head.ok && head.out ? head.out : null };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Records the working tree as a checkpoint commit and points its ref at it. */
export async function createCheckpoint(
  projectDir: string,
  at: { runId: string; featureId: number; attempt: number; now?: number; message?: string },
): Promise<CheckpointResult> {
  const snap = await snapshotTree(projectDir);
  if (!snap.ok) return snap;
  const now = at.now ?? Date.now();
  const message =
    at.message ??
    `Nightshift checkpoint before feature #${at.featureId}, attempt ${at.attempt} (run ${at.runId})`;
  const commit = await git(
    projectDir,
    ['commit-tree', snap.tree, ...(snap.head ? ['-p', snap.head] : []), '-m', message],
    {
      GIT_AUTHOR_NAME: 'Nightshift',
      GIT_AUTHOR_EMAIL: 'nightshift@localhost',
      GIT_COMMITTER_NAME: 'Nightshift',
      GIT_COMMITTER_EMAIL: 'nightshift@localhost',
      GIT_AUTHOR_DATE: `${Math.floor(now / 1000)} +0000`,
      GIT_COMMITTER_DATE: `${Math.floor(now / 1000)} +0000`,
    },
  );
  if (!commit.ok)
    return { ok: false, code: 'git-failed', message: `git commit-tree failed: ${commit.err}` };
  const ref = checkpointRef(at.runId, at.featureId, at.attempt);
  const update = await git(projectDir, ['update-ref', ref, commit.out]);
  if (!update.ok)
    return { ok: false, code: 'git-failed', message: `git update-ref failed: ${update.err}` };
  return {
    ok: true,
    checkpoint: {
      ref,
      commit: commit.out,
      tree: snap.tree,
      runId: at.runId,
      featureId: at.featureId,
      attempt: at.attempt,
      createdAt: now,
    },
  };
}

/** The project's checkpoints (of one feature, when given), newest first. */
export async function listCheckpoints(
  projectDir: string,
  featureId?: number,
): Promise<Checkpoint[]> {
  const r = await git(projectDir, [
    'for-each-ref',
    '--sort=-committerdate',
    '--format=%(refname) %(objectname) %(tree) %(committerdate:unix)',
    `${CHECKPOINT_PREFIX}/`,
  ]);
  if (!r.ok || r.out === '') return [];
  const out: Checkpoint[] = [];
  for (const line of r.out.split('\n')) {
    const [ref, commit, tree, secs] = line.split(' ');
    const m = new RegExp(`^${CHECKPOINT_PREFIX}/([^/]+)/(\\d+)-(\\d+)$`).exec(ref ?? '');
    if (!m || !commit || !tree) continue;
    const cp: Checkpoint = {
      ref: ref!,
      commit,
      tree,
      runId: m[1]!,
      featureId: Number(m[2]),
      attempt: Number(m[3]),
      createdAt: Number(secs) * 1000,
    };
    if (featureId === undefined || cp.featureId === featureId) out.push(cp);
  }
  return out;
}
