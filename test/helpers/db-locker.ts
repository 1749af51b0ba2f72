/**
 * Holds a SQLite database locked the way another program might: opens it, takes BEGIN
 * EXCLUSIVE, prints "locked", holds it for the given milliseconds, then commits and exits.
 *
 *   node db-locker.ts <dbPath> <holdMs> [<write statement>]
 *
 * The write defaults to one on the features table (features.db).
 */
import { DatabaseSync } from 'node:sqlite';

const [path, holdMs, write] = process.argv.slice(2) as [string, string, string | undefined];
const db = new DatabaseSync(path);
db.exec('PRAGMA busy_timeout = 30000');
db.exec('BEGIN EXCLUSIVE');
// A write inside the transaction, so the lock is a real writer's.
db.exec(write ?? 'UPDATE features SET ns_last_error = ns_last_error WHERE id = -1');
process.stdout.write('locked\n');
setTimeout(() => {
  db.exec('COMMIT');
  db.close();
  process.stdout.write('released\n');
}, Number(holdMs));
