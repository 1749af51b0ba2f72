/** Builds the app for plain Node (the browser shell and tests): conf store, file secrets. */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp, defaultDataDir, type NightshiftApp } from '../app.ts';
import { createDiagnostics } from '../services/diagnostics.ts';
import { fileSecrets } from '../services/secrets.ts';
import { openConfStore } from '../services/store.ts';
import { orchestratorPreflight } from '../../core/run-preflight.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0.0.0';
  }
}

/**
 * The agent program in the browser shell: Node (this one, ≥ 22.18, which runs TypeScript
 * directly) on agent/cli.ts. Tests replace it with a fixture through NIGHTSHIFT_AGENT_COMMAND,
 * a JSON array of command and arguments.
 */
export function agentCommandFromEnv(): { command: string; args: string[] } {
  const override = process.env.NIGHTSHIFT_AGENT_COMMAND;
  if (override) {
    const parsed: unknown = JSON.parse(override);
    if (
      !Array.isArray(parsed) ||
      parsed.length === 0 ||
      !parsed.every((p) => typeof p === 'string')
    ) {
      throw new Error(
        'NIGHTSHIFT_AGENT_COMMAND must be a JSON array of strings: ["command", "arg", …].',
      );
    }
    const [command, ...args] = parsed as string[];
    return { command: command as string, args };
  }
  return { command: process.execPath, args: [join(repoRoot, 'agent', 'cli.ts')] };
}

export async function createNodeApp(
  options: { dataDir?: string; echo?: boolean } = {},
): Promise<NightshiftApp> {
  const dataDir = resolve(
    options.dataDir ?? (process.env.NIGHTSHIFT_DATA_DIR || defaultDataDir(homedir())),
  );
  mkdirSync(dataDir, { recursive: true });
  const agentCommand = agentCommandFromEnv();
  return createApp({
    shell: 'browser',
    version: packageVersion(),
    dataDir,
    openStore: () => openConfStore(dataDir),
    secrets: fileSecrets(join(dataDir, 'secrets.json')),
    diagnostics: createDiagnostics(dataDir, { echo: options.echo ?? false }),
    agentCommand: () => agentCommand,
    // A fixture agent (tests) has no needs; Nightshift's orchestrator needs a spec or features.
    ...(process.env.NIGHTSHIFT_AGENT_COMMAND ? {} : { preflight: orchestratorPreflight }),
  });
}
