/**
 * The start most real-agent tests share: a new project of the file's suite with `spec`, the real
 * agent run on it, waited out (bounded), its exit code checked (with the run's last lines when it
 * is wrong) and nothing of its process group left. Also the provider's error replies the tests
 * script, built one way, and the end of a run's first coding session with what it left of a feature.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AgentEvent } from '../../contract/index.ts';
import { FeaturesDb, type Feature } from '../../core/features-db.ts';
import { findFeaturesDb } from '../../core/project-paths.ts';
import type { AgentRun } from '../fixtures/agent-harness.ts';
import type { FakeReply } from '../fixtures/fake-anthropic-server.ts';
import { ended, lastLines, type AgentSuite } from './agent-suite.ts';

export type RunOptions = Omit<Parameters<AgentSuite['start']>[0], 'projectDir'>;

/**
 * `spec` is the project's app_spec.txt, or `{ backlog }`: no spec but these features already in
 * its features.db, so the run starts no initializer session and goes straight to coding.
 */
export async function runToEnd(
  suite: AgentSuite,
  spec: string | null | { backlog: string[] },
  options: RunOptions = {},
  expected: { code?: number; timeoutMs?: number } = {},
): Promise<{ dir: string; run: AgentRun }> {
  const dir = suite.project(typeof spec === 'object' && spec !== null ? null : spec);
  if (typeof spec === 'object' && spec !== null) {
    const db = FeaturesDb.open(join(dir, 'features.db'));
    try {
      db.createBulk(
        spec.backlog.map((name) => ({ category: 'c', name, description: 'd', steps: ['s'] })),
      );
    } finally {
      db.close();
    }
  }
  const run = suite.start({ ...options, projectDir: dir });
  const { code } = await ended(run, expected.timeoutMs ?? 90_000);
  assert.equal(code, expected.code ?? 0, lastLines(run));
  return { dir, run };
}

/** An error answer of the provider's API, as Anthropic sends it (HTTP status, error type, message). */
export const apiError = (status: number, errorType: string, message: string): FakeReply => ({
  kind: 'error',
  status,
  errorType,
  message,
});

export type SessionEnd = Extract<AgentEvent, { type: 'agent-finished' }>;

/** The end of the run's first coding session, waited for (bounded). */
export async function firstCodingEnd(
  run: AgentRun,
  timeoutMs: number,
  what: string,
): Promise<SessionEnd> {
  return (await run.waitFor(
    (e) => e.type === 'agent-finished' && e.role === 'coding',
    timeoutMs,
    what,
  )) as SessionEnd;
}

/** Ends the run (its whole process group), then reads feature `id` as the run left it. */
export async function featureAfterStop(
  run: AgentRun,
  dir: string,
  id: number,
): Promise<Feature | null> {
  run.killGroup();
  await run.exit;
  const db = FeaturesDb.open(findFeaturesDb(dir)!, { create: false });
  try {
    return db.get(id);
  } finally {
    db.close();
  }
}
