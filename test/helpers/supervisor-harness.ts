/** Builds a real AgentSupervisor over temp project folders and the fixture agents. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { AgentSupervisor, type SupervisedProject } from '../../main/services/supervisor.ts';
import { isAlive, listProcesses } from '../../core/process-table.ts';
import type { AgentState, RunSettings } from '../../contract/index.ts';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const fixtureAgent = (name = 'chatty'): string =>
  join(repoRoot, 'test/fixtures/agents', `${name}.ts`);
export const runSettings: RunSettings = {
  model: 'claude-opus-4-6',
  yolo: false,
  codingAgents: 2,
  regressionAgents: 1,
};

export interface Harness {
  supervisor: AgentSupervisor;
  projects: Map<string, SupervisedProject>;
  addProject(name: string): SupervisedProject;
  dispose(): Promise<void>;
}

export function makeHarness(
  options: {
    /** Fixture under test/fixtures/agents (default chatty). */
    agent?: string;
    agentArgs?: string[];
    env?: Record<string, string>;
    stopGraceMs?: number;
    root?: string;
    projects?: Map<string, SupervisedProject>;
  } = {},
): Harness {
  const root = options.root ?? mkdtempSync(join(tmpdir(), 'nightshift-sup-'));
  const projects = options.projects ?? new Map<string, SupervisedProject>();
  const supervisor = new AgentSupervisor({
    lookup: (id) => projects.get(id) ?? null,
    agentCommand: () => ({
      command: process.execPath,
      args: [fixtureAgent(options.agent), ...(options.agentArgs ?? [])],
    }),
    // The run's marker lets scripts/test.mjs find agents that outlived their test.
    agentEnv: () => ({
      PATH: process.env.PATH ?? '',
      NIGHTSHIFT_TEST_MARKER: process.env.NIGHTSHIFT_TEST_MARKER ?? '',
      ...(options.env ?? {}),
    }),
    secrets: () => [],
    diagnostics: createDiagnostics(null),
    stopGraceMs: options.stopGraceMs ?? 3_000,
    flushMs: 20,
  });
  // Every agent this supervisor ran or adopted must be gone (with its group) once disposed.
  const agents = new Set<number>();
  supervisor.onState((state) => {
    if (state.pid !== null) agents.add(state.pid);
  });
  return {
    supervisor,
    projects,
    addProject(name) {
      const dir = mkdtempSync(join(root, `${name}-`));
      const p = { id: name, name, path: dir };
      projects.set(name, p);
      return p;
    },
    async dispose() {
      await supervisor.shutdown('stop-agents');
      try {
        await assertAllGone([...agents]);
        for (const pid of agents) assert.deepEqual(groupMembers(pid), [], `group ${pid} is empty`);
      } finally {
        if (!options.root) rmSync(root, { recursive: true, force: true });
      }
    },
  };
}

export async function waitFor<T>(
  fn: () => T | undefined | null | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function waitForStatus(
  supervisor: AgentSupervisor,
  id: string,
  status: AgentState['status'],
  timeoutMs = 10_000,
): Promise<AgentState> {
  return waitFor(
    () => (supervisor.state(id).status === status ? supervisor.state(id) : null),
    `status ${status}`,
    timeoutMs,
  );
}

/** Pids of every process in the group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return listProcesses()
    .filter((p) => p.pgid === pgid && p.state !== 'Z')
    .map((p) => p.pid);
}

export async function assertAllGone(pids: number[]): Promise<void> {
  await waitFor(
    () => pids.every((p) => !isAlive(p)),
    `processes ${pids.join(',')} to be gone`,
    5_000,
  );
}
