/**
 * Everything known about one feature beyond its row: the sessions that worked on it (from the
 * ledger where it has them, with the run logs, `<project>/.nightshift/runs/*.jsonl`, filling in
 * what the ledger has not read yet or never saw, e.g. a log of another machine), the commits
 * that name it, and the checkpoints the orchestrator left for it. Read-only: nothing here writes.
 *
 * A session is an `agent-started` event paired with the next `agent-finished` of the same agent
 * id in the same run; one still open has no end (its run is going, or it was cut off).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAgentEventLine } from '../../contract/agent-events.ts';
import type { FeatureDetails, FeatureSession } from '../../contract/backlog.ts';
import type { Feature } from '../../core/features-db.ts';
import { parseRunLogRecord, runsDir } from '../../core/run-log.ts';
import { listCheckpoints } from '../../core/checkpoints.ts';

const run = promisify(execFile);
const GIT_TIMEOUT_MS = 5000;

export function sessionsFromRunLogs(projectDir: string, featureId: number): FeatureSession[] {
  const dir = runsDir(projectDir);
  if (!existsSync(dir)) return [];
  const sessions: FeatureSession[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) {
    const runId = basename(file, '.jsonl');
    const open = new Map<string, FeatureSession>();
    let text: string;
    try {
      text = readFileSync(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      if (!raw) continue;
      const record = parseRunLogRecord(raw);
      const event = record ? parseAgentEventLine(record.line) : null;
      if (!event) continue;
      if (event.type === 'agent-started' && event.featureId === featureId) {
        const session: FeatureSession = {
          runId,
          agentId: event.agentId,
          role: event.role,
          startedAt: event.ts,
          endedAt: null,
          outcome: null,
          message: null,
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
        };
        open.set(event.agentId, session);
        sessions.push(session);
      } else if (event.type === 'agent-finished') {
        const session = open.get(event.agentId);
        if (!session) continue;
        open.delete(event.agentId);
        session.endedAt = event.ts;
        session.outcome = event.outcome;
        session.message = event.message;
        if (event.usage) {
          session.inputTokens =
            event.usage.inputTokens + event.usage.cacheReadTokens + event.usage.cacheWriteTokens;
          session.outputTokens = event.usage.outputTokens;
          session.costUsd = event.usage.costUsd;
        }
      }
    }
  }
  return sessions.sort((a, b) => a.startedAt - b.startedAt);
}

async function git(projectDir: string, args: string[]): Promise<string> {
  if (!existsSync(join(projectDir, '.git'))) return '';
  try {
    const { stdout } = await run('git', ['-C', projectDir, ...args], {
      timeout: GIT_TIMEOUT_MS,
      maxBuffer: 4 * 1024 * 1024,
    });
    return stdout;
  } catch {
    // No git, no commits yet, or a broken repository: details show none.
    return '';
  }
}

const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');

/** Commits whose message names the feature: "#12", "feature 12" or its exact name. */
export async function commitsNaming(
  projectDir: string,
  feature: Pick<Feature, 'id' | 'name'>,
): Promise<FeatureDetails['commits']> {
  const patterns = [`#${feature.id}([^0-9]|$)`, `feature ${feature.id}([^0-9]|$)`];
  if (feature.name.trim().length >= 4) patterns.push(escapeRegex(feature.name.trim()));
  const out = await git(projectDir, [
    'log',
    '-n',
    '50',
    '-E',
    '-i',
    ...patterns.map((p) => `--grep=${p}`),
    '--format=%H%x09%cI%x09%s',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [hash = '', date = '', ...subject] = line.split('\t');
      return { hash, date, subject: subject.join('\t') };
    });
}

/** refs/nightshift/checkpoints/<run>/<feature>-<attempt> for this feature, oldest first. */
export async function checkpointsOf(
  projectDir: string,
  featureId: number,
): Promise<FeatureDetails['checkpoints']> {
  if (!existsSync(join(projectDir, '.git'))) return [];
  const newestFirst = await listCheckpoints(projectDir, featureId);
  return newestFirst.reverse().map((c) => ({
    ref: c.ref,
    hash: c.commit,
    date: new Date(c.createdAt).toISOString(),
  }));
}

const sessionKey = (s: FeatureSession): string => `${s.runId}|${s.agentId}|${s.startedAt}`;

/**
 * The ledger's sessions, plus those of the run logs it does not have (a run it has not read yet,
 * or a log it never saw); a session both know is taken from the ledger.
 */
export function mergeSessions(
  fromLedger: readonly FeatureSession[],
  fromLogs: readonly FeatureSession[],
): FeatureSession[] {
  const known = new Set(fromLedger.map(sessionKey));
  return [...fromLedger, ...fromLogs.filter((s) => !known.has(sessionKey(s)))].sort(
    (a, b) => a.startedAt - b.startedAt,
  );
}

export async function featureDetails(
  projectDir: string,
  feature: Feature,
  /** The ledger's sessions of this feature, when there is a ledger. */
  ledgerSessions: readonly FeatureSession[] | null = null,
): Promise<FeatureDetails> {
  const [commits, checkpoints] = await Promise.all([
    commitsNaming(projectDir, feature),
    checkpointsOf(projectDir, feature.id),
  ]);
  const request = feature.humanInputRequest;
  return {
    featureId: feature.id,
    sessions: mergeSessions(ledgerSessions ?? [], sessionsFromRunLogs(projectDir, feature.id)),
    lastError: feature.lastError,
    humanInput:
      request || feature.humanInputResponse
        ? {
            prompt: request?.prompt ?? '',
            answer: feature.humanInputResponse,
            waiting: feature.needsHumanInput,
          }
        : null,
    commits,
    checkpoints,
  };
}
