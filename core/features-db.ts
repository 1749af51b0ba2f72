/**
 * The features database on node:sqlite, schema-compatible with autocoder/AutoForge: the same
 * `features` table and columns, so a database they created is read and worked in place (and they
 * can keep reading ours). Nightshift's own columns are added by additive migrations only.
 *
 * Concurrency: WAL, a 30 s busy timeout, every read-modify-write inside BEGIN IMMEDIATE, and
 * every claim a conditional UPDATE whose WHERE clause restates what the caller saw, so two
 * processes can never both win the same feature.
 *
 * Leases: a coding claim sets `in_progress` plus an owner and heartbeat; a test claim sets
 * `testing_in_progress` plus its own owner and heartbeat (the reference used `last_tested_at`,
 * the time of the previous *finished* test, as if it were the claim time). A claim is stale when
 * its heartbeat is older than the lease, or when its owner process is known to be dead.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { err, messageOf, type Err } from '../contract/result.ts';
import {
  checkDependencies,
  MAX_DEPENDENCIES_PER_FEATURE,
  type GraphNode,
} from './dependency-graph.ts';

export interface HumanInputRequest {
  prompt: string;
  fields: {
    id: string;
    label: string;
    type: 'text' | 'textarea' | 'select' | 'boolean';
    required?: boolean;
    placeholder?: string;
    options?: string[];
  }[];
}

export interface Feature {
  id: number;
  priority: number;
  category: string;
  name: string;
  description: string;
  steps: string[];
  passes: boolean;
  inProgress: boolean;
  dependencies: number[];
  testingInProgress: boolean;
  lastTestedAt: string | null;
  claimOwner: string | null;
  claimedAt: number | null;
  heartbeatAt: number | null;
  testOwner: string | null;
  testClaimedAt: number | null;
  testHeartbeatAt: number | null;
  attempts: number;
  lastError: string | null;
  passedAt: number | null;
  skippedAt: number | null;
  /** Set aside by a human (backlog board): not claimed until unskipped. */
  userSkippedAt: number | null;
  needsHumanInput: boolean;
  humanInputRequest: HumanInputRequest | null;
  humanInputResponse: Record<string, string | boolean> | null;
}

/** The reference's `Feature.to_dict()` JSON shape (what most feature tools return). */
export interface FeatureDict extends FeatureBasics {
  passes: boolean;
  in_progress: boolean;
  dependencies: number[];
  testing_in_progress: boolean;
  last_tested_at: string | null;
  needs_human_input: boolean;
}

export interface NewFeature {
  category: string;
  name: string;
  description: string;
  steps: string[];
  /** Indices into the same bulk call (earlier items only). */
  depends_on_indices?: number[];
  /** Ids of features that already exist. */
  depends_on_ids?: number[];
}

export class FeatureError extends Error {
  override name = 'FeatureError';
}

/**
 * What a user is told when a change to the features database failed: the rule it broke, that an
 * agent holds the database busy, or `failed` with what SQLite or the OS said.
 */
export function changeFailure(error: unknown, failed: string): Err {
  if (error instanceof FeatureError) return err('conflict', error.message);
  if (/busy|locked/i.test(messageOf(error)))
    return err(
      'busy',
      'The features database is busy (an agent is writing). Try again in a moment.',
    );
  return err('io', `${failed}: ${messageOf(error)}`);
}

type Row = Record<string, SQLInputValue>;

/**
 * The reference's table, with a SQL default on every NOT NULL column: autocoder and AutoForge
 * keep their defaults in Python and AutoForge no longer writes `testing_in_progress`, so a
 * database Nightshift creates must accept inserts that leave those columns out.
 */
const REFERENCE_DDL = `
CREATE TABLE IF NOT EXISTS features (
  id INTEGER NOT NULL,
  priority INTEGER NOT NULL DEFAULT 999,
  category VARCHAR(100) NOT NULL DEFAULT '',
  name VARCHAR(255) NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  steps JSON NOT NULL DEFAULT '[]',
  passes BOOLEAN NOT NULL DEFAULT 0,
  in_progress BOOLEAN NOT NULL DEFAULT 0,
  dependencies JSON,
  testing_in_progress BOOLEAN NOT NULL DEFAULT 0,
  last_tested_at DATETIME,
  PRIMARY KEY (id));
`;

const REFERENCE_INDEXES = `
CREATE INDEX IF NOT EXISTS ix_features_id ON features(id);
CREATE INDEX IF NOT EXISTS ix_features_priority ON features(priority);
CREATE INDEX IF NOT EXISTS ix_features_passes ON features(passes);
CREATE INDEX IF NOT EXISTS ix_features_in_progress ON features(in_progress);
CREATE INDEX IF NOT EXISTS ix_features_testing_in_progress ON features(testing_in_progress);
`;

/** Columns added to older or foreign databases when missing (name → column definition). */
const ADDITIVE_COLUMNS: [string, string][] = [
  // Reference columns that older autocoder databases (or AutoForge's) may lack.
  ['in_progress', 'BOOLEAN DEFAULT 0'],
  ['dependencies', 'TEXT DEFAULT NULL'],
  ['testing_in_progress', 'BOOLEAN DEFAULT 0'],
  ['last_tested_at', 'DATETIME DEFAULT NULL'],
  // AutoForge's human-input columns, same names so both tools understand them.
  ['needs_human_input', 'BOOLEAN NOT NULL DEFAULT 0'],
  ['human_input_request', 'JSON DEFAULT NULL'],
  ['human_input_response', 'JSON DEFAULT NULL'],
  // Nightshift's own: leases, attempts, errors.
  ['ns_claim_owner', 'TEXT DEFAULT NULL'],
  ['ns_claimed_at', 'INTEGER DEFAULT NULL'],
  ['ns_heartbeat_at', 'INTEGER DEFAULT NULL'],
  ['ns_test_owner', 'TEXT DEFAULT NULL'],
  ['ns_test_claimed_at', 'INTEGER DEFAULT NULL'],
  ['ns_test_heartbeat_at', 'INTEGER DEFAULT NULL'],
  ['ns_attempts', 'INTEGER NOT NULL DEFAULT 0'],
  ['ns_last_error', 'TEXT DEFAULT NULL'],
  ['ns_passed_at', 'INTEGER DEFAULT NULL'],
  ['ns_skipped_at', 'INTEGER DEFAULT NULL'],
  // Set aside by a human from the backlog board: never claimed until unskipped.
  ['ns_user_skipped_at', 'INTEGER DEFAULT NULL'],
];

const num = (v: SQLInputValue | undefined): number | null =>
  v === null || v === undefined
    ? null
    : typeof v === 'bigint'
      ? Number(v)
      : typeof v === 'number'
        ? v
        : Number(v);
const bool = (v: SQLInputValue | undefined): boolean =>
  v === 1 || v === 1n || v === '1' || v === 'true';
const str = (v: SQLInputValue | undefined): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : String(v);

function parseJson(v: SQLInputValue | undefined): unknown {
  if (typeof v !== 'string' || v.trim() === '') return null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

/** Every "empty dependencies" encoding (NULL, 'null', '[]') reads as []; non-ints are dropped. */
export function parseDependencies(v: SQLInputValue | undefined): number[] {
  const parsed = parseJson(v);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((d): d is number => typeof d === 'number' && Number.isInteger(d));
}

/** How a dependency list is written: the ids sorted, as JSON; NULL for none. */
function dependenciesColumn(ids: readonly number[]): string | null {
  return ids.length > 0 ? JSON.stringify([...ids].sort((a, b) => a - b)) : null;
}

function parseSteps(v: SQLInputValue | undefined): string[] {
  const parsed = parseJson(v);
  if (Array.isArray(parsed))
    return parsed.map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
  return typeof v === 'string' && v ? [v] : [];
}

/** Python's naive-UTC `datetime` text, which SQLAlchemy writes and reads. */
export function pyUtcTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.678Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

export function parsePyUtcTimestamp(text: string | null): number | null {
  if (!text) return null;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(text);
  if (!m) return null;
  const frac = m[3] ? m[3].slice(0, 4) : '';
  const t = Date.parse(`${m[1]}T${m[2]}${frac}Z`);
  return Number.isNaN(t) ? null : t;
}

/**
 * One row as a Feature; a column an older or foreign database lacks reads as its default. The
 * read-only viewer (features-view.ts) maps rows with this too, so both read a row the same way.
 */
export function featureFromRow(row: Record<string, SQLInputValue>): Feature {
  const request = parseJson(row.human_input_request);
  const response = parseJson(row.human_input_response);
  return {
    id: num(row.id) ?? 0,
    priority: num(row.priority) ?? 999,
    category: str(row.category) ?? '',
    name: str(row.name) ?? '',
    description: str(row.description) ?? '',
    steps: parseSteps(row.steps),
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
    userSkippedAt: num(row.ns_user_skipped_at),
    needsHumanInput: bool(row.needs_human_input),
    humanInputRequest: normalizeRequest(request),
    humanInputResponse:
      response && typeof response === 'object' && !Array.isArray(response)
        ? (response as Record<string, string | boolean>)
        : null,
  };
}

function normalizeRequest(v: unknown): HumanInputRequest | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as { prompt?: unknown; fields?: unknown };
  return {
    prompt: typeof o.prompt === 'string' ? o.prompt : JSON.stringify(v),
    fields: Array.isArray(o.fields) ? (o.fields as HumanInputRequest['fields']) : [],
  };
}

/** What a feature says and where it stands in line: the fields every outward shape starts with. */
export type FeatureBasics = Pick<
  Feature,
  'id' | 'priority' | 'category' | 'name' | 'description' | 'steps'
>;

export const featureBasics = (f: Feature): FeatureBasics => ({
  id: f.id,
  priority: f.priority,
  category: f.category,
  name: f.name,
  description: f.description,
  steps: f.steps,
});

export function toDict(f: Feature): FeatureDict {
  return {
    ...featureBasics(f),
    passes: f.passes,
    in_progress: f.inProgress,
    dependencies: f.dependencies,
    testing_in_progress: f.testingInProgress,
    last_tested_at: f.lastTestedAt ? f.lastTestedAt.replace(' ', 'T') : null,
    needs_human_input: f.needsHumanInput,
  };
}

export const asGraphNode = (f: Feature): GraphNode => ({
  id: f.id,
  priority: f.priority,
  passes: f.passes,
  dependencies: f.dependencies,
  name: f.name,
  ...(f.userSkippedAt !== null && !f.passes ? { held: USER_SKIPPED_REASON } : {}),
});

export const USER_SKIPPED_REASON = 'Skipped by you; unskip it to let the agents work on it.';

export interface Stats {
  passing: number;
  in_progress: number;
  total: number;
  percentage: number;
}

export interface OpenOptions {
  /** Create the file and table when missing (the agent); false for read-only viewers. */
  create?: boolean;
  busyTimeoutMs?: number;
}

export class FeaturesDb {
  readonly path: string;
  private readonly db: DatabaseSync;
  private txDepth = 0;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.db = db;
  }

  static open(path: string, options: OpenOptions = {}): FeaturesDb {
    const create = options.create ?? true;
    if (!create && !existsSync(path)) throw new FeatureError(`No features database at ${path}.`);
    if (create) mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    const self = new FeaturesDb(path, db);
    db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 30_000}`);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      // Safe with WAL (no corruption); a power cut can lose the last commits, which leases cover.
      db.exec('PRAGMA synchronous = NORMAL');
    } catch {
      // Network filesystems may refuse WAL; the default journal still works.
    }
    self.migrate();
    return self;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  /** True when the table, a column, an index or the NULL-boolean repair is missing. */
  private schemaNeedsWork(): boolean {
    const columns = new Set(
      (this.db.prepare('PRAGMA table_info(features)').all() as Row[]).map((r) => String(r.name)),
    );
    if (columns.size === 0) return true;
    if (ADDITIVE_COLUMNS.some(([name]) => !columns.has(name))) return true;
    const indexes = new Set(
      (
        this.db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'features'")
          .all() as Row[]
      ).map((r) => String(r.name)),
    );
    const expected = [...REFERENCE_INDEXES.matchAll(/EXISTS (\w+)/g)]
      .map((m) => m[1]!)
      .concat('ix_features_ns_claim');
    if (expected.some((name) => !indexes.has(name))) return true;
    return (
      this.db
        .prepare(
          'SELECT 1 FROM features WHERE passes IS NULL OR in_progress IS NULL OR testing_in_progress IS NULL LIMIT 1',
        )
        .get() !== undefined
    );
  }

  /**
   * Creates the reference table if missing and adds any missing columns. Idempotent, and takes
   * no write lock when there is nothing to do (viewers open the database often).
   */
  private migrate(): void {
    if (!this.schemaNeedsWork()) return;
    this.tx(() => {
      this.db.exec(REFERENCE_DDL);
      const existing = new Set(
        (this.db.prepare('PRAGMA table_info(features)').all() as Row[]).map((r) => String(r.name)),
      );
      for (const [name, def] of ADDITIVE_COLUMNS) {
        if (!existing.has(name)) this.db.exec(`ALTER TABLE features ADD COLUMN ${name} ${def}`);
      }
      this.db.exec(REFERENCE_INDEXES);
      this.db.exec(
        'CREATE INDEX IF NOT EXISTS ix_features_ns_claim ON features(in_progress, ns_claim_owner)',
      );
      // Same repair autocoder runs on open: NULL booleans from ALTERed databases read as false.
      this.db.exec(
        'UPDATE features SET passes = 0 WHERE passes IS NULL; ' +
          'UPDATE features SET in_progress = 0 WHERE in_progress IS NULL; ' +
          'UPDATE features SET testing_in_progress = 0 WHERE testing_in_progress IS NULL',
      );
    });
  }

  /** Runs fn inside BEGIN IMMEDIATE (nested calls join the outer transaction). */
  tx<T>(fn: () => T): T {
    if (this.txDepth > 0) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    this.txDepth++;
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // already rolled back
      }
      throw error;
    } finally {
      this.txDepth--;
    }
  }

  /** A prepared statement on this connection, for editors that run their own SQL inside tx(). */
  prepare(sql: string): StatementSync {
    return this.db.prepare(sql);
  }

  private run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.db.prepare(sql).run(...params).changes);
  }

  count(): number {
    return Number((this.db.prepare('SELECT COUNT(*) AS n FROM features').get() as Row).n);
  }

  all(): Feature[] {
    return (this.db.prepare('SELECT * FROM features ORDER BY priority, id').all() as Row[]).map(
      featureFromRow,
    );
  }

  get(id: number): Feature | null {
    const row = this.db.prepare('SELECT * FROM features WHERE id = ?').get(id) as Row | undefined;
    return row ? featureFromRow(row) : null;
  }

  private require(id: number): Feature {
    const f = this.get(id);
    if (!f) throw new FeatureError(`Feature #${id} does not exist.`);
    return f;
  }

  stats(): Stats {
    const row = this.db
      .prepare(
        'SELECT COUNT(*) AS total, COALESCE(SUM(passes = 1), 0) AS passing, ' +
          'COALESCE(SUM(in_progress = 1 AND passes = 0), 0) AS in_progress FROM features',
      )
      .get() as Row;
    const total = Number(row.total);
    const passing = Number(row.passing);
    return {
      passing,
      in_progress: Number(row.in_progress),
      total,
      percentage: total > 0 ? Math.round((passing / total) * 1000) / 10 : 0,
    };
  }

  private nextPriority(): number {
    const row = this.db
      .prepare('SELECT COALESCE(MAX(priority), 0) + 1 AS p FROM features')
      .get() as Row;
    return Number(row.p);
  }

  private graphNodes(): GraphNode[] {
    return (
      this.db.prepare('SELECT id, priority, passes, dependencies FROM features').all() as Row[]
    ).map((r) => ({
      id: num(r.id) ?? 0,
      priority: num(r.priority) ?? 0,
      passes: bool(r.passes),
      dependencies: parseDependencies(r.dependencies),
    }));
  }

  private insert(f: NewFeature, priority: number, dependencies: number[]): number {
    const result = this.db
      .prepare(
        'INSERT INTO features (priority, category, name, description, steps, passes, in_progress, ' +
          'dependencies, testing_in_progress, needs_human_input, ns_attempts) VALUES (?, ?, ?, ?, ?, 0, 0, ?, 0, 0, 0)',
      )
      .run(
        priority,
        f.category,
        f.name,
        f.description,
        JSON.stringify(f.steps),
        dependenciesColumn(dependencies),
      );
    return Number(result.lastInsertRowid);
  }

  private validateNew(f: NewFeature, label: string): void {
    const text = (v: unknown, field: string, max: number): void => {
      if (typeof v !== 'string' || v.trim() === '')
        throw new FeatureError(`${label}: ${field} is required.`);
      if (v.length > max)
        throw new FeatureError(`${label}: ${field} is longer than ${max} characters.`);
    };
    text(f.category, 'category', 100);
    text(f.name, 'name', 255);
    text(f.description, 'description', 100_000);
    if (
      !Array.isArray(f.steps) ||
      f.steps.length === 0 ||
      f.steps.some((s) => typeof s !== 'string')
    )
      throw new FeatureError(`${label}: steps must be a non-empty list of strings.`);
  }

  /** Creates one feature (appended after the current last priority). */
  create(f: NewFeature): Feature {
    return this.tx(() => {
      this.validateNew(f, 'Feature');
      const deps = f.depends_on_ids ?? [];
      const error = checkDependencies(this.graphNodes(), -1, deps);
      if (error) throw new FeatureError(error);
      const id = this.insert(f, this.nextPriority(), deps);
      return this.require(id);
    });
  }

  /**
   * Creates many features at once. `depends_on_indices` point at earlier items of the same call
   * (so a batch cannot contain a cycle); `depends_on_ids` point at features that already exist
   * (so later batches can depend on earlier ones). Everything is validated before anything is
   * written; the first problem is reported and nothing is created.
   */
  createBulk(items: NewFeature[]): { created: number; with_dependencies: number; ids: number[] } {
    if (!Array.isArray(items) || items.length === 0) throw new FeatureError('No features given.');
    return this.tx(() => {
      const existing = new Set(this.graphNodes().map((n) => n.id));
      items.forEach((item, i) => {
        const label = `Feature at index ${i}`;
        this.validateNew(item, label);
        const indices = item.depends_on_indices ?? [];
        const ids = item.depends_on_ids ?? [];
        if (indices.length + ids.length > MAX_DEPENDENCIES_PER_FEATURE)
          throw new FeatureError(`${label}: at most ${MAX_DEPENDENCIES_PER_FEATURE} dependencies.`);
        if (new Set(indices).size !== indices.length || new Set(ids).size !== ids.length)
          throw new FeatureError(`${label}: duplicate dependencies.`);
        for (const idx of indices) {
          if (!Number.isInteger(idx) || idx < 0)
            throw new FeatureError(`${label}: depends_on_indices must be whole numbers ≥ 0.`);
          if (idx >= i)
            throw new FeatureError(
              `${label}: depends_on_indices may only point at earlier features (got ${idx}); list dependencies first.`,
            );
        }
        for (const id of ids) {
          if (!existing.has(id))
            throw new FeatureError(`${label}: dependency #${id} does not exist.`);
        }
      });
      let priority = this.nextPriority();
      const created: number[] = [];
      let withDeps = 0;
      for (const item of items) {
        const deps = [
          ...(item.depends_on_ids ?? []),
          ...(item.depends_on_indices ?? []).map((i) => created[i]!),
        ];
        const uniqueDeps = [...new Set(deps)];
        if (uniqueDeps.length > 0) withDeps++;
        created.push(this.insert(item, priority++, uniqueDeps));
      }
      return { created: created.length, with_dependencies: withDeps, ids: created };
    });
  }

  /** Replaces a feature's dependency list after checking existence, limits and cycles. */
  setDependencies(featureId: number, dependencies: number[]): Feature {
    return this.tx(() => {
      this.require(featureId);
      const nodes = this.graphNodes().filter((n) => n.id !== featureId);
      const error = checkDependencies(nodes, featureId, dependencies);
      if (error) throw new FeatureError(error);
      return this.writeDependencies(featureId, dependencies);
    });
  }

  addDependency(featureId: number, dependencyId: number): Feature {
    return this.tx(() => {
      const f = this.require(featureId);
      if (f.dependencies.includes(dependencyId))
        throw new FeatureError(`Feature #${featureId} already depends on #${dependencyId}.`);
      return this.setDependencies(featureId, [...f.dependencies, dependencyId]);
    });
  }

  removeDependency(featureId: number, dependencyId: number): Feature {
    return this.tx(() => {
      const f = this.require(featureId);
      if (!f.dependencies.includes(dependencyId))
        throw new FeatureError(`Feature #${featureId} does not depend on #${dependencyId}.`);
      // Removing one cannot add a cycle or pass a limit, so the list is not checked again.
      return this.writeDependencies(
        featureId,
        f.dependencies.filter((d) => d !== dependencyId),
      );
    });
  }

  /** Stores a dependency list as given and returns the feature. */
  private writeDependencies(featureId: number, dependencies: readonly number[]): Feature {
    this.run(
      'UPDATE features SET dependencies = ? WHERE id = ?',
      dependenciesColumn(dependencies),
      featureId,
    );
    return this.require(featureId);
  }

  /**
   * Claims a feature for coding: only if it does not pass, nobody holds it (coding or test
   * lease), it needs no human, and every dependency exists and passes. True if this caller won.
   */
  claim(id: number, owner: string, now = Date.now()): boolean {
    return this.tx(() => {
      const f = this.get(id);
      if (!f || f.passes || f.inProgress || f.testingInProgress || f.needsHumanInput) return false;
      if (f.userSkippedAt !== null) return false;
      if (f.dependencies.length > 0) {
        const placeholders = f.dependencies.map(() => '?').join(',');
        const row = this.db
          .prepare(
            `SELECT COUNT(*) AS n FROM features WHERE passes = 1 AND id IN (${placeholders})`,
          )
          .get(...f.dependencies) as Row;
        if (Number(row.n) !== new Set(f.dependencies).size) return false;
      }
      return (
        this.run(
          'UPDATE features SET in_progress = 1, ns_claim_owner = ?, ns_claimed_at = ?, ns_heartbeat_at = ? ' +
            'WHERE id = ? AND passes = 0 AND in_progress = 0 AND COALESCE(testing_in_progress, 0) = 0 ' +
            'AND COALESCE(needs_human_input, 0) = 0 AND ns_user_skipped_at IS NULL',
          owner,
          now,
          now,
          id,
        ) === 1
      );
    });
  }

  /** Refreshes the heartbeat of every claim (coding and test) this owner holds. */
  heartbeat(owner: string, now = Date.now()): number {
    return this.tx(
      () =>
        this.run(
          'UPDATE features SET ns_heartbeat_at = ? WHERE ns_claim_owner = ? AND in_progress = 1',
          now,
          owner,
        ) +
        this.run(
          'UPDATE features SET ns_test_heartbeat_at = ? WHERE ns_test_owner = ? AND testing_in_progress = 1',
          now,
          owner,
        ),
    );
  }

  /**
   * Ends a coding claim that did not pass. Counts an attempt when asked; at `maxAttempts` the
   * feature is set aside for a human with the last error as the question.
   */
  releaseClaim(
    id: number,
    owner: string | null,
    outcome: { countAttempt: boolean; error: string | null; maxAttempts: number },
  ): Feature | null {
    return this.tx(() => {
      const f = this.get(id);
      if (!f) return null;
      if (owner !== null && f.claimOwner !== owner) return f;
      const attempts = f.attempts + (outcome.countAttempt && !f.passes ? 1 : 0);
      const giveUp =
        !f.passes && outcome.countAttempt && attempts >= outcome.maxAttempts && !f.needsHumanInput;
      this.run(
        'UPDATE features SET in_progress = 0, ns_claim_owner = NULL, ns_claimed_at = NULL, ns_heartbeat_at = NULL, ' +
          'ns_attempts = ?, ns_last_error = COALESCE(?, ns_last_error) WHERE id = ?',
        attempts,
        outcome.error,
        id,
      );
      if (giveUp) this.setAsideForHuman(id, attempts, outcome.error);
      return this.get(id);
    });
  }

  /** Asks a human for guidance on a feature whose attempts reached the cap. */
  private setAsideForHuman(id: number, attempts: number, error: string | null): void {
    const request: HumanInputRequest = {
      prompt:
        `Nightshift tried this feature ${attempts} times without getting it to pass and stopped retrying.` +
        (error ? ` Last problem: ${error}` : '') +
        ' Add guidance for the next attempt (or fix the cause), then resolve to retry.',
      fields: [{ id: 'guidance', label: 'Guidance for the next attempt', type: 'textarea' }],
    };
    this.run(
      'UPDATE features SET needs_human_input = 1, human_input_request = ?, human_input_response = NULL WHERE id = ?',
      JSON.stringify(request),
      id,
    );
  }

  /**
   * Marks a feature passing and resets its attempts (they count failures since it last passed).
   * Only if it does not pass yet; with an owner, only the holder may.
   */
  markPassing(id: number, owner: string | null = null, now = Date.now()): Feature {
    return this.tx(() => {
      const f = this.require(id);
      if (f.passes) throw new FeatureError(`Feature #${id} is already passing.`);
      if (owner !== null && f.claimOwner !== owner && f.testOwner !== owner)
        throw new FeatureError(`Feature #${id} is not assigned to this session.`);
      this.run(
        'UPDATE features SET passes = 1, in_progress = 0, ns_claim_owner = NULL, ns_claimed_at = NULL, ' +
          'ns_heartbeat_at = NULL, ns_passed_at = ?, ns_last_error = NULL, ns_skipped_at = NULL, ns_attempts = 0 WHERE id = ? AND passes = 0',
        now,
        id,
      );
      return this.require(id);
    });
  }

  /**
   * A regression: the feature no longer passes. The test lease stays with the regression agent
   * (so no coding agent starts on it while the regression agent fixes it) until it is released.
   */
  markFailing(id: number, owner: string | null = null, reason: string | null = null): Feature {
    return this.tx(() => {
      const f = this.require(id);
      if (owner !== null && f.testOwner !== owner)
        throw new FeatureError(`Feature #${id} is not claimed for testing by this session.`);
      this.run(
        'UPDATE features SET passes = 0, in_progress = 0, ns_last_error = ? WHERE id = ?',
        reason ?? 'Regression detected by a regression agent.',
        id,
      );
      return this.require(id);
    });
  }

  /** Moves a feature to the end of the queue and records why; the caller's session then ends. */
  skip(
    id: number,
    reason: string | null,
    now = Date.now(),
  ): { id: number; name: string; old_priority: number; new_priority: number } {
    return this.tx(() => {
      const f = this.require(id);
      if (f.passes)
        throw new FeatureError(`Feature #${id} is already passing; there is nothing to skip.`);
      const next = this.nextPriority();
      this.run(
        'UPDATE features SET priority = ?, ns_skipped_at = ?, ns_last_error = COALESCE(?, ns_last_error) WHERE id = ?',
        next,
        now,
        reason,
        id,
      );
      return { id, name: f.name, old_priority: f.priority, new_priority: next };
    });
  }

  /** Claims a passing feature for a regression test (conditional on nobody holding it). */
  claimForTesting(id: number, owner: string, now = Date.now()): boolean {
    return (
      this.run(
        'UPDATE features SET testing_in_progress = 1, ns_test_owner = ?, ns_test_claimed_at = ?, ns_test_heartbeat_at = ? ' +
          'WHERE id = ? AND passes = 1 AND in_progress = 0 AND COALESCE(testing_in_progress, 0) = 0',
        owner,
        now,
        now,
        id,
      ) === 1
    );
  }

  /**
   * Ends a test claim and, when a test really happened (`recordTest`), records its time. With an
   * owner, only the holder may release.
   */
  releaseTesting(
    id: number,
    owner: string | null,
    now = Date.now(),
    recordTest = true,
  ): { released: boolean; feature: Feature } {
    return this.tx(() => {
      const f = this.require(id);
      if (!f.testingInProgress || (owner !== null && f.testOwner !== null && f.testOwner !== owner))
        return { released: false, feature: f };
      this.run(
        'UPDATE features SET testing_in_progress = 0, last_tested_at = COALESCE(?, last_tested_at), ns_test_owner = NULL, ' +
          'ns_test_claimed_at = NULL, ns_test_heartbeat_at = NULL WHERE id = ?',
        recordTest ? pyUtcTimestamp(now) : null,
        id,
      );
      return { released: true, feature: this.require(id) };
    });
  }

  requestHumanInput(id: number, request: HumanInputRequest): Feature {
    return this.tx(() => {
      const f = this.require(id);
      if (f.passes) throw new FeatureError(`Feature #${id} already passes.`);
      this.run(
        'UPDATE features SET needs_human_input = 1, human_input_request = ?, human_input_response = NULL WHERE id = ?',
        JSON.stringify(request),
        id,
      );
      return this.require(id);
    });
  }

  /** Stores the human's answer and makes the feature schedulable again with fresh attempts. */
  resolveHumanInput(id: number, values: Record<string, string | boolean>): Feature {
    return this.tx(() => {
      const f = this.require(id);
      if (!f.needsHumanInput) throw new FeatureError(`Feature #${id} is not waiting for input.`);
      this.run(
        'UPDATE features SET needs_human_input = 0, human_input_response = ?, ns_attempts = 0, ns_skipped_at = NULL WHERE id = ?',
        JSON.stringify(values),
        id,
      );
      return this.require(id);
    });
  }

  /**
   * Releases claims whose owner is gone: heartbeat older than `staleBefore`, or `isDead(owner)`
   * says the owner process no longer exists, or (with `includeOwnerless`) a claim with no owner
   * at all (left by autocoder). Claims of `keep` owners are never touched. Each release is a
   * compare-and-swap on what was seen. A coding claim released this way counts an attempt (its
   * session ended without passing), and at `maxAttempts` the feature waits for a human, as after
   * any other failed attempt.
   */
  releaseStale(options: {
    staleBefore: number;
    isDead: (owner: string) => boolean;
    keep: (owner: string) => boolean;
    includeOwnerless: boolean;
    maxAttempts: number;
  }): { coding: Feature[]; testing: Feature[] } {
    return this.tx(() => {
      const coding: Feature[] = [];
      const testing: Feature[] = [];
      const stale = (owner: string | null, heartbeat: number | null): boolean => {
        if (owner === null) return options.includeOwnerless;
        if (options.keep(owner)) return false;
        return (heartbeat ?? 0) < options.staleBefore || options.isDead(owner);
      };
      for (const f of this.all()) {
        if (f.inProgress && !f.passes && stale(f.claimOwner, f.heartbeatAt)) {
          const error =
            'The previous session ended without finishing (its agent stopped or crashed).';
          const released = this.run(
            'UPDATE features SET in_progress = 0, ns_claim_owner = NULL, ns_claimed_at = NULL, ns_heartbeat_at = NULL, ' +
              'ns_attempts = ns_attempts + 1, ns_last_error = ? WHERE id = ? AND in_progress = 1 AND ns_claim_owner IS ? AND ns_heartbeat_at IS ?',
            error,
            f.id,
            f.claimOwner,
            f.heartbeatAt,
          );
          if (released === 1 && f.attempts + 1 >= options.maxAttempts && !f.needsHumanInput)
            this.setAsideForHuman(f.id, f.attempts + 1, error);
          if (released === 1) coding.push(f);
        }
        if (f.testingInProgress && stale(f.testOwner, f.testHeartbeatAt)) {
          this.run(
            'UPDATE features SET testing_in_progress = 0, ns_test_owner = NULL, ns_test_claimed_at = NULL, ' +
              'ns_test_heartbeat_at = NULL WHERE id = ? AND testing_in_progress = 1 AND ns_test_owner IS ? AND ns_test_heartbeat_at IS ?',
            f.id,
            f.testOwner,
            f.testHeartbeatAt,
          );
          testing.push(f);
        }
      }
      return { coding, testing };
    });
  }

  /**
   * autocoder's legacy backlog: when `feature_list.json` exists and the table is empty, import
   * it and rename the file to a timestamped backup (the reference only did this inside its
   * tool server, so its orchestrator idled forever on such projects).
   */
  importLegacyJson(jsonPath: string, now = new Date()): number {
    if (!existsSync(jsonPath)) return 0;
    return this.tx(() => {
      if (this.count() > 0) return 0;
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(jsonPath, 'utf8'));
      } catch {
        return 0;
      }
      if (!Array.isArray(parsed)) return 0;
      let n = 0;
      parsed.forEach((raw: unknown, i) => {
        if (!raw || typeof raw !== 'object') return;
        const o = raw as Record<string, unknown>;
        const steps = Array.isArray(o.steps) ? o.steps.map(String) : [];
        this.db
          .prepare(
            'INSERT INTO features (id, priority, category, name, description, steps, passes, in_progress, ' +
              'dependencies, testing_in_progress, needs_human_input, ns_attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, 0, 0, 0)',
          )
          .run(
            typeof o.id === 'number' ? o.id : i + 1,
            typeof o.priority === 'number' ? o.priority : i + 1,
            typeof o.category === 'string' ? o.category : 'uncategorized',
            typeof o.name === 'string' ? o.name : `Feature ${i + 1}`,
            typeof o.description === 'string' ? o.description : '',
            JSON.stringify(steps),
            o.passes === true ? 1 : 0,
          );
        n++;
      });
      const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
      renameSync(jsonPath, `${jsonPath}.backup.${stamp}`);
      return n;
    });
  }
}
