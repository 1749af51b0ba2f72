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
  type AnyZodRawShape,
  type InferShape,
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

/**
 * One tool: its name (written once, for the role lists and the server), who may use it, and
 * its database work, which always runs inside `guard`.
 */
function featureTool<Shape extends AnyZodRawShape>(
  name: string,
  roles: AgentRole[],
  description: string,
  input: Shape,
  work: (ctx: ToolContext, args: InferShape<Shape>) => CallToolResult,
): ToolSpec {
  return {
    name,
    roles,
    build: (ctx) =>
      tool(name, description, input, async (args) => guard(ctx, () => work(ctx, args))),
  };
}

/**
 * Work on the session's own feature only; every other `feature_id` is refused before it runs (an agent
 * cannot pass, fail or skip work it does not hold).
 */
function ownFeatureOnly<Args extends { feature_id: number }>(
  work: (ctx: ToolContext, args: Args) => CallToolResult,
): (ctx: ToolContext, args: Args) => CallToolResult {
  return (ctx, args) => {
    const denied = ownFeature(ctx, args.feature_id);
    return denied ? fail(denied) : work(ctx, args);
  };
}

/** The answer of every dependency edit: the feature's dependencies as they now are. */
const dependenciesOf = (f: Feature): CallToolResult =>
  json({ success: true, feature_id: f.id, dependencies: f.dependencies });

const specs: ToolSpec[] = [
  featureTool(
    'feature_get_stats',
    ['initializer', 'coding', 'regression', 'expander'],
    'Progress: passing, in progress and total features, and the percentage passing.',
    {},
    (ctx) => json(ctx.db.stats()),
  ),
  featureTool(
    'feature_get_by_id',
    ['initializer', 'coding', 'regression', 'expander'],
    'Full details of one feature.',
    { feature_id: featureId },
    (ctx, { feature_id }) => {
      const f = ctx.db.get(feature_id);
      return f ? json(toDict(f)) : fail(`Feature #${feature_id} does not exist.`);
    },
  ),
  featureTool(
    'feature_claim_and_get',
    ['coding'],
    'Confirms this session holds its assigned feature and returns its details (idempotent).',
    { feature_id: featureId },
    ownFeatureOnly((ctx, { feature_id }) => {
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
  featureTool(
    'feature_mark_passing',
    ['coding', 'regression'],
    'Marks your feature as passing, after you have verified it works end to end.',
    { feature_id: featureId },
    ownFeatureOnly((ctx, { feature_id }) => {
      const f = ctx.db.markPassing(feature_id, ctx.owner);
      return json({ ...toDict(f), message: `Feature #${feature_id} marked as passing.` });
    }),
  ),
  featureTool(
    'feature_mark_failing',
    ['regression'],
    'Marks the feature you are re-testing as failing (a regression). You keep it until you release it.',
    { feature_id: featureId, reason: z.string().optional().describe('What is broken') },
    ownFeatureOnly((ctx, { feature_id, reason }) => {
      const f = ctx.db.markFailing(feature_id, ctx.owner, reason ?? null);
      ctx.report.regressionFound = true;
      return json({
        message: `Feature #${feature_id} marked as failing - regression detected`,
        feature: toDict(f),
      });
    }),
  ),
  featureTool(
    'feature_skip',
    ['coding'],
    'Gives up on your feature for now because of an external blocker, moving it to the end of the queue. End the session afterwards.',
    { feature_id: featureId, reason: z.string().optional().describe('What blocks it') },
    ownFeatureOnly((ctx, { feature_id, reason }) => {
      const r = ctx.db.skip(feature_id, reason ?? null);
      ctx.report.skippedReason = reason ?? 'skipped by the agent';
      return json({
        ...r,
        message: `Feature #${feature_id} moved to the end of the queue. End this session now.`,
      });
    }),
  ),
  featureTool(
    'feature_create',
    ['initializer', 'expander'],
    'Creates one feature at the end of the backlog.',
    {
      ...newFeature,
      depends_on_ids: z
        .array(z.number().int().min(1))
        .optional()
        .describe('Ids of existing features it needs'),
    },
    (ctx, args) => {
      const f = ctx.db.create(args);
      ctx.created?.push(f.id);
      return json({
        success: true,
        message: `Created feature #${f.id}: ${f.name}`,
        feature: toDict(f),
      });
    },
  ),
  featureTool(
    'feature_create_bulk',
    ['initializer', 'expander'],
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
    (ctx, { features }) => {
      const result = ctx.db.createBulk(features);
      ctx.created?.push(...result.ids);
      return json(result);
    },
  ),
  // Adding and removing one dependency differ only in the edit.
  ...(
    [
      [
        'feature_add_dependency',
        'Makes a feature depend on another one (refused if it would create a cycle).',
        (db: FeaturesDb, id: number, dep: number) => db.addDependency(id, dep),
      ],
      [
        'feature_remove_dependency',
        'Removes one dependency from a feature.',
        (db: FeaturesDb, id: number, dep: number) => db.removeDependency(id, dep),
      ],
    ] as const
  ).map(([name, description, edit]) =>
    featureTool(
      name,
      ['initializer'],
      description,
      { feature_id: featureId, dependency_id: featureId },
      (ctx, { feature_id, dependency_id }) =>
        dependenciesOf(edit(ctx.db, feature_id, dependency_id)),
    ),
  ),
  featureTool(
    'feature_set_dependencies',
    ['initializer'],
    'Replaces the whole dependency list of a feature (checked for missing ids and cycles).',
    { feature_id: featureId, dependency_ids: z.array(z.number().int().min(1)) },
    (ctx, { feature_id, dependency_ids }) =>
      dependenciesOf(ctx.db.setDependencies(feature_id, dependency_ids)),
  ),
  featureTool(
    'feature_get_ready',
    ['initializer', 'coding'],
    'Features whose dependencies all pass and that nobody works on, best first.',
    { limit: z.number().int().min(1).max(50).optional() },
    (ctx, { limit }) => {
      const all = ctx.db.all();
      const graph = analyzeGraph(all.map(asGraphNode));
      const ready = all
        .filter(
          (f) =>
            graph.ready.has(f.id) && !f.inProgress && !f.testingInProgress && !f.needsHumanInput,
        )
        .sort(compareBySchedule(graph.scores));
      return json({
        features: ready.slice(0, limit ?? 10).map(toDict),
        count: Math.min(ready.length, limit ?? 10),
        total_ready: ready.length,
      });
    },
  ),
  featureTool(
    'feature_get_blocked',
    ['initializer', 'coding'],
    'Features that cannot start yet, with what blocks each.',
    {},
    (ctx) => {
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
    },
  ),
  featureTool(
    'feature_get_graph',
    ['initializer', 'coding', 'expander'],
    'The dependency graph: nodes with status and edges from dependency to dependent.',
    {},
    (ctx) => {
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
    },
  ),
  featureTool(
    'feature_claim_for_testing',
    ['regression'],
    'Claims the passing feature this session re-verifies and returns it.',
    {},
    (ctx) => {
      if (ctx.featureId !== null) {
        const f = ctx.db.get(ctx.featureId);
        if (f && f.testOwner === ctx.owner) return json({ ...toDict(f), already_claimed: true });
        if (f && ctx.db.claimForTesting(f.id, ctx.owner))
          return json({ ...toDict(ctx.db.get(f.id)!), already_claimed: false });
      }
      return json({
        message: 'No features available for testing',
        hint: 'End this session.',
      });
    },
  ),
  featureTool(
    'feature_release_testing',
    ['regression'],
    'Releases the feature you re-tested. tested_ok=false when you found (and fixed) a regression.',
    {
      feature_id: featureId,
      tested_ok: z.boolean().optional().describe('true if it still works (default)'),
    },
    ownFeatureOnly((ctx, { feature_id, tested_ok }) => {
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
  featureTool(
    'feature_request_human_input',
    ['coding'],
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
    ownFeatureOnly((ctx, { feature_id, prompt, fields }) => {
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
