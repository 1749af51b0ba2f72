/**
 * Many processes claiming from one features.db at once never claim the same feature twice, and
 * together claim every ready feature. Repeated trials; real processes, real SQLite file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FeaturesDb } from '../../core/features-db.ts';
import { repoRoot } from '../fixtures/agent-harness.ts';
import { numberedFeatures, tempFeaturesDb } from '../helpers/temp-features-db.ts';

const run = promisify(execFile);

test('8 concurrent claimers never double-claim (5 trials × 150 features)', async () => {
  for (let trial = 1; trial <= 5; trial++) {
    // 150 features; a third of them depend on an earlier one that stays unclaimed (not ready).
    const { path, remove } = tempFeaturesDb(
      'ns-claims-',
      numberedFeatures(150, (i) => (i % 3 === 2 ? { depends_on_indices: [i - 1] } : {})),
    );
    try {
      const startAt = Date.now() + 700;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, w) =>
          run(process.execPath, [
            join(repoRoot, 'bench', 'workers', 'claim-worker.ts'),
            path,
            `worker-${w}`,
            String(startAt),
          ]),
        ),
      );
      const claims = results.map(
        (r) => JSON.parse(r.stdout) as { owner: string; claimed: number[] },
      );
      const all = claims.flatMap((c) => c.claimed);
      assert.equal(new Set(all).size, all.length, `trial ${trial}: a feature was claimed twice`);
      assert.equal(all.length, 100, `trial ${trial}: every ready feature was claimed`);
      assert.ok(
        claims.filter((c) => c.claimed.length > 0).length >= 2,
        'the claimers really competed',
      );
      const check = FeaturesDb.open(path);
      for (const c of claims)
        for (const id of c.claimed) assert.equal(check.get(id)!.claimOwner, c.owner);
      check.close();
    } finally {
      remove();
    }
  }
});
