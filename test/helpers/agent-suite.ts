/**
 * What every file of real-agent tests sets up the same way: one fake Anthropic server for the
 * whole file (tests swap its brain with `setBrain`), project directories that are removed when
 * the file's tests are done, and after each test the process group of every agent it started
 * and that has not exited is killed.
 */
import { before, after, afterEach } from 'node:test';
import { rmSync } from 'node:fs';
import type { AgentEvent } from '../../contract/agent-events.ts';
import {
  startFakeAnthropic,
  toolResultText,
  type FakeAnthropic,
} from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import {
  assertGroupGone,
  exitWithin,
  killLeftoverAgents,
  makeProject,
  startAgent,
  type AgentRun,
} from '../fixtures/agent-harness.ts';

export interface AgentSuite {
  /** The fake server; only valid inside tests (it starts in the file's `before`). */
  readonly fake: FakeAnthropic;
  /** A new project directory with `spec` as its app_spec.txt (none when null). */
  project(spec: string | null): string;
  /** Starts the real agent against the file's fake server (startAgent). */
  start(options: Omit<Parameters<typeof startAgent>[0], 'fakeUrl'>): AgentRun;
}

/** Registers the file's before/after hooks; call once at the top level of a test file. */
export function agentSuite(): AgentSuite {
  let fake: FakeAnthropic | undefined;
  const dirs: string[] = [];
  before(async () => {
    fake = await startFakeAnthropic(scriptedBrain());
  });
  // Whatever a test did, no agent it started outlives it.
  afterEach(async () => {
    await killLeftoverAgents();
  });
  after(async () => {
    await killLeftoverAgents();
    await fake?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const suite: AgentSuite = {
    get fake(): FakeAnthropic {
      if (!fake) throw new Error('The fake Anthropic server is only there inside a test.');
      return fake;
    },
    project(spec) {
      const d = makeProject(spec);
      dirs.push(d);
      return d;
    },
    start(options) {
      return startAgent({ ...options, fakeUrl: suite.fake.url });
    },
  };
  return suite;
}

/** Waits (bounded) for the run to exit, then checks that nothing of its process group is left. */
export async function ended(
  run: AgentRun,
  timeoutMs: number,
): Promise<Awaited<ReturnType<typeof exitWithin>>> {
  const exit = await exitWithin(run, timeoutMs);
  await assertGroupGone(run.pid);
  return exit;
}

/** The run's last lines, to say what happened when an assertion about it fails. */
export const lastLines = (run: AgentRun, count = 25): string => run.lines.slice(-count).join('\n');

/** The run's events of one type, typed as that type. */
export const ofType = <T extends AgentEvent['type']>(
  run: AgentRun,
  type: T,
): Extract<AgentEvent, { type: T }>[] =>
  run.events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

/**
 * Tool results the fake server received that refuse a tool call for lack of permission (a tool
 * not allowed for the role, or a command the guard refused): what a model would have seen.
 */
export function permissionDenials(fake: FakeAnthropic, since = 0): string[] {
  return fake.toolResults
    .slice(since)
    .filter((r) => r.is_error)
    .map(toolResultText)
    .filter((t) =>
      /permission|not allowed|allowlist|haven't granted|denied|refused|blocked|guard/i.test(t),
    );
}
