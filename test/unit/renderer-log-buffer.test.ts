import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogLine } from '../../contract/index.ts';
import {
  LOG_CAP,
  appendBatch,
  appendToProject,
  emptyLogBuffer,
  filterByAgent,
  hydrateBuffer,
} from '../../renderer/src/stores/log-buffer.ts';

const lines = (from: number, count: number, agent?: string): LogLine[] =>
  Array.from({ length: count }, (_, i) => ({
    seq: from + i,
    ts: 1_700_000_000_000 + from + i,
    text: `line ${from + i}`,
    ...(agent ? { agent } : {}),
  }));

test('a batch is appended in one step and the old buffer is left untouched', () => {
  const a = appendBatch(emptyLogBuffer, lines(0, 3));
  const b = appendBatch(a, lines(3, 2));
  assert.equal(a.lines.length, 3);
  assert.deepEqual(
    b.lines.map((l) => l.seq),
    [0, 1, 2, 3, 4],
  );
  assert.equal(b.lastSeq, 4);
  assert.equal(appendBatch(b, []), b, 'an empty batch returns the same buffer');
});

test('the buffer keeps the last 5,000 lines and counts what fell off', () => {
  assert.equal(LOG_CAP, 5000);
  let buf = emptyLogBuffer;
  for (let i = 0; i < 60; i++) buf = appendBatch(buf, lines(i * 100, 100));
  assert.equal(buf.lines.length, 5000);
  assert.equal(buf.lines[0]?.seq, 1000);
  assert.equal(buf.lines.at(-1)?.seq, 5999);
  assert.equal(buf.dropped, 1000);
  const huge = appendBatch(buf, lines(6000, 7000));
  assert.equal(huge.lines.length, 5000);
  assert.equal(huge.lines[0]?.seq, 8000);
  assert.equal(huge.dropped, 1000 + 5000 + 2000);
});

test('a smaller cap is honoured exactly at the boundary', () => {
  const buf = appendBatch(appendBatch(emptyLogBuffer, lines(0, 7), 10), lines(7, 3), 10);
  assert.equal(buf.lines.length, 10);
  assert.equal(buf.dropped, 0);
  const next = appendBatch(buf, lines(10, 1), 10);
  assert.equal(next.lines.length, 10);
  assert.equal(next.lines[0]?.seq, 1);
  assert.equal(next.dropped, 1);
});

test('agents are collected in the order they first appear, and filtered', () => {
  let buf = appendBatch(emptyLogBuffer, [...lines(0, 2, 'coding-1'), ...lines(2, 1)]);
  buf = appendBatch(buf, [...lines(3, 2, 'regression-1'), ...lines(5, 1, 'coding-1')]);
  assert.deepEqual(buf.agents, ['coding-1', 'regression-1']);
  const agentsBefore = buf.agents;
  buf = appendBatch(buf, lines(6, 2, 'coding-1'));
  assert.equal(buf.agents, agentsBefore, 'no new agent keeps the same array');
  assert.deepEqual(
    filterByAgent(buf.lines, 'coding-1').map((l) => l.seq),
    [0, 1, 5, 6, 7],
  );
  assert.deepEqual(
    filterByAgent(buf.lines, 'regression-1').map((l) => l.seq),
    [3, 4],
  );
  assert.equal(filterByAgent(buf.lines, null), buf.lines);
});

test('hydrating keeps lines that arrived by event while the history was loading', () => {
  // Events 8 and 9 arrived before agent.logs answered with 0..8.
  const live = appendBatch(emptyLogBuffer, lines(8, 2, 'coding-2'));
  const hydrated = hydrateBuffer(live, lines(0, 9, 'coding-1'));
  assert.equal(hydrated.hydrated, true);
  assert.deepEqual(
    hydrated.lines.map((l) => l.seq),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(hydrated.agents, ['coding-1', 'coding-2']);
  assert.equal(hydrated.lastSeq, 9);
  const empty = hydrateBuffer(live, []);
  assert.deepEqual(
    empty.lines.map((l) => l.seq),
    [8, 9],
  );
  assert.equal(empty.hydrated, true);
});

test('hydrating caps the history too', () => {
  const hydrated = hydrateBuffer(emptyLogBuffer, lines(0, 6000));
  assert.equal(hydrated.lines.length, 5000);
  assert.equal(hydrated.lines[0]?.seq, 1000);
});

test('projects keep separate buffers', () => {
  let all = appendToProject({}, 'a', lines(0, 3));
  all = appendToProject(all, 'b', lines(0, 1));
  const same = appendToProject(all, 'a', []);
  assert.equal(same, all);
  assert.equal(all.a?.lines.length, 3);
  assert.equal(all.b?.lines.length, 1);
});

test('at the cap, each batch reads each kept line once: the work does not grow with history', () => {
  // Counts element reads (slice and concat read through the proxy) instead of timing: the figure
  // in lines per second is bench/renderer-log-buffer.ts's.
  let reads = 0;
  const counted = <T>(array: readonly T[]): readonly T[] =>
    new Proxy(array, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  const batch = lines(LOG_CAP, 100, 'coding-1');
  let buf = appendBatch(emptyLogBuffer, lines(0, LOG_CAP));
  const perBatch: number[] = [];
  for (let i = 0; i < 50; i++) {
    reads = 0;
    buf = appendBatch({ ...buf, lines: counted(buf.lines) }, counted(batch));
    perBatch.push(reads);
  }
  assert.equal(buf.lines.length, LOG_CAP);
  const keptOld = LOG_CAP - batch.length;
  // The kept old lines are copied once; the batch is read a few times (copy, agents, max seq).
  for (const r of perBatch) assert.ok(r <= keptOld + 4 * batch.length, `${r} reads for one batch`);
  assert.equal(new Set(perBatch).size, 1, `the same work for every batch: ${perBatch.join(', ')}`);
});
