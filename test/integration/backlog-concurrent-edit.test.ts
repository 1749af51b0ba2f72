/**
 * A human editing the backlog while an agent process claims and releases the same features: two
 * real processes on one real SQLite file. Neither side's update may be lost: every claim, attempt
 * and error the agent wrote is there, and every edit the editor was told succeeded is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { editFeature, moveFeature, STALE_MESSAGE } from '../../core/backlog-edit.ts';
import { FeaturesDb } from '../../core/features-db.ts';
import { repoRoot } from '../fixtures/agent-harness.ts';
import { numberedFeatures, tempFeaturesDb } from '../helpers/temp-features-db.ts';

const run = promisify(execFile);

test('edits and an agent process claiming the same 200 features at once lose no update', async () => {
  const { path, remove } = tempFeaturesDb('ns-backlog-race-', numberedFeatures(200));
  try {
    const db = FeaturesDb.open(path);
    const startAt = Date.now() + 1500;
    const agent = run(
      process.execPath,
      [
        join(repoRoot, 'test', 'helpers', 'backlog-agent-worker.ts'),
        path,
        'run:coding-1',
        String(startAt),
      ],
      { timeout: 60_000 },
    );
    let agentDone = false;
    void agent.finally(() => (agentDone = true)).catch(() => undefined);
    while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 1));
    // The editor's name for each feature after its last successful edit.
    const lastEdit = new Map<number, string>();
    let stale = 0;
    let overlapped = false;
    // Passes over the whole backlog until the agent is done, so edits and claims interleave.
    for (let pass = 1; !agentDone || pass === 1; pass++) {
      for (let id = 200; id >= 1; id--) {
        // The editor's read, then its write: a fresh read each time, as the board does on reload.
        const f = db.get(id)!;
        if (f.inProgress && !agentDone) overlapped = true;
        const seen = {
          category: f.category,
          name: f.name,
          description: f.description,
          steps: f.steps,
        };
        const result = editFeature(db, id, seen, { name: `Edited ${id} pass ${pass}` });
        if (result.ok) lastEdit.set(id, `Edited ${id} pass ${pass}`);
        else {
          assert.equal(result.error.message, STALE_MESSAGE);
          stale++;
        }
        if (id % 10 === 0) {
          const moved = moveFeature(db, id, null, db.get(id)!.priority);
          if (!moved.ok) assert.equal(moved.error.message, STALE_MESSAGE);
        }
      }
      await new Promise((r) => setImmediate(r));
    }
    const { stdout } = await agent;
    const { claimed } = JSON.parse(stdout) as { claimed: number[] };
    assert.equal(claimed.length, 200, 'the agent claimed every feature despite the edits');
    assert.equal(lastEdit.size, 200, 'every feature was edited');
    assert.ok(overlapped, 'the editor really ran while the agent was claiming');
    const after = db.all();
    db.close();
    for (const f of after) {
      assert.equal(f.name, lastEdit.get(f.id), `#${f.id} kept its last edit`);
      assert.equal(f.inProgress, true, `#${f.id} kept the agent's claim`);
      assert.equal(f.claimOwner, 'run:coding-1');
      assert.equal(f.attempts, 1, `#${f.id} kept the agent's attempt`);
      assert.equal(f.lastError, `agent error ${f.id}`);
    }
    // Text edits never race the agent's columns, so none had to be retried.
    assert.equal(stale, 0);
  } finally {
    remove();
  }
});
