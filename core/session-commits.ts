/**
 * The commits a session made: HEAD when it started, and what HEAD gained by its end. Sessions
 * that run side by side share one working tree and branch, so a commit made while two ran is
 * counted for both; the ledger says "commits made during the session".
 */
import { runGit } from './checkpoints.ts';

/** Where HEAD was; `head` is null on a branch with no commit yet; null when not a repository. */
export type HeadMark = { head: string | null } | null;

const MAX_COMMITS = 200;

export async function markHead(projectDir: string): Promise<HeadMark> {
  const inside = await runGit(projectDir, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok || inside.out !== 'true') return null;
  const head = await runGit(projectDir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  return { head: head.ok && head.out ? head.out : null };
}

/** Commits reachable from HEAD now and not from the mark, oldest first (at most 200). */
export async function commitsSince(projectDir: string, mark: HeadMark): Promise<string[]> {
  if (!mark) return [];
  const now = await runGit(projectDir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (!now.ok || !now.out || now.out === mark.head) return [];
  const r = await runGit(projectDir, [
    'rev-list',
    '--reverse',
    `--max-count=${MAX_COMMITS}`,
    mark.head ? `${mark.head}..${now.out}` : now.out,
  ]);
  return r.ok ? r.out.split('\n').filter(Boolean) : [];
}
