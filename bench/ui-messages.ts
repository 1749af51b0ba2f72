/**
 * Messages per second from the main process to every window during a busy run: a real app
 * (createNodeApp, conf store, real supervisor) runs bench/workers/busy-agent.ts, which streams
 * agent events and log lines, and every event the bus hands to the shells' forwarders is
 * counted (one forwarder = one window's transport). Prints the figures, asserts nothing.
 *
 *   npm run bench -- ui-messages     (BENCH_SECONDS, default 5; BUSY_EVENTS_PER_SECOND, 500)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createNodeApp } from '../main/server/node-app.ts';

const root = resolve(import.meta.dirname, '..');
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-bench-ui-'));
const projectDir = mkdtempSync(join(tmpdir(), 'nightshift-bench-ui-project-'));
process.env.NIGHTSHIFT_AGENT_COMMAND = JSON.stringify([
  process.execPath,
  join(root, 'bench/workers/busy-agent.ts'),
]);

const app = await createNodeApp({ dataDir });
try {
  const added = await app.dispatch('projects.add', { name: 'busy', path: projectDir });
  if (!added.ok) throw new Error(added.error.message);
  const id = (added.value as { id: string }).id;
  const counts = new Map<string, { messages: number; bytes: number }>();
  let counting = false;
  app.bus.onAny((name, payload) => {
    if (!counting) return;
    const c = counts.get(name) ?? { messages: 0, bytes: 0 };
    c.messages++;
    c.bytes += JSON.stringify(payload).length;
    counts.set(name, c);
  });
  const started = await app.dispatch('agent.start', { id });
  if (!started.ok) throw new Error(started.error.message);
  await new Promise((r) => setTimeout(r, 500)); // past start-up
  counting = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  counting = false;
  const elapsed = (performance.now() - t0) / 1000;
  await app.dispatch('agent.stop', { id });

  const agentEventsPerSecond = Number(process.env.BUSY_EVENTS_PER_SECOND ?? 500);
  console.log(
    `busy run: ${agentEventsPerSecond} agent events/s (+ ${agentEventsPerSecond / 2} log lines/s), ${elapsed.toFixed(1)} s`,
  );
  let total = 0;
  let bytes = 0;
  for (const [name, c] of [...counts].sort()) {
    total += c.messages;
    bytes += c.bytes;
    console.log(
      `  ${name.padEnd(16)} ${(c.messages / elapsed).toFixed(1).padStart(8)} messages/s  ${(c.bytes / elapsed / 1024).toFixed(1).padStart(8)} KiB/s`,
    );
  }
  console.log(
    `  ${'total'.padEnd(16)} ${(total / elapsed).toFixed(1).padStart(8)} messages/s  ${(bytes / elapsed / 1024).toFixed(1).padStart(8)} KiB/s per window`,
  );
} finally {
  await app.shutdown('stop-agents');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(projectDir, { recursive: true, force: true });
}
