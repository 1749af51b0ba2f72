/**
 * Runs the real `nightshift serve` (bin/nightshift.mjs) as a child process with a temp data
 * dir, and gives tests its URL, token and a small WebSocket API client. `stop()` ends it with
 * SIGTERM and asserts that it and every agent it started are gone.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { after, before } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { isAlive, listProcesses } from '../../core/process-table.ts';
import { fakeModelEnv } from '../fixtures/fake-model-env.ts';
import {
  startFakeAnthropic,
  type Brain,
  type FakeAnthropic,
} from '../fixtures/fake-anthropic-server.ts';
import {
  listeningUrl,
  openPage,
  processesMentioning,
  removeDirs,
  stopUi,
  waitUntil,
  type OpenedPage,
} from './ui-harness.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const fixtureAgentCommand = (name = 'chatty', ...args: string[]): string[] => [
  process.execPath,
  join(repoRoot, 'test/fixtures/agents', `${name}.ts`),
  ...args,
];

export interface ServedApp {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startServe(
  options: {
    env?: Record<string, string>;
    dataDir?: string;
    args?: string[];
    /** false: no --data-dir flag, so the server picks its data dir itself (env or default). */
    dataDirFlag?: boolean;
    /** Keep this machine's own Anthropic and Claude settings from the server and its agents. */
    withoutModelEnv?: boolean;
  } = {},
): Promise<ServedApp> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nightshift-serve-'));
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'bin/nightshift.mjs'),
      'serve',
      '--port',
      '0',
      ...(options.dataDirFlag === false ? [] : ['--data-dir', dataDir]),
      ...(options.args ?? []),
    ],
    {
      cwd: repoRoot,
      env: {
        ...(options.withoutModelEnv ? withoutModelEnv(process.env) : process.env),
        NIGHTSHIFT_AGENT_COMMAND: JSON.stringify(fixtureAgentCommand()),
        ...(options.env ?? {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const { url, output } = await listeningUrl(child, 60_000);
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token') ?? '';
  return {
    url,
    origin: parsed.origin,
    token,
    dataDir,
    child,
    output,
    async stop() {
      const pid = child.pid as number;
      // Agents are children of the server's process tree only through their group.
      const before = listProcesses()
        .filter((p) => p.ppid === pid)
        .map((p) => p.pid);
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      }
      const deadline = Date.now() + 10_000;
      while ([pid, ...before].some(isAlive) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const left = [pid, ...before].filter(isAlive);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      if (left.length) throw new Error(`processes outlived the server: ${left.join(', ')}`);
    },
  };
}

function withoutModelEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(
      ([k]) =>
        !k.startsWith('ANTHROPIC_') && !k.startsWith('CLAUDE') && !k.startsWith('NIGHTSHIFT_AGENT'),
    ),
  );
}

export interface ServedRealAgent extends ServedApp {
  fake: FakeAnthropic;
}

/**
 * `nightshift serve` whose agent is Nightshift's real one (agent/cli.ts with the Claude Agent SDK
 * and Claude Code), talking only to a local fake Anthropic server that answers with `brain`.
 * `stop()` also closes the fake server and checks that no agent or Claude Code process is left
 * in `project`.
 */
export async function startServeWithRealAgent(
  brain: Brain,
  project: string,
  options: { dataDir?: string } = {},
): Promise<ServedRealAgent> {
  const home = mkdtempSync(join(tmpdir(), 'ns-agent-home-'));
  const fake = await startFakeAnthropic(brain);
  let served: ServedApp;
  try {
    served = await startServe({
      dataDir: options.dataDir,
      withoutModelEnv: true,
      env: realAgentEnv(home, fake.url),
    });
  } catch (error) {
    await fake.close();
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
  return {
    ...served,
    fake,
    async stop() {
      try {
        await served.stop();
      } finally {
        await fake.close();
        rmSync(home, { recursive: true, force: true });
      }
      await waitUntil(
        () => processesMentioning(project).length === 0,
        10_000,
        'no process in the project',
      );
      assert.deepEqual(processesMentioning(project), [], 'no agent or Claude Code process is left');
    },
  };
}

/**
 * The before and after hooks of a UI test file that runs the real agent: before its tests,
 * `prepare` (files in `project`), then serve with the real agent (startServeWithRealAgent) and a
 * watched page, handed to `started`; after them, both stopped (which checks that no process is
 * left in `project`) and `project` removed.
 */
export function realAgentUiHooks(options: {
  brain: Brain;
  project: string;
  prepare?: () => void;
  started: (ui: OpenedPage & { url: string; fake: FakeAnthropic }) => void;
}): void {
  let served: ServedRealAgent | undefined;
  let opened: OpenedPage | undefined;
  before(async () => {
    options.prepare?.();
    served = await startServeWithRealAgent(options.brain, options.project);
    opened = await openPage();
    options.started({ ...opened, url: served.url, fake: served.fake });
  });
  after(async () => {
    await stopUi(opened?.launched, served);
    removeDirs(options.project);
  });
}

/** A minimal client of the WebSocket API, as the renderer's transport speaks it. */
export class ApiClient {
  private ws: WebSocket;
  private nextId = 1;
  private waiting = new Map<number, (result: unknown) => void>();
  readonly events: { event: string; payload: unknown }[] = [];
  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as {
        id?: number;
        result?: unknown;
        event?: string;
        payload?: unknown;
      };
      if (msg.id !== undefined) {
        this.waiting.get(msg.id)?.(msg.result);
        this.waiting.delete(msg.id);
      } else if (msg.event) this.events.push({ event: msg.event, payload: msg.payload });
    });
  }
  static connect(
    app: Pick<ServedApp, 'origin' | 'token'>,
    options: { token?: string; origin?: string } = {},
  ): Promise<ApiClient> {
    const wsUrl = `${app.origin.replace('http', 'ws')}/api/ws?token=${options.token ?? app.token}`;
    const ws = new WebSocket(wsUrl, options.origin ? { origin: options.origin } : {});
    return new Promise((resolveWs, reject) => {
      ws.once('open', () => resolveWs(new ApiClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  call<T = unknown>(
    command: string,
    input?: unknown,
  ): Promise<
    { ok: true; value: T } | { ok: false; error: { code: string; message: string; field?: string } }
  > {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, command, input }));
    return new Promise((r) => this.waiting.set(id, r as (result: unknown) => void));
  }
  /** Registers the project `name` at `path` (a test's setup); it must be accepted. Its id. */
  async addProject(name: string, path: string): Promise<string> {
    const added = await this.call<{ id: string }>('projects.add', { name, path });
    assert.ok(added.ok, JSON.stringify(added));
    return added.value.id;
  }
  close(): void {
    this.ws.close();
  }
}

/**
 * Environment for `nightshift serve` whose agent is Nightshift's real orchestrator (agent/cli.ts,
 * the real Claude Agent SDK and Claude Code) talking to the fake Anthropic server at `modelUrl`,
 * with a throwaway home under `root`.
 */
export function realAgentEnv(root: string, modelUrl: string): Record<string, string> {
  const home = join(root, 'home');
  mkdirSync(join(home, '.claude'), { recursive: true });
  return {
    NIGHTSHIFT_AGENT_COMMAND: JSON.stringify([process.execPath, join(repoRoot, 'agent/cli.ts')]),
    ...fakeModelEnv(home, modelUrl),
  };
}
