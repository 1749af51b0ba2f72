/**
 * Pruning checkpoints by age without losing work: a checkpoint older than the limit is deleted
 * only when what it holds is held elsewhere, i.e. its tree is the tree of a commit reachable from
 * a branch, a tag, a remote-tracking branch or HEAD, or of a newer checkpoint that is kept.
 * Otherwise it stays, and the list says why.
 */
import { type Checkpoint, listCheckpoints, runGit } from './checkpoints.ts';

export type Retention =
  /** Younger than the limit. */
  | 'young'
  /** Older, and its files are held by a commit or a newer kept checkpoint: pruned. */
  | 'covered'
  /** Older, but nothing else holds its files: kept. */
  | 'holds-work';

export const keptSentence = 'kept: holds work nothing else has';

/** Trees of every commit reachable from branches, tags, remotes and HEAD. */
async function reachableTrees(projectDir: string): Promise<Set<string> | null> {
  const head = await runGit(projectDir, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  const r = await runGit(projectDir, [
    'log',
    '--branches',
    '--tags',
    '--remotes',
    ...(head.ok && head.out ? ['HEAD'] : []),
    '--format=%T',
  ]);
  // Unknown history: treat nothing as held elsewhere (so nothing is deleted).
  if (!r.ok) return null;
  return new Set(r.out.split('\n').filter(Boolean));
}

/** Each checkpoint's fate under an age limit, newest first. */
export async function retention(
  projectDir: string,
  maxAgeMs: number,
  now: number,
  checkpoints?: Checkpoint[],
): Promise<{ checkpoint: Checkpoint; retention: Retention }[]> {
  const all = checkpoints ?? (await listCheckpoints(projectDir));
  const newestFirst = [...all].sort((a, b) => b.createdAt - a.createdAt);
  const cutoff = now - maxAgeMs;
  const old = newestFirst.some((c) => c.createdAt < cutoff);
  const reachable = old ? await reachableTrees(projectDir) : new Set<string>();
  const keptTrees = new Set<string>();
  return newestFirst.map((checkpoint) => {
    let verdict: Retention;
    if (checkpoint.createdAt >= cutoff) verdict = 'young';
    else if (reachable && (reachable.has(checkpoint.tree) || keptTrees.has(checkpoint.tree)))
      verdict = 'covered';
    else verdict = 'holds-work';
    if (verdict !== 'covered') keptTrees.add(checkpoint.tree);
    return { checkpoint, retention: verdict };
  });
}

/** Deletes the checkpoints older than the limit whose work is held elsewhere. */
export async function pruneCheckpoints(
  projectDir: string,
  maxAgeMs: number,
  now: number,
): Promise<{ deleted: Checkpoint[]; kept: Checkpoint[] }> {
  const decided = await retention(projectDir, maxAgeMs, now);
  const deleted: Checkpoint[] = [];
  const kept: Checkpoint[] = [];
  for (const { checkpoint, retention: r } of decided) {
    if (r === 'holds-work') kept.push(checkpoint);
    if (r !== 'covered') continue;
    // Deleted only if it still points where it did when decided.
    const d = await runGit(projectDir, ['update-ref', '-d', checkpoint.ref, checkpoint.commit]);
    if (d.ok) deleted.push(checkpoint);
  }
  return { deleted, kept };
}
