/**
 * How a session is set up for its role: which tools it may use, which MCP servers it gets, and
 * the `SessionSpec` handed to `runSession`. Pure assembly; nothing here starts a process.
 *
 * Invariants:
 * - every session gets the `features` MCP server with only its role's tools, bound to the
 *   session's own `ToolContext` (its feature and lease owner);
 * - the browser (Playwright MCP) is offered only to coding and regression sessions, never in
 *   YOLO mode, and only when the run enables it;
 * - `allowedTools` is exactly the built-in tools, the role's feature tools and, with the browser,
 *   the Playwright tools: anything else is refused in `dontAsk` mode.
 */
import type { SessionContainment } from './session-guard.ts';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AgentRole, Usage } from '../contract/agent-events.ts';
import {
  createFeatureServer,
  mcpToolName,
  toolNamesFor,
  type ToolContext,
} from './feature-tools.ts';
import { systemAppend } from './prompts.ts';
import type { SessionSpec } from './session.ts';

export const BUILTIN_TOOLS = [
  'Read',
  'Write',
  'Edit',
  'Glob',
  'Grep',
  'Bash',
  'WebFetch',
  'TodoWrite',
];

/**
 * The expander only reads the project and adds features: it gets no tool that writes files or
 * runs commands, so an expansion during a run cannot touch what the coding agents work on.
 */
export const READ_ONLY_TOOLS = ['Read', 'Glob', 'Grep'];

/** The built-in tools a role gets. */
export const builtinToolsFor = (role: AgentRole): string[] =>
  role === 'expander' ? READ_ONLY_TOOLS : BUILTIN_TOOLS;

export const PLAYWRIGHT_TOOLS = [
  'browser_navigate',
  'browser_navigate_back',
  'browser_snapshot',
  'browser_click',
  'browser_type',
  'browser_fill_form',
  'browser_select_option',
  'browser_hover',
  'browser_press_key',
  'browser_wait_for',
  'browser_take_screenshot',
  'browser_console_messages',
  'browser_network_requests',
  'browser_evaluate',
  'browser_handle_dialog',
  'browser_file_upload',
  'browser_resize',
  'browser_tabs',
  'browser_close',
].map((t) => `mcp__playwright__${t}`);

export const MAX_TURNS: Record<AgentRole, number> = {
  initializer: 300,
  coding: 300,
  regression: 100,
  expander: 100,
};

/** What of the run's configuration a session's set-up reads. */
export interface SetupConfig {
  projectDir: string;
  model: string;
  yolo: boolean;
  browserMcp: boolean;
  sessionEnv: Record<string, string | undefined>;
  claudePath: string | null;
  sessionTimeoutMs: number;
  /** The run's sandbox, environment and settings trust (absent: the SDK's defaults). */
  containment?: SessionContainment;
}

/**
 * The stdio MCP server for browser checks: the pinned `@playwright/mcp` dependency, started from
 * node_modules with the Node that runs this agent (under Electron, as Node), so nothing is
 * fetched when a session starts. Null when the package is not installed.
 */
export function playwrightServer(): NonNullable<SessionSpec['mcpServers']>[string] | null {
  let cli: string;
  try {
    const require = createRequire(import.meta.url);
    const pkgPath = require.resolve('@playwright/mcp/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin?: Record<string, string> };
    cli = join(dirname(pkgPath), pkg.bin?.['playwright-mcp'] ?? 'cli.js');
  } catch {
    return null;
  }
  return {
    type: 'stdio',
    command: process.execPath,
    args: [cli, '--headless', '--isolated'],
    env: { ELECTRON_RUN_AS_NODE: '1' },
  };
}

export function usesBrowser(
  role: AgentRole,
  cfg: Pick<SetupConfig, 'browserMcp' | 'yolo'>,
): boolean {
  return cfg.browserMcp && !cfg.yolo && (role === 'coding' || role === 'regression');
}

/** The full tool names a session of this role may use without asking. */
export function allowedToolsFor(role: AgentRole, browser: boolean): string[] {
  return [
    ...builtinToolsFor(role),
    ...toolNamesFor(role).map(mcpToolName),
    ...(browser ? PLAYWRIGHT_TOOLS : []),
  ];
}

export interface SessionCallbacks {
  onActivity: SessionSpec['onActivity'];
  onUsage: (usage: Usage) => void;
  onLog: (line: string) => void;
}

/** The spec of one session: its role's tools and servers, the run's model and limits. */
export function sessionSpecFor(options: {
  role: AgentRole;
  prompt: string;
  ctx: ToolContext;
  cfg: SetupConfig;
  signal: AbortSignal;
  callbacks: SessionCallbacks;
}): SessionSpec {
  const { role, cfg } = options;
  const playwright = usesBrowser(role, cfg) ? playwrightServer() : null;
  const browser = playwright !== null;
  const mcpServers: SessionSpec['mcpServers'] = { features: createFeatureServer(options.ctx) };
  if (playwright) mcpServers.playwright = playwright;
  return {
    role,
    prompt: options.prompt,
    systemAppend: systemAppend(role, cfg.yolo),
    model: cfg.model,
    cwd: cfg.projectDir,
    mcpServers,
    allowedTools: allowedToolsFor(role, browser),
    builtinTools: builtinToolsFor(role),
    env: cfg.sessionEnv,
    ...(cfg.containment ? { containment: cfg.containment } : {}),
    claudePath: cfg.claudePath,
    maxTurns: MAX_TURNS[role],
    timeoutMs: cfg.sessionTimeoutMs,
    signal: options.signal,
    onActivity: options.callbacks.onActivity,
    onUsage: options.callbacks.onUsage,
    onLog: options.callbacks.onLog,
  };
}
