/**
 * 10 start/pause/resume/stop cycles of a 50-process agent tree with real processes and signals:
 * after every stop no process of the run survives and none is left frozen (state T). The long
 * form (100 cycles, with timings) is bench/soak/cycles.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TREE_SIZE, runTreeCycles } from '../helpers/tree-cycles.ts';

test(
  '10 start/pause/resume/stop cycles of a 50-process tree leave no survivor and nothing in state T',
  { skip: process.platform === 'win32' ? 'no process groups or SIGSTOP on Windows' : false },
  async () => {
    const figures = await runTreeCycles(10);
    assert.equal(figures.length, 10);
    for (const f of figures) {
      assert.ok(f.size >= TREE_SIZE, `cycle ${f.cycle}: a tree of ${f.size}`);
      assert.equal(
        f.survivors,
        0,
        `cycle ${f.cycle}: survivors (${f.lingering} still alive 1 s later):\n${f.survivorDetails.join('\n')}`,
      );
      assert.equal(f.frozen, 0, `cycle ${f.cycle}: left in state T`);
    }
  },
);
