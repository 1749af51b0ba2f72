/**
 * A human's edits to the backlog, written into the same features.db the agents work in (ours,
 * autocoder's or AutoForge's, in place).
 *
 * Invariants:
 * - Every edit runs inside one BEGIN IMMEDIATE transaction (FeaturesDb.tx): the row is read,
 *   compared with what the editor saw, and written with a conditional UPDATE whose WHERE restates
 *   the values read, so an agent's concurrent write is never overwritten. When the row changed
 *   since the editor read it, nothing is written and the answer is STALE_MESSAGE.
 * - An edit only writes the columns it is about (text, priority, dependencies, the skip mark,
 *   last_tested_at, attempts). Agent-owned state (passes, claims, leases, human input) is never
 *   written here, except that deleting removes the row and is refused while anyone holds it.
 * - Agents pick edits up at their next claim: the orchestrator re-reads the table every loop, and
 *   `claim` refuses a feature skipped here (ns_user_skipped_at).
 */
import type { SQLInputValue } from 'node:sqlite';
import { err, ok, type Result } from '../contract/result.ts';
import type { BacklogChange, FeatureText } from '../contract/backlog.ts';
import { checkDependencies, cycleIfAdded, type GraphNode } from './dependency-graph.ts';
import { asGraphNode, FeatureError, type Feature, type FeaturesDb } from './features-db.ts';

export const STALE_MESSAGE =
  'This feature changed while you were editing it; reload and try again.';

type Row = Record<string, SQLInputValue>;

const label = (f: { id: number; name?: string }): string =>
  f.name ? `#${f.id} ${f.name}` : `#${f.id}`;

function missing(id: number): Result<never> {
  return err('not-found', `Feature #${id} does not exist any more; reload the backlog.`);
}

const claimedBy = (f: Feature): string | null =>
  f.inProgress && !f.passes
    ? 'an agent is working on it'
    : f.testingInProgress
      ? 'a regression agent is testing it'
      : null;

/** Runs fn in one transaction; a FeatureError thrown inside becomes a conflict sentence. */
function inTx<T>(db: FeaturesDb, fn: () => Result<T>): Result<T> {
  try {
    return db.tx(() => {
      const result = fn();
      // A refusal must leave nothing behind: throwing rolls the transaction back.
      if (!result.ok) throw new RefusedEdit(result);
      return result;
    });
  } catch (error) {
    if (error instanceof RefusedEdit) return error.result as Result<T>;
    if (error instanceof FeatureError) return err('conflict', error.message);
    throw error;
  }
}

class RefusedEdit extends Error {
  readonly result: Result<never>;
  constructor(result: Result<unknown>) {
    super('refused');
    this.result = result as Result<never>;
  }
}

const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean =>
  a.length === b.length && a.every((v, i) => v === b[i]);

/** The "would make a cycle" sentence with names, or another dependency problem, or null. */
export function dependencyProblem(
  features: readonly Feature[],
  featureId: number,
  dependencies: readonly number[],
): string | null {
  const nodes = features.filter((f) => f.id !== featureId).map(asGraphNode);
  const byId = new Map<number, GraphNode>(nodes.map((n) => [n.id, n]));
  const self = features.find((f) => f.id === featureId);
  if (self) byId.set(featureId, asGraphNode(self));
  const general = checkDependencies(nodes, featureId, dependencies);
  if (!general) return null;
  const cycle = cycleIfAdded(byId, featureId, dependencies);
  if (!cycle) return general;
  const names = cycle.map((id) => byId.get(id)?.name || `#${id}`);
  return `That would make a cycle: ${names.join(' → ')}.`;
}

export function addFeature(
  db: FeaturesDb,
  input: FeatureText & { dependencies: number[] },
): Result<BacklogChange> {
  return inTx(db, () => {
    const problem = dependencyProblem(db.all(), -1, input.dependencies);
    if (problem) return err('invalid-input', problem, 'feature.dependencies');
    const created = db.create({
      category: input.category,
      name: input.name,
      description: input.description,
      steps: input.steps,
      depends_on_ids: input.dependencies,
    });
    return ok({
      featureId: created.id,
      message: `Added ${label(created)}; the agents can pick it up at their next claim.`,
    });
  });
}

export function editFeature(
  db: FeaturesDb,
  featureId: number,
  expected: FeatureText,
  changes: Partial<FeatureText>,
): Result<BacklogChange> {
  return inTx(db, () => {
    const f = db.get(featureId);
    if (!f) return missing(featureId);
    if (
      f.name !== expected.name ||
      f.category !== expected.category ||
      f.description !== expected.description ||
      !sameList(f.steps, expected.steps)
    )
      return err('conflict', STALE_MESSAGE);
    const next = { ...expected, ...changes };
    const raw = db
      .prepare('SELECT name, category, description, steps FROM features WHERE id = ?')
      .get(featureId) as Row;
    const changed = Number(
      db
        .prepare(
          'UPDATE features SET name = ?, category = ?, description = ?, steps = ? ' +
            'WHERE id = ? AND name IS ? AND category IS ? AND description IS ? AND steps IS ?',
        )
        .run(
          next.name,
          next.category,
          next.description,
          JSON.stringify(next.steps),
          featureId,
          raw.name ?? null,
          raw.category ?? null,
          raw.description ?? null,
          raw.steps ?? null,
        ).changes,
    );
    if (changed !== 1) return err('conflict', STALE_MESSAGE);
    return ok({ featureId, message: `Saved ${label({ id: featureId, name: next.name })}.` });
  });
}

export function deleteFeature(db: FeaturesDb, featureId: number): Result<BacklogChange> {
  return inTx(db, () => {
    const f = db.get(featureId);
    if (!f) return missing(featureId);
    const holder = claimedBy(f);
    if (holder)
      return err(
        'conflict',
        `${label(f)} cannot be deleted while ${holder}; skip it, or wait until the session ends.`,
      );
    const gone = Number(
      db
        .prepare(
          'DELETE FROM features WHERE id = ? AND in_progress = 0 AND COALESCE(testing_in_progress, 0) = 0',
        )
        .run(featureId).changes,
    );
    if (gone !== 1) return err('conflict', STALE_MESSAGE);
    // Dependents no longer wait for work that was removed; each write restates the list it read.
    const freed: number[] = [];
    for (const other of db.all()) {
      if (!other.dependencies.includes(featureId)) continue;
      const next = other.dependencies.filter((d) => d !== featureId);
      writeDependencies(db, other.id, next);
      freed.push(other.id);
    }
    const tail =
      freed.length > 0
        ? ` ${freed.map((id) => `#${id}`).join(', ')} no longer ${freed.length === 1 ? 'waits' : 'wait'} for it.`
        : '';
    return ok({ featureId, message: `Deleted ${label(f)}.${tail}` });
  });
}

function writeDependencies(db: FeaturesDb, featureId: number, deps: readonly number[]): void {
  const raw = db.prepare('SELECT dependencies FROM features WHERE id = ?').get(featureId) as Row;
  const sorted = [...deps].sort((a, b) => a - b);
  const changed = Number(
    db
      .prepare('UPDATE features SET dependencies = ? WHERE id = ? AND dependencies IS ?')
      .run(sorted.length > 0 ? JSON.stringify(sorted) : null, featureId, raw.dependencies ?? null)
      .changes,
  );
  if (changed !== 1) throw new FeatureError(STALE_MESSAGE);
}

export function setFeatureDependencies(
  db: FeaturesDb,
  featureId: number,
  dependencies: number[],
  expected: number[],
): Result<BacklogChange> {
  return inTx(db, () => {
    const features = db.all();
    const f = features.find((x) => x.id === featureId);
    if (!f) return missing(featureId);
    const sortedNow = [...f.dependencies].sort((a, b) => a - b);
    if (
      !sameList(
        sortedNow,
        [...expected].sort((a, b) => a - b),
      )
    )
      return err('conflict', STALE_MESSAGE);
    const problem = dependencyProblem(features, featureId, dependencies);
    if (problem) return err('invalid-input', problem, 'dependencies');
    writeDependencies(db, featureId, dependencies);
    const byId = new Map(features.map((x) => [x.id, x]));
    const names = dependencies.map((d) => label(byId.get(d) ?? { id: d }));
    return ok({
      featureId,
      message:
        names.length > 0
          ? `${label(f)} now waits for ${names.join(', ')}.`
          : `${label(f)} depends on nothing now.`,
    });
  });
}

/**
 * Moves a feature to just before `beforeId` in priority order (null: last) and renumbers the
 * priorities 1..n. Each renumbered row is a conditional UPDATE on the priority read, so a
 * concurrent agent skip (which also writes priority) is not overwritten.
 */
export function moveFeature(
  db: FeaturesDb,
  featureId: number,
  beforeId: number | null,
  expectedPriority: number,
): Result<BacklogChange> {
  return inTx(db, () => {
    const order = db.all(); // priority, id
    const f = order.find((x) => x.id === featureId);
    if (!f) return missing(featureId);
    if (f.priority !== expectedPriority) return err('conflict', STALE_MESSAGE);
    if (beforeId === featureId) return ok({ featureId, message: `${label(f)} stays where it is.` });
    const rest = order.filter((x) => x.id !== featureId);
    const at = beforeId === null ? rest.length : rest.findIndex((x) => x.id === beforeId);
    if (at < 0) return missing(beforeId ?? 0);
    rest.splice(at, 0, f);
    const update = db.prepare('UPDATE features SET priority = ? WHERE id = ? AND priority = ?');
    rest.forEach((x, i) => {
      const priority = i + 1;
      if (x.priority === priority) return;
      if (Number(update.run(priority, x.id, x.priority).changes) !== 1)
        throw new FeatureError(STALE_MESSAGE);
    });
    return ok({ featureId, message: `Moved ${label(f)} to position ${at + 1} of ${rest.length}.` });
  });
}

export function skipFeature(
  db: FeaturesDb,
  featureId: number,
  skip: boolean,
  now = Date.now(),
): Result<BacklogChange> {
  return inTx(db, () => {
    const f = db.get(featureId);
    if (!f) return missing(featureId);
    if (skip) {
      if (f.passes) return err('conflict', `${label(f)} already passes; there is nothing to skip.`);
      if (f.userSkippedAt !== null) return ok({ featureId, message: `${label(f)} is skipped.` });
      const holder = claimedBy(f);
      if (holder)
        return err(
          'conflict',
          `${label(f)} cannot be skipped while ${holder}; try again when the session ends.`,
        );
      const changed = db
        .prepare(
          'UPDATE features SET ns_user_skipped_at = ? WHERE id = ? AND in_progress = 0 AND passes = 0 ' +
            'AND ns_user_skipped_at IS NULL',
        )
        .run(now, featureId).changes;
      if (Number(changed) !== 1) return err('conflict', STALE_MESSAGE);
      return ok({
        featureId,
        message: `Skipped ${label(f)}; agents leave it until you unskip it.`,
      });
    }
    if (f.userSkippedAt === null) return ok({ featureId, message: `${label(f)} is not skipped.` });
    db.prepare('UPDATE features SET ns_user_skipped_at = NULL WHERE id = ?').run(featureId);
    return ok({ featureId, message: `Unskipped ${label(f)}; agents may claim it again.` });
  });
}

/** A passing feature goes to the front of the regression queue (as if never tested). */
export function markForRetest(db: FeaturesDb, featureId: number): Result<BacklogChange> {
  return inTx(db, () => {
    const f = db.get(featureId);
    if (!f) return missing(featureId);
    if (!f.passes)
      return err('conflict', `${label(f)} does not pass yet; only passing features are re-tested.`);
    const changed = db
      .prepare('UPDATE features SET last_tested_at = NULL WHERE id = ? AND passes = 1')
      .run(featureId).changes;
    if (Number(changed) !== 1) return err('conflict', STALE_MESSAGE);
    return ok({
      featureId,
      message: `${label(f)} is next in line for a regression test (when regression agents run).`,
    });
  });
}

export function resetAttempts(db: FeaturesDb, featureId: number): Result<BacklogChange> {
  return inTx(db, () => {
    const f = db.get(featureId);
    if (!f) return missing(featureId);
    const changed = db
      .prepare('UPDATE features SET ns_attempts = 0 WHERE id = ? AND ns_attempts = ?')
      .run(featureId, f.attempts).changes;
    if (Number(changed) !== 1) return err('conflict', STALE_MESSAGE);
    return ok({ featureId, message: `${label(f)} starts again with no attempts counted.` });
  });
}
