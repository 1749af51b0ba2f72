/**
 * The agent process entry (bundled to out/agent/index.js).
 *
 *   node agent/cli.ts --project-dir <abs> --model <m> [--yolo] --concurrency <1-5> --regression-agents <0-3>
 *
 * cwd = the project, stdin closed, in its own process group. Typed events and plain lines go to
 * stdout. Exit 0 on completion (also with work left that needs a human), stop (SIGTERM/SIGINT)
 * or drain-stop; 3 when the provider refused the credentials; other non-zero on a real failure.
 *
 * Environment: NIGHTSHIFT_RUN_ID, NIGHTSHIFT_RUN_LOG, NIGHTSHIFT_SESSION_TIMEOUT_MIN (60),
 * NIGHTSHIFT_MAX_ATTEMPTS (3), NIGHTSHIFT_CLAUDE_PATH, NIGHTSHIFT_STALL_KILL_MIN (0: off); provider settings ANTHROPIC_API_KEY /
 * ANTHROPIC_AUTH_TOKEN / ANTHROPIC_BASE_URL pass through to Claude Code. Tuning knobs (mostly
 * for tests): NIGHTSHIFT_LEASE_MIN (30), NIGHTSHIFT_HEARTBEAT_MS (60000), NIGHTSHIFT_POLL_MS
 * (1000), NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS (60000), NIGHTSHIFT_RETEST_MIN (10: minimum minutes
 * between two regression tests of an unchanged feature), NIGHTSHIFT_BROWSER_MCP (1; 0 disables
 * the Playwright MCP server).
 */
import { parseArgs } from 'node:util';
import { isAbsolute } from 'node:path';
import { statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { agentEnv } from '../core/run-log.ts';
import { AgentOutput } from './output.ts';
import { Orchestrator, type OrchestratorConfig } from './orchestrator.ts';
import { sweepOwnGroup } from './process-group.ts';

const USAGE =
  'Usage: agent --project-dir <absolute path> --model <model> [--yolo] --concurrency <1-5> --regression-agents <0-3>';

function envNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  return Number.isFinite(n) && n >= min ? n : fallback;
}

function parse(
  argv: string[],
):
  | { ok: true; value: Omit<OrchestratorConfig, 'runId' | 'sessionEnv'> }
  | { ok: false; message: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'project-dir': { type: 'string' },
        model: { type: 'string' },
        yolo: { type: 'boolean', default: false },
        concurrency: { type: 'string', default: '1' },
        'regression-agents': { type: 'string', default: '1' },
        // The reference's name for the same thing.
        'testing-ratio': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    return {
      ok: false,
      message: `${error instanceof Error ? error.message : String(error)}\n${USAGE}`,
    };
  }
  const projectDir = values['project-dir'];
  if (!projectDir || !isAbsolute(projectDir))
    return { ok: false, message: `--project-dir must be an absolute path.\n${USAGE}` };
  try {
    if (!statSync(projectDir).isDirectory())
      return { ok: false, message: `${projectDir} is not a directory.` };
  } catch {
    return { ok: false, message: `The project folder ${projectDir} does not exist.` };
  }
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 5)
    return { ok: false, message: '--concurrency must be a whole number from 1 to 5.' };
  const regressionAgents = Number(values['testing-ratio'] ?? values['regression-agents']);
  if (!Number.isInteger(regressionAgents) || regressionAgents < 0 || regressionAgents > 3)
    return { ok: false, message: '--regression-agents must be a whole number from 0 to 3.' };
  const model = values.model?.trim() || 'claude-opus-4-6';
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/.test(model))
    return { ok: false, message: `Invalid model id: ${model}` };
  return {
    ok: true,
    value: {
      projectDir,
      model,
      yolo: values.yolo ?? false,
      concurrency,
      regressionAgents,
      sessionTimeoutMs: envNumber(agentEnv.sessionTimeoutMinutes, 60, 0.05) * 60_000,
      maxAttempts: Math.round(envNumber(agentEnv.maxFeatureAttempts, 3, 1)),
      leaseMs: envNumber('NIGHTSHIFT_LEASE_MIN', 30, 0.01) * 60_000,
      heartbeatMs: envNumber('NIGHTSHIFT_HEARTBEAT_MS', 60_000, 50),
      rateLimitBackoffMs: envNumber('NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS', 60_000, 100),
      retestIntervalMs: envNumber('NIGHTSHIFT_RETEST_MIN', 10, 0) * 60_000,
      pollMs: envNumber('NIGHTSHIFT_POLL_MS', 1000, 20),
      claudePath: process.env[agentEnv.claudeExecutable] || null,
      browserMcp: process.env.NIGHTSHIFT_BROWSER_MCP !== '0',
      stallKillMs: envNumber(agentEnv.stallKillMinutes, 0, 0) * 60_000,
    },
  };
}

async function main(): Promise<void> {
  const secrets = [process.env.ANTHROPIC_API_KEY, process.env.ANTHROPIC_AUTH_TOKEN].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const out = new AgentOutput({ runLogPath: process.env[agentEnv.runLog] || null, secrets });
  const parsed = parse(process.argv.slice(2));
  if (!parsed.ok) {
    out.event({ type: 'error', agentId: null, message: parsed.message });
    out.event({ type: 'run-state', phase: 'failed', message: parsed.message });
    process.exitCode = 2;
    return;
  }
  const sessionEnv: Record<string, string | undefined> = {
    ...process.env,
    // MCP tools must be visible directly, not deferred behind tool search.
    ENABLE_TOOL_SEARCH: 'false',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_AGENT_SDK_CLIENT_APP: 'nightshift/0.1.0',
  };
  const orchestrator = new Orchestrator(
    { ...parsed.value, runId: process.env[agentEnv.runId] || randomUUID(), sessionEnv },
    out,
  );

  let forced: NodeJS.Timeout | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    orchestrator.stop(`Stopping (${signal}): aborting sessions and releasing claims.`);
    // Whatever happens, be gone well within the supervisor's grace period.
    forced ??= setTimeout(() => process.exit(0), 9000);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // The app that started us may quit and leave us running: keep working, output goes to the run log.
  process.on('SIGHUP', () => undefined);
  process.on('unhandledRejection', (reason) => {
    out.event({ type: 'error', agentId: null, message: `Internal error: ${String(reason)}` });
  });

  let code: number;
  try {
    code = await orchestrator.run();
  } catch (error) {
    const message = `The orchestrator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    out.event({ type: 'error', agentId: null, message });
    out.event({ type: 'run-state', phase: 'failed', message });
    code = 1;
  }
  await sweepOwnGroup();
  if (forced) clearTimeout(forced);
  process.exit(code);
}

void main();
