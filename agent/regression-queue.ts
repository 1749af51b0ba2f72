/**
 * Which passing feature a regression agent takes next. Pure: a snapshot of the backlog in, an
 * ordered list out.
 *
 * Invariants:
 * - never-tested features come first, then those that changed since their last test (they or a
 *   dependency passed since), then routine re-tests; within a group the oldest `last_tested_at`
 *   first, then the lowest id;
 * - an unchanged feature is not re-tested sooner than `minIntervalMs` after its last test;
 * - routine re-tests are offered only while coding work is active (`routine`), so a finished
 *   backlog ends by itself once every passing feature was tested since it (and its dependencies)
 *   last passed;
 * - features held by anyone, waiting for a human, or excluded by the caller never appear.
 */
import { parsePyUtcTimestamp, type Feature } from '../core/features-db.ts';

export type RetestReason = 'never-tested' | 'changed' | 'routine';

/**
 * Why a passing feature is due for a regression test now, or null when it is not:
 * - `never-tested`: it has no test recorded at all;
 * - `changed`: it passed again, or a feature it depends on passed, after its last test;
 * - `routine`: nothing changed, but its last test is at least `minIntervalMs` old.
 */
export function retestReason(
  f: Feature,
  byId: ReadonlyMap<number, Feature>,
  now: number,
  minIntervalMs: number,
): RetestReason | null {
  const tested = parsePyUtcTimestamp(f.lastTestedAt);
  if (tested === null) return 'never-tested';
  if ((f.passedAt ?? 0) > tested) return 'changed';
  for (const d of f.dependencies) if ((byId.get(d)?.passedAt ?? 0) > tested) return 'changed';
  return now - tested >= minIntervalMs ? 'routine' : null;
}

/** The regression agents' queue, first to test first. */
export function regressionQueue(
  features: readonly Feature[],
  options: { now: number; minIntervalMs: number; routine: boolean; exclude: ReadonlySet<number> },
): { feature: Feature; reason: RetestReason }[] {
  const byId = new Map(features.map((f) => [f.id, f]));
  const rank: Record<RetestReason, number> = { 'never-tested': 0, changed: 1, routine: 2 };
  const due: { feature: Feature; reason: RetestReason; tested: number }[] = [];
  for (const f of features) {
    if (!f.passes || f.inProgress || f.testingInProgress || f.needsHumanInput) continue;
    if (options.exclude.has(f.id)) continue;
    const reason = retestReason(f, byId, options.now, options.minIntervalMs);
    if (reason === null || (reason === 'routine' && !options.routine)) continue;
    due.push({ feature: f, reason, tested: parsePyUtcTimestamp(f.lastTestedAt) ?? 0 });
  }
  due.sort(
    (a, b) => rank[a.reason] - rank[b.reason] || a.tested - b.tested || a.feature.id - b.feature.id,
  );
  return due.map(({ feature, reason }) => ({ feature, reason }));
}
