/**
 * Supervisor benchmarks (figures are printed, never asserted):
 *  1. log pipeline: agent stdout → supervisor (split, redact, ring, run log, batch) → transport
 *     encoding → the renderer's log store, in lines/s, next to a raw read of the same pipe;
 *  2. start-to-running and start-to-first-output-line latency next to a bare `node -e 0` spawn;
 *  3. pause, resume and stop of a 50-process tree next to a single kill(-pgid).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LogLine } from '../contract/index.ts';
import { processInfo, processTree } from '../core/process-table.ts';
import { createDiagnostics } from '../main/services/diagnostics.ts';
import { AgentSupervisor } from '../main/services/supervisor.ts';
import { appendBatch, emptyLogBuffer, type LogBuffer } from '../renderer/src/stores/log-buffer.ts';

const root = resolve(import.meta.dirname, '..');
const fixture = (name: string) => join(root, 'test/fixtures/agents', `${name}.ts`);
const settings = { model: 'claude-opus-4-6', yolo: false, codingAgents: 1, regressionAgents: 0 };
const LINES = Number(process.env.BENCH_LINES ?? 200_000);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function makeSupervisor(dir: string, name: string, env: Record<string, string>) {
  const project = { id: name, name, path: dir };
  return new AgentSupervisor({
    lookup: (id) => (id === name ? project : null),
    agentCommand: () => ({
      command: process.execPath,
      args: [fixture(name === 'tree' ? 'chatty' : name)],
    }),
    agentEnv: () => ({ PATH: process.env.PATH ?? '', ...env }),
    secrets: () => [],
    diagnostics: createDiagnostics(null),
  });
}

async function rawPipe(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [fixture('blaster')], {
    env: { ...process.env, FIXTURE_LINES: String(LINES) },
  });
  let seen = 0;
  await new Promise<void>((done) => {
    child.stdout.on('data', (b: Buffer) => {
      for (let i = 0; i < b.length; i++) if (b[i] === 10) seen++;
      if (seen >= LINES + 1) done();
    });
  });
  const ms = performance.now() - t0;
  child.kill('SIGTERM');
  return ms;
}

async function throughSupervisor(): Promise<{ ms: number; buffer: LogBuffer }> {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-bench-'));
  const sup = makeSupervisor(dir, 'blaster', { FIXTURE_LINES: String(LINES) });
  let buffer = emptyLogBuffer;
  let count = 0;
  const t0 = performance.now();
  await new Promise<void>((done) => {
    sup.onLog((_id, lines) => {
      // What a transport does: encode the batch event, decode it on the other side.
      const decoded = JSON.parse(
        JSON.stringify({ event: 'agent.log', payload: { projectId: 'blaster', lines } }),
      ) as { payload: { lines: LogLine[] } };
      buffer = appendBatch(buffer, decoded.payload.lines);
      count += lines.length;
      if (lines.some((l) => l.text === 'done')) done();
    });
    void sup.start('blaster', { settings, origin: 'manual' });
  });
  const ms = performance.now() - t0;
  await sup.shutdown('stop-agents');
  rmSync(dir, { recursive: true, force: true });
  if (count < LINES) throw new Error(`only ${count} lines arrived`);
  return { ms, buffer };
}

async function startLatency(): Promise<{ bare: number; toRunning: number; toFirstLine: number }> {
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await new Promise((r) => spawn(process.execPath, ['-e', '0']).on('spawn', r));
    bare.push(performance.now() - t0);
  }
  const toRunning: number[] = [];
  const toFirstLine: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'nightshift-bench-'));
    const sup = makeSupervisor(dir, 'chatty', {});
    const t0 = performance.now();
    // The first line as a subscriber (the UI) receives it: includes the batch interval.
    const firstLine = new Promise<number>((resolveLine) => {
      const off = sup.onLog(() => {
        off();
        resolveLine(performance.now() - t0);
      });
    });
    await sup.start('chatty', { settings, origin: 'manual' });
    toRunning.push(performance.now() - t0);
    toFirstLine.push(await firstLine);
    await sup.shutdown('stop-agents');
    rmSync(dir, { recursive: true, force: true });
  }
  return { bare: median(bare), toRunning: median(toRunning), toFirstLine: median(toFirstLine) };
}

/** The agent + 24 children with a grandchild each + 1 lone child = exactly 50 processes. */
const TREE_SIZE = 50;
const TREE_ENV = { FIXTURE_CHILDREN: '24', FIXTURE_LONE_CHILDREN: '1', FIXTURE_INTERVAL: '200' };

async function treeControl(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-bench-'));
  const sup = makeSupervisor(dir, 'tree', TREE_ENV);
  await sup.start('tree', { settings, origin: 'manual' });
  const pid = sup.state('tree').pid as number;
  const deadline = Date.now() + 30_000;
  while (processTree(pid).length < TREE_SIZE && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const size = processTree(pid).length;
  const pids = processTree(pid).map((p) => p.pid);

  let t0 = performance.now();
  await sup.pause('tree');
  while (!pids.every((p) => processInfo(p)?.state === 'T'))
    await new Promise((r) => setImmediate(r));
  const pause = performance.now() - t0;

  t0 = performance.now();
  await sup.resume('tree');
  while (pids.some((p) => processInfo(p)?.state === 'T')) await new Promise((r) => setImmediate(r));
  const resume = performance.now() - t0;

  t0 = performance.now();
  await sup.stop('tree');
  const stop = performance.now() - t0;
  await sup.shutdown('stop-agents');

  // The floor: one kill(-pgid) of an equal tree, timed until every process is gone.
  const child = spawn(process.execPath, [fixture('chatty')], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ...TREE_ENV },
  });
  const cpid = child.pid as number;
  while (processTree(cpid).length < TREE_SIZE && Date.now() < deadline + 30_000)
    await new Promise((r) => setTimeout(r, 50));
  const cpids = processTree(cpid).map((p) => p.pid);
  const rawSize = cpids.length;
  t0 = performance.now();
  process.kill(-cpid, 'SIGKILL');
  while (cpids.some((p) => processInfo(p) && processInfo(p)?.state !== 'Z'))
    await new Promise((r) => setImmediate(r));
  const rawKill = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return { size, rawSize, pause, resume, stop, rawKill };
}

const raw = await rawPipe();
const sup = await throughSupervisor();
console.log(`log pipeline (${LINES.toLocaleString()} lines of ~70 bytes):`);
console.log(
  `  raw read of the agent's pipe     ${fmt(raw)}  ${Math.round(LINES / (raw / 1000)).toLocaleString()} lines/s`,
);
console.log(
  `  supervisor → transport → store   ${fmt(sup.ms)}  ${Math.round(LINES / (sup.ms / 1000)).toLocaleString()} lines/s (store holds ${sup.buffer.lines.length})`,
);
const lat = await startLatency();
console.log('start latency (median of 5):');
console.log(`  bare spawn of node -e 0          ${fmt(lat.bare)}`);
console.log(
  `  supervisor start() to running    ${fmt(lat.toRunning)} (lock, spawn, lock update, run log)`,
);
console.log(
  `  start() to first output line     ${fmt(lat.toFirstLine)} (as a subscriber gets it, batched)`,
);
const tree = await treeControl();
console.log(`process tree of ${tree.size} processes:`);
console.log(`  pause (all in state T)           ${fmt(tree.pause as number)}`);
console.log(`  resume (none in state T)         ${fmt(tree.resume as number)}`);
console.log(`  stop (graceful, all gone)        ${fmt(tree.stop as number)}`);
console.log(
  `  single kill(-pgid) SIGKILL       ${fmt(tree.rawKill as number)} (a tree of ${tree.rawSize})`,
);
const mem = process.memoryUsage();
console.log(
  `memory after the runs: rss ${(mem.rss / 1048576).toFixed(0)} MiB, heap ${(mem.heapUsed / 1048576).toFixed(0)} MiB`,
);
