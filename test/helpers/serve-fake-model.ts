/**
 * The real `nightshift serve` with its agents pointed at the local fake Anthropic server (no
 * credentials, no network), for e2e tests that drive the real agent from the UI; and its stop,
 * which checks that no agent or Claude Code process is left in the project.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { nodeBin, processesMentioning, root, waitUntil } from './ui-harness.ts';

export interface ServeWithFakeModel {
  server: ChildProcess;
  url: string;
  output(): string;
}

export async function startServeWithFakeModel(
  fakeUrl: string,
  dataDir: string,
  home: string,
): Promise<ServeWithFakeModel> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('ANTHROPIC_') || k.startsWith('CLAUDE') || k.startsWith('NIGHTSHIFT_AGENT'))
      continue;
    env[k] = v;
  }
  let output = '';
  const server = spawn(
    nodeBin,
    [join(root, 'bin/nightshift.mjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      cwd: root,
      env: {
        ...env,
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: fakeUrl,
        ANTHROPIC_API_KEY: 'sk-ant-test-dummy-key-0000000000',
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        CLAUDE_CODE_MAX_RETRIES: '0',
        NIGHTSHIFT_BROWSER_MCP: '0',
        NIGHTSHIFT_POLL_MS: '200',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  server.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  await waitUntil(
    () => /Nightshift is listening on (\S+)/.test(output) || server.exitCode !== null,
    30_000,
    'nightshift serve',
  );
  const url = /Nightshift is listening on (\S+)/.exec(output)?.[1] ?? '';
  assert.ok(url, `nightshift serve did not start:\n${output}`);
  return { server, url, output: () => output };
}

/** Stops the server (SIGTERM, bounded wait). */
export async function stopServe(server: ChildProcess | undefined): Promise<void> {
  if (!server) return;
  if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  await waitUntil(
    () => server.exitCode !== null || server.signalCode !== null,
    15_000,
    'nightshift serve to exit',
  );
}

/** Waits (bounded) until no process mentions the project, and fails if one is left. */
export async function assertNothingLeftIn(project: string): Promise<void> {
  await waitUntil(
    () => processesMentioning(project).length === 0,
    10_000,
    'no process in the project',
  );
  assert.deepEqual(processesMentioning(project), [], 'no agent or Claude Code process is left');
}
