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
import { parseDependencies, type Feature, type HumanInputRequest } from './features-db.ts';

type Row = Record<string, SQLInputValue>;

const num = (v: SQLInputValue | undefined): number | null =>
  v === null || v === undefined ? null : typeof v === 'bigint' ? Number(v) : Number(v);
const bool = (v: SQLInputValue | undefined): boolean =>
  v === 1 || v === 1n || v === '1' || v === 'true';
const str = (v: SQLInputValue | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);

function json(v: SQLInputValue | undefined): unknown {
  if (typeof v !== 'string' || v.trim() === '') return null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

function steps(v: SQLInputValue | undefined): string[] {
  const parsed = json(v);
  if (Array.isArray(parsed))
    return parsed.map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
  return typeof v === 'string' && v ? [v] : [];
}

function request(v: unknown): HumanInputRequest | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as { prompt?: unknown; fields?: unknown };
  return {
    prompt: typeof o.prompt === 'string' ? o.prompt : JSON.stringify(v),
    fields: Array.isArray(o.fields) ? (o.fields as HumanInputRequest['fields']) : [],
  };
}

/** One row as the writer would read it; a column the database lacks reads as its default. */
function toFeature(row: Row): Feature {
  const response = json(row.human_input_response);
  return {
    id: num(row.id) ?? 0,
    priority: num(row.priority) ?? 999,
    category: str(row.category) ?? '',
    name: str(row.name) ?? '',
    description: str(row.description) ?? '',
    steps: steps(row.steps),
    passes: bool(row.passes),
    inProgress: bool(row.in_progress),
    dependencies: parseDependencies(row.dependencies),
    testingInProgress: bool(row.testing_in_progress),
    lastTestedAt: str(row.last_tested_at),
    claimOwner: str(row.ns_claim_owner),
    claimedAt: num(row.ns_claimed_at),
    heartbeatAt: num(row.ns_heartbeat_at),
    testOwner: str(row.ns_test_owner),
    testClaimedAt: num(row.ns_test_claimed_at),
    testHeartbeatAt: num(row.ns_test_heartbeat_at),
    attempts: num(row.ns_attempts) ?? 0,
    lastError: str(row.ns_last_error),
    passedAt: num(row.ns_passed_at),
    skippedAt: num(row.ns_skipped_at),
    needsHumanInput: bool(row.needs_human_input),
    humanInputRequest: request(json(row.human_input_request)),
    humanInputResponse:
      response && typeof response === 'object' && !Array.isArray(response)
        ? (response as Record<string, string | boolean>)
        : null,
  };
}

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
      (db.prepare('SELECT * FROM features ORDER BY priority, id').all() as Row[]).map(toFeature),
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
      return row ? toFeature(row) : null;
    },
    null,
  );
}
