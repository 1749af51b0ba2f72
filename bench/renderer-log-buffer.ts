/**
 * The live log's buffer at its cap: a steady stream of 100-line batches (what one `agent.log`
 * event carries), 2,000 batches per run. Prints lines per second (the unit test counts the work
 * per batch instead; the project's goal is well above 200,000 lines/s).
 */
import { availableParallelism, loadavg } from 'node:os';
import type { LogLine } from '../contract/index.ts';
import { LOG_CAP, appendBatch, emptyLogBuffer } from '../renderer/src/stores/log-buffer.ts';

const batch: LogLine[] = Array.from({ length: 100 }, (_, i) => ({
  seq: i,
  ts: 1_700_000_000_000 + i,
  text: `line ${i}`,
  agent: 'coding-1',
}));
const batches = 2000;
const rates: number[] = [];
for (let r = 0; r < 7; r++) {
  let buf = emptyLogBuffer;
  const start = performance.now();
  for (let i = 0; i < batches; i++) buf = appendBatch(buf, batch);
  const seconds = (performance.now() - start) / 1000;
  if (buf.lines.length !== LOG_CAP) throw new Error('the buffer did not stay at its cap');
  rates.push((batches * batch.length) / seconds);
}
rates.sort((a, b) => a - b);
const k = (x: number) => `${Math.round(x / 1000)}k`;
console.log(
  `setup: cap ${LOG_CAP} lines, ${batches} batches of ${batch.length}, ${rates.length} runs; Node ${process.version}, ${availableParallelism()} CPU(s), load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  `append at the cap: median ${k(rates[3]!)} lines/s, min ${k(rates[0]!)}, max ${k(rates[6]!)} (goal ≥ 200k)`,
);
