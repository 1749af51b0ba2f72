/**
 * The live run view through the real app: the supervisor spawns a fixture agent that reports
 * live token counts, and the view main keeps prices them at the model the run was started with
 * (from the run settings, not from the events); when the run is stopped mid-session, the card
 * goes and what it had spent stays in the run's cost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentState, RunView } from '../../contract/index.ts';
import { isAlive } from '../../core/process-table.ts';
import { assertAllGone, fixtureAgent, waitFor } from '../helpers/supervisor-harness.ts';
import { caller, createBrowserApp } from '../helpers/browser-app.ts';

/** Polls an async query until it answers something. */
async function poll<T>(fn: () => Promise<T | null>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a running session is priced at the run’s model, and a stopped run keeps its estimate', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-runcost-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'data');
  mkdirSync(dataDir);
  const app = await createBrowserApp(dataDir, fixtureAgent('spender'));
  const call = caller(app);
  const pids: number[] = [];
  app.supervisor.onState((s) => {
    if (s.pid && !pids.includes(s.pid)) pids.push(s.pid);
  });
  try {
    const dir = join(root, 'shop');
    mkdirSync(dir);
    const project = await call<{ id: string }>('projects.add', { name: 'shop', path: dir });
    const view = () => call<RunView>('agent.runView', { id: project.id });

    // Sonnet 4.5: 200k in × $3 + 20k out × $15 per million = $0.90.
    await call<AgentState>('agent.start', {
      id: project.id,
      overrides: { model: 'claude-sonnet-4-5-20250929' },
    });
    const resolved = await poll(async () => {
      const v = await view();
      return v.agents[0]?.cost ? v : null;
    }, 'a priced agent card');
    assert.equal(resolved.model, 'claude-sonnet-4-5-20250929');
    assert.equal(resolved.agents[0]!.usage!.inputTokens, 200_000);
    assert.deepEqual(resolved.agents[0]!.cost, { usd: 0.9, estimated: true, unknownSessions: 0 });
    assert.deepEqual(resolved.runCost, { usd: 0.9, estimated: true, unknownSessions: 0 });

    await call('agent.stop', { id: project.id });
    await waitFor(() => app.supervisor.state(project.id).status === 'stopped', 'stopped');
    const stopped = await view();
    assert.deepEqual(stopped.agents, []);
    assert.deepEqual(stopped.runCost, { usd: 0.9, estimated: true, unknownSessions: 0 });

    // A custom model has no price: tokens are shown, the cost is "not known".
    await call<AgentState>('agent.start', { id: project.id, overrides: { model: 'glm-4.6' } });
    const c = await poll(async () => {
      const v = await view();
      return v.agents[0]?.cost ? v : null;
    }, 'an unpriced agent card');
    assert.equal(c.model, 'glm-4.6');
    assert.deepEqual(c.agents[0]!.cost, { usd: null, estimated: false, unknownSessions: 1 });
    await call('agent.stop', { id: project.id });
    await waitFor(() => app.supervisor.state(project.id).status === 'stopped', 'stopped again');
  } finally {
    await app.shutdown('stop-agents');
  }
  assert.equal(pids.length, 2);
  await assertAllGone(pids);
  assert.ok(pids.every((p) => !isAlive(p)));
});
