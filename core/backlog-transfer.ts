/**
 * Backlog import and export as text: autocoder's legacy `feature_list.json` (a JSON array of
 * features, read by its migration and by FeaturesDb.importLegacyJson) and Nightshift's whole-
 * backlog JSON (every field a human can edit, plus state, so a backup restores the board).
 *
 * Import appends in one transaction, after validating every item (the first problem is reported
 * and nothing is written). Into an empty table the file's ids are kept (as autocoder's migration
 * does), so an export/import round trip gives the same ids; otherwise new ids are assigned and
 * dependencies that point inside the file are renumbered to match.
 */
import { z } from 'zod';
import { err, ok, type Result } from '../contract/result.ts';
import type { BacklogFormat } from '../contract/backlog.ts';
import { analyzeGraph, formatCycle } from './dependency-graph.ts';
import { asGraphNode, featureBasics, type Feature, type FeaturesDb } from './features-db.ts';

export const BACKLOG_EXPORT_KIND = 'nightshift-backlog';

/** One item of autocoder's feature_list.json (extra keys are ignored by autocoder). */
const LegacyItem = z.object({
  id: z.number().int().min(1).optional(),
  priority: z.number().int().optional(),
  category: z.string().max(100).optional(),
  name: z.string().max(255).optional(),
  description: z.string().max(100_000).optional(),
  steps: z.array(z.unknown()).optional(),
  passes: z.boolean().optional(),
  dependencies: z.array(z.number().int()).nullable().optional(),
});
type LegacyItem = z.infer<typeof LegacyItem>;

const BacklogFile = z.object({
  kind: z.literal(BACKLOG_EXPORT_KIND),
  version: z.literal(1),
  exportedAt: z.string(),
  features: z.array(
    LegacyItem.extend({
      skipped: z.boolean().optional(),
      attempts: z.number().int().min(0).optional(),
      lastError: z.string().nullable().optional(),
    }),
  ),
});

/** autocoder's legacy list: id, priority, category, name, description, steps, passes (+ deps). */
export function exportFeatureList(features: readonly Feature[]): string {
  return `${JSON.stringify(byPriority(features).map(legacyItem), null, 2)}\n`;
}

/** Features in the order agents take them: priority, then id. */
const byPriority = (features: readonly Feature[]): Feature[] =>
  [...features].sort((a, b) => a.priority - b.priority || a.id - b.id);

/** The fields autocoder's legacy list has, shared by both exports. */
const legacyItem = (f: Feature) => ({
  ...featureBasics(f),
  passes: f.passes,
  dependencies: f.dependencies,
});

export function exportBacklog(features: readonly Feature[], now = new Date()): string {
  const items = byPriority(features).map((f) => ({
    ...legacyItem(f),
    skipped: f.userSkippedAt !== null,
    attempts: f.attempts,
    lastError: f.lastError,
  }));
  const doc = {
    kind: BACKLOG_EXPORT_KIND,
    version: 1,
    exportedAt: now.toISOString(),
    features: items,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const exportFileName = (format: BacklogFormat): string =>
  format === 'feature-list-json' ? 'feature_list.json' : 'backlog.json';

type ImportItem = LegacyItem & { skipped?: boolean; attempts?: number; lastError?: string | null };

function parseItems(format: BacklogFormat, text: string): Result<ImportItem[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return err('invalid-input', `The file is not JSON: ${(error as Error).message}`, 'text');
  }
  const parsed =
    format === 'feature-list-json'
      ? z.array(LegacyItem).safeParse(raw)
      : BacklogFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` (at ${issue.path.join('.')})` : '';
    const what =
      format === 'feature-list-json'
        ? 'an autocoder feature_list.json (a list of features)'
        : 'a Nightshift backlog export';
    return err(
      'invalid-input',
      `The file is not ${what}: ${issue?.message ?? 'unknown'}${where}.`,
      'text',
    );
  }
  return ok(Array.isArray(parsed.data) ? parsed.data : parsed.data.features);
}

/** Imports the text into the database; see the header for ids and validation. */
export function importBacklog(
  db: FeaturesDb,
  format: BacklogFormat,
  text: string,
  now = Date.now(),
): Result<{ created: number; ids: number[] }> {
  const items = parseItems(format, text);
  if (!items.ok) return items;
  const list = items.value;
  if (list.length === 0) return err('invalid-input', 'The file holds no features.', 'text');
  try {
    return db.tx(() => importItems(db, list, now));
  } catch (error) {
    // Thrown inside the transaction so that it rolls back; a refusal is an answer, not a crash.
    if (error instanceof ImportRefused) return err('invalid-input', error.message, 'text');
    throw error;
  }
}

function importItems(
  db: FeaturesDb,
  list: ImportItem[],
  now: number,
): Result<{ created: number; ids: number[] }> {
  const keepIds =
    db.count() === 0 &&
    new Set(list.map((i) => i.id)).size === list.length &&
    list.every((i) => i.id !== undefined);
  const fileIds = new Set(list.map((i) => i.id).filter((id): id is number => id !== undefined));
  const start = db.all().reduce((m, f) => Math.max(m, f.priority), 0);
  const insert = db.prepare(
    'INSERT INTO features (id, priority, category, name, description, steps, passes, in_progress, ' +
      'dependencies, testing_in_progress, needs_human_input, ns_attempts, ns_last_error, ns_user_skipped_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, 0, 0, ?, ?, ?)',
  );
  const idOf = new Map<number, number>();
  const ids: number[] = [];
  list.forEach((item, i) => {
    const result = insert.run(
      keepIds ? item.id! : null,
      keepIds ? (item.priority ?? i + 1) : start + i + 1,
      item.category?.trim() || 'uncategorized',
      item.name?.trim() || `Feature ${i + 1}`,
      item.description ?? '',
      JSON.stringify(
        (item.steps ?? []).map((s) => (typeof s === 'string' ? s : JSON.stringify(s))),
      ),
      item.passes === true ? 1 : 0,
      item.attempts ?? 0,
      item.lastError ?? null,
      item.skipped === true && item.passes !== true ? now : null,
    );
    const id = Number(result.lastInsertRowid);
    if (item.id !== undefined) idOf.set(item.id, id);
    ids.push(id);
  });
  // Dependencies that point inside the file follow their feature; others must already exist.
  const setDeps = db.prepare('UPDATE features SET dependencies = ? WHERE id = ?');
  list.forEach((item, i) => {
    const deps = (item.dependencies ?? []).map((d) => (fileIds.has(d) ? idOf.get(d)! : d));
    if (deps.length === 0) return;
    const unique = [...new Set(deps)].sort((a, b) => a - b);
    setDeps.run(JSON.stringify(unique), ids[i]!);
  });
  // One pass over the whole graph: a dependency the file names must exist and close no cycle.
  const graph = analyzeGraph(db.all().map(asGraphNode));
  const created = new Set(ids);
  for (const [id, gone] of graph.missing)
    if (created.has(id))
      throw new ImportRefused(
        `Feature #${id} depends on ${gone.map((d) => `#${d}`).join(', ')}, which the file and the backlog do not have.`,
      );
  const cycle = graph.cycles.find((c) => c.some((id) => created.has(id)));
  if (cycle)
    throw new ImportRefused(`The file's dependencies make a cycle: ${formatCycle(cycle)}.`);
  return ok({ created: ids.length, ids });
}

class ImportRefused extends Error {
  override name = 'ImportRefused';
}
