/**
 * The ledger database: `<dataDir>/ledger.db` on node:sqlite. Runs, sessions, inbox items,
 * budgets and preferences. Migrations are numbered and applied in order inside a transaction;
 * `PRAGMA user_version` records the last one applied, so an older file is brought forward and a
 * newer one is refused rather than misread.
 *
 * Invariants: a session's key is (run id, byte offset of its `agent-started` line in the run
 * log), and a run's key is its run id, so ingesting the same bytes twice writes the same rows.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { z } from 'zod';
import { SHORT_BUSY_TIMEOUT_MS } from '../../../core/db-retry.ts';

export type Row = Record<string, SQLInputValue>;

/**
 * A JSON column read back through its schema: `fallback()` when the row is absent or its text is
 * not valid (written by hand, or by another version), so a bad value never stops a read.
 */
export function parseJsonColumn<T>(
  text: SQLInputValue | undefined,
  schema: z.ZodType<T>,
  fallback: () => T,
): T {
  if (text === undefined || text === null) return fallback();
  try {
    const parsed = schema.safeParse(JSON.parse(String(text)));
    return parsed.success ? parsed.data : fallback();
  } catch {
    return fallback();
  }
}

const MIGRATIONS: string[] = [
  `CREATE TABLE runs (
     run_id TEXT PRIMARY KEY,
     project_id TEXT NOT NULL,
     project_name TEXT NOT NULL,
     origin TEXT NOT NULL DEFAULT 'unknown',
     window_json TEXT,
     settings_json TEXT,
     model TEXT,
     started_at INTEGER NOT NULL,
     ended_at INTEGER,
     end_reason TEXT,
     end_message TEXT,
     last_phase TEXT,
     last_ts INTEGER,
     log_path TEXT,
     log_offset INTEGER NOT NULL DEFAULT 0,
     passing INTEGER,
     total_features INTEGER,
     report_seen INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX runs_by_project ON runs(project_id, started_at);
   CREATE TABLE sessions (
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     project_id TEXT NOT NULL,
     agent_id TEXT NOT NULL,
     role TEXT NOT NULL,
     feature_id INTEGER,
     feature_name TEXT,
     model TEXT,
     started_at INTEGER NOT NULL,
     ended_at INTEGER,
     finish_seq INTEGER,
     outcome TEXT,
     raw_outcome TEXT,
     message TEXT,
     turns INTEGER,
     input_tokens INTEGER NOT NULL DEFAULT 0,
     output_tokens INTEGER NOT NULL DEFAULT 0,
     cache_read_tokens INTEGER NOT NULL DEFAULT 0,
     cache_write_tokens INTEGER NOT NULL DEFAULT 0,
     cost_usd REAL,
     commits_json TEXT NOT NULL DEFAULT '[]',
     checkpoint_ref TEXT,
     PRIMARY KEY (run_id, seq)
   );
   CREATE INDEX sessions_by_agent ON sessions(run_id, agent_id, seq);
   CREATE INDEX sessions_by_project ON sessions(project_id, started_at);
   CREATE INDEX sessions_by_model ON sessions(model, role, ended_at);
   CREATE TABLE feature_marks (
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     feature_id INTEGER NOT NULL,
     feature_name TEXT NOT NULL,
     kind TEXT NOT NULL,
     ts INTEGER NOT NULL,
     PRIMARY KEY (run_id, seq)
   );
   CREATE TABLE inbox (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     project_id TEXT NOT NULL,
     project_name TEXT NOT NULL,
     run_id TEXT,
     feature_id INTEGER,
     title TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     closed_at INTEGER,
     closed_why TEXT
   );
   CREATE INDEX inbox_open ON inbox(closed_at, project_id);
   CREATE TABLE budgets (scope TEXT PRIMARY KEY, limits_json TEXT NOT NULL);
   CREATE TABLE prefs (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
];

export const LEDGER_SCHEMA_VERSION = MIGRATIONS.length;

export class LedgerDb {
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();

  readonly path: string;

  private constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    // SQLite waits for a lock synchronously, blocking main's event loop: only briefly. A write
    // still locked after it waits in LedgerService's backlog and is retried from a timer.
    this.db.exec(`PRAGMA busy_timeout = ${SHORT_BUSY_TIMEOUT_MS}`);
    try {
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec('PRAGMA synchronous = NORMAL');
    } catch {
      // Network filesystems may refuse WAL; the default journal still works.
    }
  }

  static open(path: string): LedgerDb {
    const ledger = new LedgerDb(path);
    try {
      ledger.migrate();
    } catch (error) {
      // An open handle would keep the file (and its filesystem) busy after a failed start.
      ledger.close();
      throw error;
    }
    return ledger;
  }

  get version(): number {
    return Number((this.db.prepare('PRAGMA user_version').get() as Row).user_version);
  }

  private migrate(): void {
    const from = this.version;
    if (from > MIGRATIONS.length)
      throw new Error(
        `The ledger ${this.path} was written by a newer Nightshift (schema ${from}); this one knows ${MIGRATIONS.length}.`,
      );
    for (let v = from; v < MIGRATIONS.length; v++) {
      this.tx(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

  /** A cached prepared statement. */
  sql(text: string): ReturnType<DatabaseSync['prepare']> {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  all(text: string, ...params: SQLInputValue[]): Row[] {
    return this.sql(text).all(...params) as Row[];
  }

  get(text: string, ...params: SQLInputValue[]): Row | undefined {
    return this.sql(text).get(...params) as Row | undefined;
  }

  run(text: string, ...params: SQLInputValue[]): number {
    return Number(this.sql(text).run(...params).changes);
  }

  tx<T>(fn: () => T): T {
    if (this.db.isTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const value = fn();
      this.db.exec('COMMIT');
      return value;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): void {
    this.statements.clear();
    if (this.db.isOpen) this.db.close();
  }
}
