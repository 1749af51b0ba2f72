/**
 * The feature tools, served in-process to each Claude session as the MCP server `features`
 * (the model sees them as `mcp__features__<name>`). Tool names and JSON result shapes follow the
 * reference where a tool exists there; results are JSON text, errors are `{"error": "..."}` and
 * tools never throw.
 *
 * Each session gets a context: its role, the feature the orchestrator assigned (already claimed
 * atomically before the session started) and its lease owner. Tools that change a feature's
 * state only act on the session's own feature, so an agent cannot pass, fail or skip work it
 * does not hold (reference bugs 7.7, 7.8, 7.20).
 */
import { messageOf } from '../contract/result.ts';
import {
  createSdkMcpServer,
  tool,
  type McpSdkServerConfigWithInstance,
} from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import type { AgentRole } from '../contract/agent-events.ts';
import { DatabaseTrouble, retryDb } from '../core/db-retry.ts';
import { analyzeGraph, compareBySchedule } from '../core/dependency-graph.ts';
import {
  asGraphNode,
  FeatureError,
  toDict,
  type Feature,
  type FeaturesDb,
  type HumanInputRequest,
} from '../core/features-db.ts';

export const FEATURE_SERVER = 'features';

export interface ToolContext {
  db: FeaturesDb;
  role: AgentRole;
  /** The feature this session works on (coding) or re-verifies (regression). */
  featureId: number | null;
  owner: string;
  /** Called after any write so the orchestrator can refresh progress promptly. */
  onChange?: () => void;
  onHumanInput?: (feature: Feature, request: HumanInputRequest) => void;
  /**
   * True once the session was aborted (stop, timeout): a model turn already in flight must not
   * change the backlog after we decided to end the session.
   */
  aborted?: () => boolean;
  /** Called once per tool call that has to wait for the database (another program holds it). */
  onDbWait?: () => void;
  /** Ids of the features this session created, in order (the expander's report). */
  created?: number[];
  /** Set by the tools: what this session reported. */
  report: { regressionFound: boolean; skippedReason: string | null; humanInputRequested: boolean };
}

type CallToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

const json = (value: unknown): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify(value, null, 2) }],
});
const fail = (message: string): CallToolResult => ({
  content: [{ type: 'text', text: JSON.stringify({ error: message }, null, 2) }],
  isError: true,
});

const featureId = z.number().int().min(1).describe('The feature id');
const newFeature = {
  category: z.string().min(1).max(100).describe('Category, e.g. "functional" or "style"'),
  name: z.string().min(1).max(255).describe('Short name'),
  description: z.string().min(1).describe('What the feature does and how to tell it works'),
  steps: z.array(z.string()).min(1).describe('Verification steps, in order'),
};

/** The SDK's own element type for `tools` (it erases each tool's input shape). */
type AnyTool = NonNullable<Parameters<typeof createSdkMcpServer>[0]['tools']>[number];

interface ToolSpec {
  name: string;
  roles: AgentRole[];
  build: (ctx: ToolContext) => AnyTool;
}

/**
 * Runs a tool's database work. While another program holds the database the work is retried
 * asynchronously (the session's stream and every timer keep running); what does not pass is
 * answered as one sentence.
 */
async function guard(ctx: ToolContext, fn: () => CallToolResult): Promise<CallToolResult> {
  if (ctx.aborted?.()) return fail('This session has been stopped; nothing was changed. End now.');
  try {
    return await retryDb(ctx.db.path, () => (ctx.aborted?.() ? null : fn()), {
      limitMs: 30_000,
      onRetry: (_kind, attempt) => {
        if (attempt === 3) ctx.onDbWait?.();
      },
    }).then(
      (result) => result ?? fail('This session has been stopped; nothing was changed. End now.'),
    );
  } catch (error) {
    if (error instanceof FeatureError) return fail(error.message);
    if (error instanceof DatabaseTrouble) return fail(error.message);
    return fail(`The features database could not do that: ${messageOf(error)}`);
  } finally {
    ctx.onChange?.();
  }
}

function ownFeature(ctx: ToolContext, id: number): string | null {
  if (ctx.featureId === null) return 'This session has no assigned feature.';
  if (id !== ctx.featureId)
    return `This session is assigned feature #${ctx.featureId}; it may not change feature #${id}. Work only on #${ctx.featureId}.`;
  return null;
}

const specs: ToolSpec[] = [
  {
    name: 'feature_get_stats',
    roles: ['initializer', 'coding', 'regression', 'expander'],
    build: (ctx) =>
      tool(
        'feature_get_stats',
        'Progress: passing, in progress and total features, and the percentage passing.',
        {},
        async () => guard(ctx, () => json(ctx.db.stats())),
      ),
  },
  {
    name: 'feature_get_by_id',
    roles: ['initializer', 'coding', 'regression', 'expander'],
    build: (ctx) =>
      tool(
        'feature_get_by_id',
        'Full details of one feature.',
        { feature_id: featureId },
        async ({ feature_id }) =>
          guard(ctx, () => {
            const f = ctx.db.get(feature_id);
            return f ? json(toDict(f)) : fail(`Feature #${feature_id} does not exist.`);
          }),
      ),
  },
  {
    name: 'feature_claim_and_get',
    roles: ['coding'],
    build: (ctx) =>
      tool(
        'feature_claim_and_get',
        'Confirms this session holds its assigned feature and returns its details (idempotent).',
        { feature_id: featureId },
        async ({ feature_id }) =>
          guard(ctx, () => {
            const denied = ownFeature(ctx, feature_id);
            if (denied) return fail(denied);
            const f = ctx.db.get(feature_id);
            if (!f) return fail(`Feature #${feature_id} does not exist.`);
            if (f.passes)
              return json({
                ...toDict(f),
                already_claimed: true,
                message: 'This feature already passes.',
              });
            if (f.claimOwner === ctx.owner) return json({ ...toDict(f), already_claimed: true });
            if (ctx.db.claim(feature_id, ctx.owner))
              return json({ ...toDict(ctx.db.get(feature_id)!), already_claimed: false });
            return fail(`Feature #${feature_id} is held by another agent; end this session.`);
          }),
      ),
  },
  {
    name: 'feature_mark_passing',
    roles: ['coding', 'regression'],
    build: (ctx) =>
      tool(
        'feature_mark_passing',
        'Marks your feature as passing, after you have verified it works end to end.',
        { feature_id: featureId },
        async ({ feature_id }) =>
          guard(ctx, () => {
            const denied = ownFeature(ctx, feature_id);
            if (denied) return fail(denied);
            const f = ctx.db.markPassing(feature_id, ctx.owner);
            return json({ ...toDict(f), message: `Feature #${feature_id} marked as passing.` });
          }),
      ),
  },
  {
    name: 'feature_mark_failing',
    roles: ['regression'],
    build: (ctx) =>
      tool(
        'feature_mark_failing',
        'Marks the feature you are re-testing as failing (a regression). You keep it until you release it.',
        { feature_id: featureId, reason: z.string().optional().describe('What is broken') },
        async ({ feature_id, reason }) =>
          guard(ctx, () => {
            const denied = ownFeature(ctx, feature_id);
            if (denied) return fail(denied);
            const f = ctx.db.markFailing(feature_id, ctx.owner, reason ?? null);
            ctx.report.regressionFound = true;
            return json({
              message: `Feature #${feature_id} marked as failing - regression detected`,
              feature: toDict(f),
            });
          }),
      ),
  },
  {
    name: 'feature_skip',
    roles: ['coding'],
    build: (ctx) =>
      tool(
        'feature_skip',
        'Gives up on your feature for now because of an external blocker, moving it to the end of the queue. End the session afterwards.',
        { feature_id: featureId, reason: z.string().optional().describe('What blocks it') },
        async ({ feature_id, reason }) =>
          guard(ctx, () => {
            const denied = ownFeature(ctx, feature_id);
            if (denied) return fail(denied);
            const r = ctx.db.skip(feature_id, reason ?? null);
            ctx.report.skippedReason = reason ?? 'skipped by the agent';
            return json({
              ...r,
              message: `Feature #${feature_id} moved to the end of the queue. End this session now.`,
            });
          }),
      ),
  },
  {
    name: 'feature_create',
    roles: ['initializer', 'expander'],
    build: (ctx) =>
      tool(
        'feature_create',
        'Creates one feature at the end of the backlog.',
        {
          ...newFeature,
          depends_on_ids: z
            .array(z.number().int().min(1))
            .optional()
            .describe('Ids of existing features it needs'),
        },
        async (args) =>
          guard(ctx, () => {
            const f = ctx.db.create(args);
            ctx.created?.push(f.id);
            return json({
              success: true,
              message: `Created feature #${f.id}: ${f.name}`,
              feature: toDict(f),
            });
          }),
      ),
  },
  {
    name: 'feature_create_bulk',
    roles: ['initializer', 'expander'],
    build: (ctx) =>
      tool(
        'feature_create_bulk',
        'Creates many features at once, in order. depends_on_indices point at earlier items of the same call (0-based); depends_on_ids at features created by earlier calls. All are validated first; on any error nothing is created.',
        {
          features: z
            .array(
              z.object({
                ...newFeature,
                depends_on_indices: z.array(z.number().int().min(0)).optional(),
                depends_on_ids: z.array(z.number().int().min(1)).optional(),
              }),
            )
            .min(1),
        },
        async ({ features }) =>
          guard(ctx, () => {
            const result = ctx.db.createBulk(features);
            ctx.created?.push(...result.ids);
            return json(result);
          }),
      ),
  },
  {
    name: 'feature_add_dependency',
    roles: ['initializer'],
    build: (ctx) =>
      tool(
        'feature_add_dependency',
        'Makes a feature depend on another one (refused if it would create a cycle).',
        { feature_id: featureId, dependency_id: featureId },
        async ({ feature_id, dependency_id }) =>
          guard(ctx, () => {
            const f = ctx.db.addDependency(feature_id, dependency_id);
            return json({ success: true, feature_id, dependencies: f.dependencies });
          }),
      ),
  },
  {
    name: 'feature_remove_dependency',
    roles: ['initializer'],
    build: (ctx) =>
      tool(
        'feature_remove_dependency',
        'Removes one dependency from a feature.',
        { feature_id: featureId, dependency_id: featureId },
        async ({ feature_id, dependency_id }) =>
          guard(ctx, () => {
            const f = ctx.db.removeDependency(feature_id, dependency_id);
            return json({ success: true, feature_id, dependencies: f.dependencies });
          }),
      ),
  },
  {
    name: 'feature_set_dependencies',
    roles: ['initializer'],
    build: (ctx) =>
      tool(
        'feature_set_dependencies',
        'Replaces the whole dependency list of a feature (checked for missing ids and cycles).',
        { feature_id: featureId, dependency_ids: z.array(z.number().int().min(1)) },
        async ({ feature_id, dependency_ids }) =>
          guard(ctx, () => {
            const f = ctx.db.setDependencies(feature_id, dependency_ids);
            return json({ success: true, feature_id, dependencies: f.dependencies });
          }),
      ),
  },
  {
    name: 'feature_get_ready',
    roles: ['initializer', 'coding'],
    build: (ctx) =>
      tool(
        'feature_get_ready',
        'Features whose dependencies all pass and that nobody works on, best first.',
        { limit: z.number().int().min(1).max(50).optional() },
        async ({ limit }) =>
          guard(ctx, () => {
            const all = ctx.db.all();
            const graph = analyzeGraph(all.map(asGraphNode));
            const ready = all
              .filter(
                (f) =>
                  graph.ready.has(f.id) &&
                  !f.inProgress &&
                  !f.testingInProgress &&
                  !f.needsHumanInput,
              )
              .sort(compareBySchedule(graph.scores));
            return json({
              features: ready.slice(0, limit ?? 10).map(toDict),
              count: Math.min(ready.length, limit ?? 10),
              total_ready: ready.length,
            });
          }),
      ),
  },
  {
    name: 'feature_get_blocked',
    roles: ['initializer', 'coding'],
    build: (ctx) =>
      tool(
        'feature_get_blocked',
        'Features that cannot start yet, with what blocks each.',
        {},
        async () =>
          guard(ctx, () => {
            const all = ctx.db.all();
            const graph = analyzeGraph(all.map(asGraphNode));
            const blocked = all
              .filter((f) => graph.blockedReasons.has(f.id))
              .map((f) => ({
                ...toDict(f),
                blocked_by: f.dependencies.filter((d) => !all.find((o) => o.id === d)?.passes),
                reason: graph.blockedReasons.get(f.id),
              }));
            return json({ features: blocked, count: blocked.length });
          }),
      ),
  },
  {
    name: 'feature_get_graph',
    roles: ['initializer', 'coding', 'expander'],
    build: (ctx) =>
      tool(
        'feature_get_graph',
        'The dependency graph: nodes with status and edges from dependency to dependent.',
        {},
        async () =>
          guard(ctx, () => {
            const all = ctx.db.all();
            const graph = analyzeGraph(all.map(asGraphNode));
            const status = (f: Feature): string =>
              f.passes
                ? 'done'
                : graph.blockedReasons.has(f.id)
                  ? 'blocked'
                  : f.inProgress
                    ? 'in_progress'
                    : 'pending';
            return json({
              nodes: all.map((f) => ({
                id: f.id,
                name: f.name,
                category: f.category,
                status: status(f),
                priority: f.priority,
                dependencies: f.dependencies,
              })),
              edges: all.flatMap((f) => f.dependencies.map((d) => ({ source: d, target: f.id }))),
            });
          }),
      ),
  },
  {
    name: 'feature_claim_for_testing',
    roles: ['regression'],
    build: (ctx) =>
      tool(
        'feature_claim_for_testing',
        'Claims the passing feature this session re-verifies and returns it.',
        {},
        async () =>
          guard(ctx, () => {
            if (ctx.featureId !== null) {
              const f = ctx.db.get(ctx.featureId);
              if (f && f.testOwner === ctx.owner)
                return json({ ...toDict(f), already_claimed: true });
              if (f && ctx.db.claimForTesting(f.id, ctx.owner))
                return json({ ...toDict(ctx.db.get(f.id)!), already_claimed: false });
            }
            return json({
              message: 'No features available for testing',
              hint: 'End this session.',
            });
          }),
      ),
  },
  {
    name: 'feature_release_testing',
    roles: ['regression'],
    build: (ctx) =>
      tool(
        'feature_release_testing',
        'Releases the feature you re-tested. tested_ok=false when you found (and fixed) a regression.',
        {
          feature_id: featureId,
          tested_ok: z.boolean().optional().describe('true if it still works (default)'),
        },
        async ({ feature_id, tested_ok }) =>
          guard(ctx, () => {
            const denied = ownFeature(ctx, feature_id);
            if (denied) return fail(denied);
            const ok = tested_ok ?? true;
            if (!ok) ctx.report.regressionFound = true;
            const r = ctx.db.releaseTesting(feature_id, ctx.owner);
            if (!r.released)
              return json({
                warning: `Feature ${feature_id} was not being tested`,
                feature: toDict(r.feature),
              });
            return json({
              message: `Feature #${feature_id} testing ${ok ? 'passed' : 'failed (regression detected)'}`,
              feature: toDict(r.feature),
            });
          }),
      ),
  },
  {
    name: 'feature_request_human_input',
    roles: ['coding'],
    build: (ctx) =>
      tool(
        'feature_request_human_input',
        'Asks a human for something only they can provide (a decision, credentials, an account). The feature waits until they answer; end the session afterwards.',
        {
          feature_id: featureId,
          prompt: z.string().min(1).describe('The question, in plain words'),
          fields: z
            .array(
              z.object({
                id: z.string().min(1),
                label: z.string().min(1),
                type: z.enum(['text', 'textarea', 'select', 'boolean']),
                required: z.boolean().optional(),
                options: z.array(z.string()).optional(),
              }),
            )
            .optional(),
        },
        async ({ feature_id, prompt, fields }) =>
          guard(ctx, () => {
            const denied = ownFeature(ctx, feature_id);
            if (denied) return fail(denied);
            const request: HumanInputRequest = {
              prompt,
              fields:
                fields && fields.length > 0
                  ? fields
                  : [{ id: 'answer', label: 'Answer', type: 'textarea' }],
            };
            const f = ctx.db.requestHumanInput(feature_id, request);
            ctx.report.humanInputRequested = true;
            ctx.onHumanInput?.(f, request);
            return json({
              message: `Feature #${feature_id} is waiting for a human. End this session now.`,
              feature: toDict(f),
            });
          }),
      ),
  },
];

/** Tool names (without the mcp__features__ prefix) a role may use. */
export function toolNamesFor(role: AgentRole): string[] {
  return specs.filter((s) => s.roles.includes(role)).map((s) => s.name);
}

export const mcpToolName = (name: string): string => `mcp__${FEATURE_SERVER}__${name}`;

/** A fresh in-process MCP server carrying only the tools of the session's role. */
export function createFeatureServer(ctx: ToolContext): McpSdkServerConfigWithInstance {
  return createSdkMcpServer({
    name: FEATURE_SERVER,
    version: '1.0.0',
    alwaysLoad: true,
    tools: specs.filter((s) => s.roles.includes(ctx.role)).map((s) => s.build(ctx)),
  });
}
