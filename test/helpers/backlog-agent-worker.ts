/**
 * Plays an agent process against a shared features.db for the concurrent-edit test: for every
 * feature, in a shuffled order, claim it, end the session with a counted attempt and an error,
 * then claim it again (the orchestrator's writes). Prints {"claimed": [ids]} when done.
 *
 *   node test/helpers/backlog-agent-worker.ts <db path> <owner> <start-at epoch ms>
 */
import { FeaturesDb } from '../../core/features-db.ts';

const [path, owner, startAt] = process.argv.slice(2);
if (!path || !owner) {
  console.error('usage: backlog-agent-worker <db> <owner> <startAt>');
  process.exit(2);
}
const db = FeaturesDb.open(path, { create: false });
const ids = db.all().map((f) => f.id);
for (let i = ids.length - 1; i > 0; i--) {
  const j = Math.floor(Math.random() * (i + 1));
  [ids[i], ids[j]] = [ids[j]!, ids[i]!];
}
while (Date.now() < Number(startAt ?? 0)) await new Promise((r) => setTimeout(r, 1));
const claimed: number[] = [];
for (const id of ids) {
  if (!db.claim(id, owner)) continue;
  db.releaseClaim(id, owner, { countAttempt: true, error: `agent error ${id}`, maxAttempts: 99 });
  if (db.claim(id, owner)) claimed.push(id);
}
db.close();
process.stdout.write(`${JSON.stringify({ claimed })}\n`);
