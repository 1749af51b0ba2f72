/**
 * The agent process entry. Built by electron-vite next to the main process, as
 * `out/main/agent.js` (the desktop app runs it on Electron's own Node); the browser shell runs
 * `agent/cli.ts` directly on Node.
 *
 *   agent --project-dir <abs> --model <m> [--yolo] --concurrency <1-5> --regression-agents <0-3> [--mode run|expand]
 *
 * The flags and every environment variable it reads are the launch protocol in
 * `core/launch-protocol.ts` (one place for both ends); provider settings ANTHROPIC_API_KEY /
 * ANTHROPIC_AUTH_TOKEN / ANTHROPIC_BASE_URL pass through to Claude Code.
 *
 * cwd = the project, stdin closed, in its own process group. Typed events and plain lines go to
 * stdout. Exit 0 on completion (also with work left that needs a human), stop (SIGTERM/SIGINT)
 * or drain-stop; 2 on bad launch flags; 3 when the provider refused the credentials; other
 * non-zero on a real failure.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Result, err, ok } from '../contract/index.ts';
import { agentEnv, parseLaunchArgs, readAgentTuning } from '../core/launch-protocol.ts';
import { containmentEnvName, parseRunContainment } from '../contract/containment.ts';
import { probeSandbox } from '../core/sandbox-probe.ts';
import { sessionEnvFrom } from './env-allowlist.ts';
import { providerHostOf, readRulesFor, sandboxSettingsFor } from './containment.ts';
import type { SessionContainment } from './session-guard.ts';
import { AgentOutput } from './output.ts';
import { Orchestrator, type OrchestratorConfig } from './orchestrator.ts';
import { sweepOwnGroup } from './process-group.ts';

function parse(
  argv: string[],
): Result<Omit<OrchestratorConfig, 'runId' | 'sessionEnv' | 'containment'>> {
  const launch = parseLaunchArgs(argv);
  if (!launch.ok) return launch;
  const { projectDir, settings, mode } = launch.value;
  try {
    if (!statSync(projectDir).isDirectory())
      return err('invalid-input', `${projectDir} is not a directory.`);
  } catch {
    return err('not-found', `The project folder ${projectDir} does not exist.`);
  }
  return ok({
    projectDir,
    mode,
    model: settings.model,
    yolo: settings.yolo,
    concurrency: settings.codingAgents,
    regressionAgents: settings.regressionAgents,
    ...readAgentTuning(process.env),
  });
}

/**
 * The containment of this run's sessions: the allowlisted environment, the sandbox (or none, when
 * it cannot start and the user allowed unsandboxed runs), and whether project settings load.
 */
function containSessions(
  projectDir: string,
):
  | { ok: true; env: Record<string, string>; containment: SessionContainment; status: string }
  | { ok: false; message: string } {
  const parsed = parseRunContainment(process.env[containmentEnvName]);
  if (!parsed.ok) return parsed;
  const c = parsed.value;
  const probe = probeSandbox();
  if (!probe.available && !c.allowUnsandboxed)
    return {
      ok: false,
      message: `The OS sandbox cannot start: ${probe.reason} Install it, or allow unsandboxed runs in Settings.`,
    };
  const home = process.env.HOME || homedir();
  // The run's own temp folder: sessions may write here, and nowhere else outside the project.
  const tmpDir = mkdtempSync(join(tmpdir(), 'nightshift-run-'));
  const env = sessionEnvFrom(process.env, {
    extraNames: c.extraEnv,
    fixed: {
      // MCP tools must be visible directly, not deferred behind tool search.
      ENABLE_TOOL_SEARCH: 'false',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_AGENT_SDK_CLIENT_APP: 'nightshift/0.1.0',
      TMPDIR: tmpDir,
      // Not a secret: it marks every process of the run, so Stop also ends daemons an agent
      // detached with setsid (the supervisor finds them by this variable).
      ...(process.env[agentEnv.runId] ? { [agentEnv.runId]: process.env[agentEnv.runId]! } : {}),
    },
  });
  const cloud = /^(1|true)$/i.test(process.env.CLAUDE_CODE_USE_BEDROCK ?? '')
    ? 'bedrock'
    : /^(1|true)$/i.test(process.env.CLAUDE_CODE_USE_VERTEX ?? '')
      ? 'vertex'
      : null;
  const inputs = {
    projectDir,
    home,
    tmpDir,
    providerHost: providerHostOf(process.env.ANTHROPIC_BASE_URL),
    cloudProvider: cloud,
    containment: c,
  } as const;
  const sandbox = probe.available ? sandboxSettingsFor(inputs) : null;
  return {
    ok: true,
    env,
    containment: {
      sandbox,
      trustProjectSettings: c.trustProjectSettings,
      home,
      tmpDir,
      pathVar: env.PATH ?? '',
      readRules: readRulesFor(inputs),
    },
    status: probe.available
      ? 'Sandbox: on'
      : `Sandbox: off: ${probe.reason} (unsandboxed runs are allowed in Settings)`,
  };
}

async function main(): Promise<void> {
  const secrets = [process.env.ANTHROPIC_API_KEY, process.env.ANTHROPIC_AUTH_TOKEN].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const out = new AgentOutput({ runLogPath: process.env[agentEnv.runLog] || null, secrets });
  const parsed = parse(process.argv.slice(2));
  const runId = process.env[agentEnv.runId] || randomUUID();
  if (!parsed.ok) {
    const { message } = parsed.error;
    out.event({ type: 'error', agentId: null, message });
    out.event({ type: 'run-state', phase: 'failed', message });
    process.exitCode = 2;
    return;
  }
  const contained = containSessions(parsed.value.projectDir);
  if (!contained.ok) {
    out.event({ type: 'error', agentId: null, message: contained.message });
    out.event({ type: 'run-state', phase: 'failed', message: contained.message });
    process.exitCode = 2;
    return;
  }
  out.line(contained.status);
  const orchestrator = new Orchestrator(
    {
      ...parsed.value,
      runId,
      sessionEnv: contained.env,
      containment: contained.containment,
    },
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
  // The run's temp folder goes with the run (its processes are gone after the sweep).
  rmSync(contained.containment.tmpDir, { recursive: true, force: true });
  if (forced) clearTimeout(forced);
  process.exit(code);
}

void main();
