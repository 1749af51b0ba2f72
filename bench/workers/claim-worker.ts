/**
 * One claimer process for the claim benchmark and the double-claim test: opens the shared
 * features.db and claims ready features one by one (the orchestrator's path: snapshot, pick by
 * score, conditional claim; on a lost race, pick again) until none is left. Prints one JSON line:
 * {"owner", "claimed": [ids], "ms", "startedAt", "endedAt"} (epoch ms).
 *
 * With mode "direct", it skips the re-read and just tries every id in a shuffled order, which
 * measures the raw claim (transaction + conditional UPDATE) throughput under contention.
 *
 *   node bench/workers/claim-worker.ts <db path> <owner> [<start-at epoch ms>] [scan|direct]
 */
import { FeaturesDb, asGraphNode } from '../../core/features-db.ts';
import { analyzeGraph, compareBySchedule } from '../../core/dependency-graph.ts';

const [path, owner, startAt, mode = 'scan'] = process.argv.slice(2);
if (!path || !owner) {
  console.error('usage: claim-worker <db> <owner> [startAt]');
  process.exit(2);
}
const db = FeaturesDb.open(path, { create: false });
const start = Number(startAt ?? 0);
while (Date.now() < start) await new Promise((r) => setTimeout(r, 1));
const t0 = performance.now();
const claimed: number[] = [];
if (mode === 'direct') {
  const ids = db.all().map((f) => f.id);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  for (const id of ids) if (db.claim(id, owner)) claimed.push(id);
}
while (mode !== 'direct') {
  const features = db.all();
  const graph = analyzeGraph(features.map(asGraphNode));
  const candidates = features
    .filter(
      (f) => graph.ready.has(f.id) && !f.inProgress && !f.testingInProgress && !f.needsHumanInput,
    )
    .sort(compareBySchedule(graph.scores));
  if (candidates.length === 0) break;
  let won = false;
  for (const f of candidates) {
    if (db.claim(f.id, owner)) {
      claimed.push(f.id);
      won = true;
      break;
    }
  }
  if (!won) continue;
}
const ms = performance.now() - t0;
db.close();
// Epoch times of the claiming itself, so a caller can time the overlap without process start-up.
const startedAt = performance.timeOrigin + t0;
process.stdout.write(
  `${JSON.stringify({ owner, claimed, ms, startedAt, endedAt: startedAt + ms })}\n`,
);
