/**
 * Reads a features database without changing it, for viewers (the project view in main). The
 * writer, `FeaturesDb.open`, migrates the schema and switches the journal to WAL, which is right
 * for the agent that works in the database but wrong for a window that only looks: opening an
 * autocoder project to see its backlog must leave the file as autocoder left it. So this opens
 * with `readOnly: true` and reads whatever columns exist, defaulting Nightshift's own (leases,
 * attempts, errors, human input) when an older or foreign database lacks them.
 *
 * A read-only open of a database already in WAL mode still makes SQLite create its `-wal` and
 * `-shm` side files (readers need the shared index); the database file itself is not touched.
 */
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { featureFromRow, type Feature } from './features-db.ts';

type Row = Record<string, SQLInputValue>;

export interface ViewOptions {
  /** How long to wait for a writer's lock (an agent mid-transaction). */
  busyTimeoutMs?: number;
}

function withReadOnly<T>(
  path: string,
  options: ViewOptions,
  fn: (db: DatabaseSync) => T,
  empty: T,
): T {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    // busy_timeout is a setting of this connection, not of the file: it writes nothing.
    db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 3000))}`);
    const table = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'features'")
      .get();
    return table ? fn(db) : empty;
  } finally {
    db.close();
  }
}

/** Every feature, in the writer's order (priority, then id); [] when there is no table yet. */
export function readFeatures(path: string, options: ViewOptions = {}): Feature[] {
  return withReadOnly(
    path,
    options,
    (db) =>
      (db.prepare('SELECT * FROM features ORDER BY priority, id').all() as Row[]).map(
        featureFromRow,
      ),
    [],
  );
}

/** One feature, or null when it does not exist. */
export function readFeature(path: string, id: number, options: ViewOptions = {}): Feature | null {
  return withReadOnly(
    path,
    options,
    (db) => {
      const row = db.prepare('SELECT * FROM features WHERE id = ?').get(id) as Row | undefined;
      return row ? featureFromRow(row) : null;
    },
    null,
  );
}

/** How many features the database holds (0 when there is no table yet). */
export function countFeatures(path: string, options: ViewOptions = {}): number {
  return withReadOnly(
    path,
    options,
    (db) => Number((db.prepare('SELECT COUNT(*) AS n FROM features').get() as Row).n ?? 0),
    0,
  );
}
