/**
 * The hard cap of one Claude session, in dollars: main writes it to
 * `<project>/.nightshift/session-budget` while a run goes (what is left of the tightest budget,
 * shared among the run's parallel sessions) and the agent passes it to the SDK's `maxBudgetUsd`
 * when each session starts. `NIGHTSHIFT_SESSION_MAX_USD` in the agent's environment caps it too.
 * A missing or unreadable file means no cap from budgets.
 */
import { readFileSync, rmSync, writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nightshiftDir } from './run-log.ts';

export const sessionBudgetPath = (projectDir: string): string =>
  join(nightshiftDir(projectDir), 'session-budget');
export const sessionMaxUsdEnv = 'NIGHTSHIFT_SESSION_MAX_USD';

export function writeSessionBudget(projectDir: string, maxUsd: number | null): void {
  const path = sessionBudgetPath(projectDir);
  if (maxUsd === null) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(nightshiftDir(projectDir), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ maxUsd })}\n`);
  renameSync(tmp, path);
}

/** The cap for a session starting now: the lower of the file's and the environment's, or null. */
export function readSessionBudget(
  projectDir: string,
  env: Record<string, string | undefined> = process.env,
): number | null {
  const caps: number[] = [];
  const fromEnv = Number(env[sessionMaxUsdEnv]);
  if (env[sessionMaxUsdEnv] && Number.isFinite(fromEnv) && fromEnv > 0) caps.push(fromEnv);
  try {
    const v = (
      JSON.parse(readFileSync(sessionBudgetPath(projectDir), 'utf8')) as { maxUsd?: unknown }
    ).maxUsd;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) caps.push(v);
  } catch {
    // No cap from budgets.
  }
  return caps.length ? Math.min(...caps) : null;
}
