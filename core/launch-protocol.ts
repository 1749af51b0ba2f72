/**
 * The launch protocol between the supervisor and the agent process, both ends in one place:
 * the command-line flags that carry a run's `RunSettings`, parsing them back (on the contract's
 * own schemas, so the limits live once), and the name of every environment variable an agent
 * reads.
 *
 *   agent --project-dir <absolute path> --model <model> [--yolo] --concurrency <n> --regression-agents <n> [--mode run|expand]
 *
 * Mode `run` (the default) works through the backlog; mode `expand` only carries out the queued
 * expansion requests (core/expansion-queue.ts) with one expander session each, then ends. Both
 * are the project's one agent process: an expansion never starts a second one beside a run.
 *
 * Invariant: `parseLaunchArgs(launchArgs(dir, s))` gives back `dir` and `s` for every valid `s`.
 */
import { isAbsolute } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CodingAgents,
  RegressionAgents,
  type Result,
  RunSettings,
  defaultModel,
  describeZodError,
  err,
  messageOf,
  ok,
} from '../contract/index.ts';

/** Every environment variable an agent process reads, by meaning. */
export const agentEnv = {
  /** The run's id; every process of the run inherits it, which is how the OS confirms them. */
  runId: 'NIGHTSHIFT_RUN_ID',
  /** Where the agent appends its output once the supervisor's pipe is gone. */
  runLog: 'NIGHTSHIFT_RUN_LOG',
  sessionTimeoutMinutes: 'NIGHTSHIFT_SESSION_TIMEOUT_MIN',
  maxFeatureAttempts: 'NIGHTSHIFT_MAX_ATTEMPTS',
  claudeExecutable: 'NIGHTSHIFT_CLAUDE_PATH',
  // Tuning knobs, mostly for tests.
  leaseMinutes: 'NIGHTSHIFT_LEASE_MIN',
  heartbeatMs: 'NIGHTSHIFT_HEARTBEAT_MS',
  pollMs: 'NIGHTSHIFT_POLL_MS',
  rateLimitBackoffMs: 'NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS',
  /** Minimum minutes between two regression tests of an unchanged feature. */
  retestMinutes: 'NIGHTSHIFT_RETEST_MIN',
  /** 0 disables the Playwright MCP server. */
  browserMcp: 'NIGHTSHIFT_BROWSER_MCP',
  /** Minutes without reaching the provider after which a run drains and stops (120). */
  providerOutageLimitMinutes: 'NIGHTSHIFT_PROVIDER_OUTAGE_LIMIT_MIN',
  /** Minutes without a tool call or progress before a session is ended as stalled (0: never). */
  stallKillMinutes: 'NIGHTSHIFT_STALL_KILL_MIN',
} as const;

const range = (n: { minValue: number | null; maxValue: number | null }) =>
  `${n.minValue ?? ''}-${n.maxValue ?? ''}`;

export const launchUsage = `Usage: agent --project-dir <absolute path> --model <model> [--yolo] --concurrency <${range(CodingAgents)}> --regression-agents <${range(RegressionAgents)}> [--mode run|expand]`;

export const launchModes = ['run', 'expand'] as const;
export type LaunchMode = (typeof launchModes)[number];

export interface LaunchRequest {
  projectDir: string;
  settings: RunSettings;
  mode: LaunchMode;
}

/**
 * The flags that launch an agent for `settings` in `projectDir` (YOLO is a bare flag or absent;
 * `--mode` only when it is not the default, so a plain run's flags stay as they were).
 */
export function launchArgs(
  projectDir: string,
  settings: RunSettings,
  mode: LaunchMode = 'run',
): string[] {
  return [
    '--project-dir',
    projectDir,
    '--model',
    settings.model,
    ...(settings.yolo ? ['--yolo'] : []),
    '--concurrency',
    String(settings.codingAgents),
    '--regression-agents',
    String(settings.regressionAgents),
    ...(mode === 'run' ? [] : ['--mode', mode]),
  ];
}

const flagOf: Record<string, string> = {
  model: '--model',
  codingAgents: '--concurrency',
  regressionAgents: '--regression-agents',
  yolo: '--yolo',
};

/**
 * Parses launch flags back into a request, or a sentence naming the flag that is wrong.
 * Absent values take the agent's defaults (1 coding agent, 1 regression agent, the default
 * model); `--testing-ratio` is the reference's name for `--regression-agents`.
 */
export function parseLaunchArgs(argv: string[]): Result<LaunchRequest> {
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
        'testing-ratio': { type: 'string' },
        mode: { type: 'string', default: 'run' },
      },
      strict: true,
    }));
  } catch (error) {
    return err('invalid-input', `${messageOf(error)}\n${launchUsage}`);
  }
  const projectDir = values['project-dir'];
  if (!projectDir || !isAbsolute(projectDir))
    return err(
      'invalid-input',
      `--project-dir must be an absolute path.\n${launchUsage}`,
      'projectDir',
    );
  const mode = launchModes.find((m) => m === values.mode);
  if (!mode)
    return err(
      'invalid-input',
      `--mode must be run or expand, not ${JSON.stringify(values.mode)}.\n${launchUsage}`,
      'mode',
    );
  const parsed = RunSettings.safeParse({
    model: values.model?.trim() || defaultModel,
    yolo: values.yolo ?? false,
    codingAgents: wholeNumber(values.concurrency),
    regressionAgents: wholeNumber(values['testing-ratio'] ?? values['regression-agents']),
  });
  if (!parsed.success) {
    const { message, field } = describeZodError(parsed.error);
    const flag = field ? (flagOf[field] ?? field) : null;
    const sentence =
      field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
    return err(
      'invalid-input',
      flag ? `${flag}: ${sentence}` : sentence,
      ...(field ? [field] : []),
    );
  }
  return ok({ projectDir, settings: parsed.data, mode });
}

/** A flag's text as a number for the schema to judge ("2.5" and "" stay invalid, not rounded). */
function wholeNumber(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return Number.NaN;
  return Number(text);
}

/** The agent's tuning from its environment: each knob's default when unset or out of range. */
export interface AgentTuning {
  sessionTimeoutMs: number;
  maxAttempts: number;
  /** A claim without a heartbeat for this long is released (default 30 min). */
  leaseMs: number;
  heartbeatMs: number;
  /** First hold when a limit gives no reset time; doubles per consecutive hold, max 1 h. */
  rateLimitBackoffMs: number;
  /** A passing feature is not re-tested sooner than this after its last test (unless it changed). */
  retestIntervalMs: number;
  pollMs: number;
  claudePath: string | null;
  /** Start the Playwright MCP server for browser checks (not in YOLO mode). */
  browserMcp: boolean;
  /** A session with no tool call or progress this long is ended as stalled (0: never). */
  stallKillMs: number;
}

export function readAgentTuning(env: NodeJS.ProcessEnv): AgentTuning {
  const num = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    return Number.isFinite(n) && n >= min ? n : fallback;
  };
  return {
    sessionTimeoutMs: num(agentEnv.sessionTimeoutMinutes, 60, 0.05) * 60_000,
    maxAttempts: Math.round(num(agentEnv.maxFeatureAttempts, 3, 1)),
    leaseMs: num(agentEnv.leaseMinutes, 30, 0.01) * 60_000,
    heartbeatMs: num(agentEnv.heartbeatMs, 60_000, 50),
    rateLimitBackoffMs: num(agentEnv.rateLimitBackoffMs, 60_000, 100),
    retestIntervalMs: num(agentEnv.retestMinutes, 10, 0) * 60_000,
    pollMs: num(agentEnv.pollMs, 1000, 20),
    claudePath: env[agentEnv.claudeExecutable] || null,
    browserMcp: env[agentEnv.browserMcp] !== '0',
    stallKillMs: num(agentEnv.stallKillMinutes, 0, 0) * 60_000,
  };
}

/** The environment that carries the user's limits from Settings to the agent. */
export function settingsEnv(s: {
  sessionTimeoutMinutes: number;
  maxFeatureAttempts: number;
  claudeExecutablePath: string;
}): Record<string, string> {
  return {
    [agentEnv.sessionTimeoutMinutes]: String(s.sessionTimeoutMinutes),
    [agentEnv.maxFeatureAttempts]: String(s.maxFeatureAttempts),
    ...(s.claudeExecutablePath ? { [agentEnv.claudeExecutable]: s.claudeExecutablePath } : {}),
  };
}
