/**
 * The `features` MCP server, called through a real MCP client (in-memory transport): tool names
 * per role, the reference's JSON result shapes, and that tools only change the session's own
 * feature. Also: every tool a prompt tells a role to call is in that role's tool list.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AgentRole } from '../../contract/agent-events.ts';
import { FeaturesDb, type Feature } from '../../core/features-db.ts';
import { createFeatureServer, toolNamesFor, type ToolContext } from '../../agent/feature-tools.ts';
import {
  codingPrompt,
  expanderPrompt,
  initializerPrompt,
  regressionPrompt,
} from '../../agent/prompts.ts';

async function connect(ctx: ToolContext): Promise<{
  call: (
    name: string,
    args?: Record<string, unknown>,
  ) => Promise<{ json: Record<string, unknown>; isError: boolean }>;
  list: () => Promise<string[]>;
  close: () => Promise<void>;
}> {
  const server = createFeatureServer(ctx);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.instance.connect(a);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(b);
  return {
    async call(name, args = {}) {
      const r = (await client.callTool({ name, arguments: args })) as {
        content: { text: string }[];
        isError?: boolean;
      };
      return {
        json: JSON.parse(r.content[0]!.text) as Record<string, unknown>,
        isError: r.isError === true,
      };
    },
    async list() {
      return (await client.listTools()).tools.map((t) => t.name).sort();
    },
    async close() {
      await client.close();
    },
  };
}

const context = (
  db: FeaturesDb,
  role: AgentRole,
  featureId: number | null,
  owner = `owner-${role}`,
): ToolContext => ({
  db,
  role,
  featureId,
  owner,
  report: { regressionFound: false, skippedReason: null, humanInputRequested: false },
});

/** A features.db in a temp folder (removed after the test) holding plain features named `names`. */
function tempDb(t: TestContext, names: string[] = []): FeaturesDb {
  const dir = mkdtempSync(join(tmpdir(), 'ns-mcp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = FeaturesDb.open(join(dir, 'features.db'));
  if (names.length)
    db.createBulk(names.map((name) => ({ category: 'c', name, description: 'd', steps: ['s'] })));
  return db;
}

test('each role gets only its tools', async (t) => {
  const db = tempDb(t);
  for (const role of ['initializer', 'coding', 'regression', 'expander'] as const) {
    const c = await connect(context(db, role, null));
    assert.deepEqual(await c.list(), [...toolNamesFor(role)].sort());
    await c.close();
  }
  assert.ok(toolNamesFor('initializer').includes('feature_create_bulk'));
  assert.ok(!toolNamesFor('coding').includes('feature_create_bulk'));
  assert.ok(toolNamesFor('regression').includes('feature_claim_for_testing'));
  assert.ok(toolNamesFor('regression').includes('feature_release_testing'));
  // The expander reads and creates; nothing of it edits, reorders, skips or deletes.
  assert.deepEqual(toolNamesFor('expander').sort(), [
    'feature_create',
    'feature_create_bulk',
    'feature_get_by_id',
    'feature_get_graph',
    'feature_get_stats',
  ]);
  db.close();
});

test('every tool a prompt names is allowed for that role (reference bug 7.3)', () => {
  const feature = {
    id: 7,
    name: 'X',
    category: 'c',
    description: 'd',
    steps: ['s'],
    attempts: 0,
    lastError: null,
    humanInputResponse: null,
  } as unknown as Feature;
  const prompts: [AgentRole, string][] = [
    ['initializer', initializerPrompt({ yolo: false })],
    ['coding', codingPrompt({ feature, yolo: false, resumed: true, attempt: 2 })],
    ['coding', codingPrompt({ feature, yolo: true, resumed: false, attempt: 1 })],
    ['regression', regressionPrompt({ feature, yolo: false })],
    [
      'expander',
      expanderPrompt({
        addendum: 'Sharing',
        requestedAt: '2026-12-01T00:00:00.000Z',
        existing: [{ id: 1, name: 'Base', category: 'a', passes: true }],
      }),
    ],
  ];
  for (const [role, prompt] of prompts) {
    const named = [...prompt.matchAll(/mcp__features__(\w+)/g)].map((m) => m[1]!);
    assert.ok(named.length > 0);
    for (const name of named)
      assert.ok(
        toolNamesFor(role).includes(name),
        `${role} prompt names ${name}, which it may not call`,
      );
  }
});

test('initializer tools: bulk create, stats, dependencies with cycle errors, ready/blocked/graph shapes', async (t) => {
  const db = tempDb(t);
  const c = await connect(context(db, 'initializer', null));
  const bulk = await c.call('feature_create_bulk', {
    features: [
      { category: 'a', name: 'Base', description: 'd', steps: ['s'] },
      { category: 'a', name: 'Next', description: 'd', steps: ['s'], depends_on_indices: [0] },
    ],
  });
  assert.deepEqual(bulk.json, { created: 2, with_dependencies: 1, ids: [1, 2] });
  const bad = await c.call('feature_create_bulk', {
    features: [
      { category: 'a', name: 'X', description: 'd', steps: ['s'], depends_on_indices: [0] },
    ],
  });
  assert.equal(bad.isError, true);
  assert.match(String(bad.json.error), /earlier features/);
  assert.deepEqual((await c.call('feature_get_stats')).json, {
    passing: 0,
    in_progress: 0,
    total: 2,
    percentage: 0,
  });
  const cycle = await c.call('feature_add_dependency', { feature_id: 1, dependency_id: 2 });
  assert.match(String(cycle.json.error), /cycle: #1 → #2 → #1/);
  const ready = (await c.call('feature_get_ready')).json as {
    features: { id: number }[];
    count: number;
    total_ready: number;
  };
  assert.deepEqual([ready.features.map((f) => f.id), ready.count, ready.total_ready], [[1], 1, 1]);
  const blocked = (await c.call('feature_get_blocked')).json as {
    features: { id: number; blocked_by: number[] }[];
  };
  assert.deepEqual(
    blocked.features.map((f) => [f.id, f.blocked_by]),
    [[2, [1]]],
  );
  const graph = (await c.call('feature_get_graph')).json as {
    nodes: { id: number; status: string }[];
    edges: unknown[];
  };
  assert.deepEqual(
    graph.nodes.map((n) => n.status),
    ['pending', 'blocked'],
  );
  assert.deepEqual(graph.edges, [{ source: 1, target: 2 }]);
  const one = (await c.call('feature_get_by_id', { feature_id: 1 })).json;
  assert.deepEqual(Object.keys(one).sort(), [
    'category',
    'dependencies',
    'description',
    'id',
    'in_progress',
    'last_tested_at',
    'name',
    'needs_human_input',
    'passes',
    'priority',
    'steps',
    'testing_in_progress',
  ]);
  await c.close();
  db.close();
});

test('coding tools act on the session’s own feature only', async (t) => {
  const db = tempDb(t, ['F1', 'F2']);
  assert.ok(db.claim(1, 'owner-coding'));
  const ctx = context(db, 'coding', 1);
  const c = await connect(ctx);
  const got = await c.call('feature_claim_and_get', { feature_id: 1 });
  assert.equal(got.json.already_claimed, true);
  assert.match(
    String((await c.call('feature_mark_passing', { feature_id: 2 })).json.error),
    /assigned feature #1/,
  );
  assert.match(
    String((await c.call('feature_claim_and_get', { feature_id: 2 })).json.error),
    /assigned feature #1/,
  );
  const passed = await c.call('feature_mark_passing', { feature_id: 1 });
  assert.equal(passed.json.passes, true);
  assert.equal(db.get(2)!.passes, false);
  await c.close();

  assert.ok(db.claim(2, 'owner-coding-2'));
  const ctx2 = context(db, 'coding', 2, 'owner-coding-2');
  const c2 = await connect(ctx2);
  const asked = await c2.call('feature_request_human_input', {
    feature_id: 2,
    prompt: 'Which provider?',
  });
  assert.match(String(asked.json.message), /waiting for a human/);
  assert.equal(ctx2.report.humanInputRequested, true);
  assert.deepEqual(db.get(2)!.humanInputRequest, {
    prompt: 'Which provider?',
    fields: [{ id: 'answer', label: 'Answer', type: 'textarea' }],
  });
  await c2.close();
  db.close();
});

test('regression tools: claim for testing, mark failing keeps the lease, release records the test', async (t) => {
  const db = tempDb(t, ['F']);
  db.claim(1, 'c');
  db.markPassing(1, 'c');
  const ctx = context(db, 'regression', 1);
  const c = await connect(ctx);
  const claimed = await c.call('feature_claim_for_testing');
  assert.equal(claimed.json.id, 1);
  assert.equal(claimed.json.testing_in_progress, true);
  const failing = await c.call('feature_mark_failing', { feature_id: 1, reason: 'button gone' });
  assert.equal(failing.json.message, 'Feature #1 marked as failing - regression detected');
  assert.equal(
    db.claim(1, 'someone'),
    false,
    'no coding agent can take it while the regression agent holds it',
  );
  await c.call('feature_mark_passing', { feature_id: 1 });
  const released = await c.call('feature_release_testing', { feature_id: 1, tested_ok: false });
  assert.equal(released.json.message, 'Feature #1 testing failed (regression detected)');
  assert.ok(db.get(1)!.lastTestedAt);
  const again = await c.call('feature_release_testing', { feature_id: 1 });
  assert.equal(again.json.warning, 'Feature 1 was not being tested');
  assert.equal(ctx.report.regressionFound, true);
  await c.close();
  db.close();
});
