/**
 * Read side of the ledger: runs with their totals, sessions, the night report and chart series.
 * Pure functions over a LedgerDb; sums are computed in SQL so 10,000 sessions stay fast.
 */
import {
  type AgentRole,
  type LedgerOrigin,
  type NightReport,
  type ProjectCharts,
  RunEndReason,
  type RunRecord,
  RunSettings,
  RunWindow,
  type SessionOutcome,
  type SessionRecord,
} from '../../../contract/index.ts';
import type { FeatureSession } from '../../../contract/backlog.ts';
import type { LedgerDb, Row } from './ledger-db.ts';

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function parseJson<T>(
  text: unknown,
  schema: { safeParse(v: unknown): { success: boolean; data?: T } },
): T | null {
  if (typeof text !== 'string') return null;
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? (r.data ?? null) : null;
  } catch {
    return null;
  }
}

/** Per-run session totals, computed once per run in a sub-select (an index scan per run). */
const RUN_TOTALS = `SELECT COUNT(*) AS n_sessions,
    COALESCE(SUM(CASE WHEN outcome = 'passed' AND role = 'coding' THEN 1 ELSE 0 END), 0) AS n_passed,
    COALESCE(SUM(cost_usd), 0) AS cost,
    COALESCE(SUM(input_tokens), 0) AS tin,
    COALESCE(SUM(output_tokens), 0) AS tout,
    COALESCE(SUM(cache_read_tokens), 0) AS tcr,
    COALESCE(SUM(cache_write_tokens), 0) AS tcw
  FROM sessions WHERE run_id = ?`;

function withTotals(ledger: LedgerDb, row: Row): Row {
  return { ...row, ...ledger.get(RUN_TOTALS, String(row.run_id)) };
}

function toRun(row: Row): RunRecord {
  const reason = RunEndReason.safeParse(row.end_reason);
  const origin = str(row.origin);
  return {
    projectId: String(row.project_id),
    projectName: String(row.project_name),
    runId: String(row.run_id),
    origin: (origin === 'manual' || origin === 'schedule' ? origin : 'unknown') as LedgerOrigin,
    window: parseJson(row.window_json, RunWindow),
    settings: parseJson(row.settings_json, RunSettings),
    startedAt: num(row.started_at),
    endedAt: row.ended_at === null ? null : num(row.ended_at),
    endReason: reason.success ? reason.data : null,
    endMessage: str(row.end_message),
    sessions: num(row.n_sessions),
    passed: num(row.n_passed),
    costUsd: num(row.cost),
    inputTokens: num(row.tin),
    outputTokens: num(row.tout),
    cacheReadTokens: num(row.tcr),
    cacheWriteTokens: num(row.tcw),
  };
}

export function listRuns(ledger: LedgerDb, projectId: string, limit = 200): RunRecord[] {
  return ledger
    .all(
      'SELECT * FROM runs WHERE project_id = ? ORDER BY started_at DESC LIMIT ?',
      projectId,
      limit,
    )
    .map((row) => toRun(withTotals(ledger, row)));
}

export function getRun(ledger: LedgerDb, runId: string): RunRecord | null {
  const row = ledger.get('SELECT * FROM runs WHERE run_id = ?', runId);
  return row ? toRun(withTotals(ledger, row)) : null;
}

function toSession(row: Row): SessionRecord {
  let commits: string[] = [];
  try {
    const parsed: unknown = JSON.parse(String(row.commits_json ?? '[]'));
    if (Array.isArray(parsed)) commits = parsed.filter((c): c is string => typeof c === 'string');
  } catch {
    commits = [];
  }
  return {
    projectId: String(row.project_id),
    runId: String(row.run_id),
    agentId: String(row.agent_id),
    role: String(row.role) as AgentRole,
    featureId: row.feature_id === null ? null : num(row.feature_id),
    featureName: str(row.feature_name),
    model: str(row.model),
    startedAt: num(row.started_at),
    endedAt: row.ended_at === null ? null : num(row.ended_at),
    outcome: (str(row.outcome) as SessionOutcome | null) ?? null,
    message: str(row.message),
    turns: row.turns === null ? null : num(row.turns),
    inputTokens: num(row.input_tokens),
    outputTokens: num(row.output_tokens),
    cacheReadTokens: num(row.cache_read_tokens),
    cacheWriteTokens: num(row.cache_write_tokens),
    costUsd: row.cost_usd === null ? null : num(row.cost_usd),
    commits,
    checkpointRef: str(row.checkpoint_ref),
  };
}

export function listSessions(ledger: LedgerDb, runId: string): SessionRecord[] {
  return ledger.all('SELECT * FROM sessions WHERE run_id = ? ORDER BY seq', runId).map(toSession);
}

export const formatUsd = (usd: number): string => `$${usd.toFixed(2)}`;

/** The report of one run: features by what became of them, totals by role, why it ended. */
export function nightReport(ledger: LedgerDb, run: RunRecord): NightReport {
  return reportOver(ledger, run, [run]);
}

/**
 * The report of a scheduled window: every run its schedule started in it (the first one, and
 * the retries after a crash) as one, in the shape of a run's report. Its `run` is the sum of
 * them, named by the window; `runIds` lists them in order. Null when no run started in it.
 */
export function windowReport(
  ledger: LedgerDb,
  projectId: string,
  windowStart: number,
): NightReport | null {
  const runs = ledger
    .all(
      `SELECT * FROM runs WHERE project_id = ? AND origin = 'schedule'
         AND json_extract(window_json, '$.start') = ? ORDER BY started_at`,
      projectId,
      windowStart,
    )
    .map((row) => toRun(withTotals(ledger, row)));
  const last = runs.at(-1);
  if (!last?.window) return null;
  const sum = (f: (r: RunRecord) => number) => runs.reduce((n, r) => n + f(r), 0);
  const open = runs.some((r) => r.endedAt === null);
  const whole: RunRecord = {
    ...last,
    runId: `window-${windowStart}`,
    startedAt: runs[0]!.startedAt,
    endedAt: open ? null : Math.max(...runs.map((r) => r.endedAt ?? 0)),
    sessions: sum((r) => r.sessions),
    passed: sum((r) => r.passed),
    costUsd: sum((r) => r.costUsd),
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    cacheReadTokens: sum((r) => r.cacheReadTokens),
    cacheWriteTokens: sum((r) => r.cacheWriteTokens),
  };
  return reportOver(ledger, whole, runs);
}

/** Report of `runs` (in order) under the totals of `run`. */
function reportOver(ledger: LedgerDb, run: RunRecord, runs: RunRecord[]): NightReport {
  const sessions = runs.flatMap((r) => listSessions(ledger, r.runId));
  const passed = new Map<number, string>();
  const failed = new Map<number, string>();
  for (const s of sessions) {
    if (s.featureId === null || s.role === 'initializer') continue;
    const name = s.featureName ?? `Feature #${s.featureId}`;
    if (s.role === 'coding' && s.outcome === 'passed') {
      passed.set(s.featureId, name);
      failed.delete(s.featureId);
    } else if (s.outcome === 'failed' && !passed.has(s.featureId)) failed.set(s.featureId, name);
  }
  const marks = runs.flatMap((r) =>
    ledger.all(
      `SELECT feature_id, feature_name, MAX(ts) AS ts FROM feature_marks
       WHERE run_id = ? AND kind = 'human-input' GROUP BY feature_id ORDER BY feature_id`,
      r.runId,
    ),
  );
  const needsInput = new Map<number, string>();
  for (const m of marks)
    if (!passed.has(num(m.feature_id))) needsInput.set(num(m.feature_id), String(m.feature_name));
  // Set aside: failed in this run and then waiting for a person (attempts exhausted).
  const setAside = new Map<number, string>();
  for (const [id, name] of needsInput)
    if (failed.has(id)) {
      setAside.set(id, name);
      failed.delete(id);
    }
  for (const id of setAside.keys()) needsInput.delete(id);

  const roles = new Map<AgentRole, NightReport['byRole'][number]>();
  for (const s of sessions) {
    const t = roles.get(s.role) ?? {
      role: s.role,
      sessions: 0,
      durationMs: 0,
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    };
    t.sessions++;
    const end = s.endedAt ?? runs.find((r) => r.runId === s.runId)?.endedAt ?? s.startedAt;
    t.durationMs += Math.max(0, end - s.startedAt);
    t.costUsd += s.costUsd ?? 0;
    t.inputTokens += s.inputTokens;
    t.outputTokens += s.outputTokens;
    t.cacheReadTokens += s.cacheReadTokens;
    t.cacheWriteTokens += s.cacheWriteTokens;
    roles.set(s.role, t);
  }
  const list = (m: Map<number, string>) =>
    [...m].map(([id, name]) => ({ id, name })).sort((a, b) => a.id - b.id);
  const needYou = needsInput.size + setAside.size;
  return {
    run,
    runIds: runs.map((r) => r.runId),
    passed: list(passed),
    failed: list(failed),
    setAside: list(setAside),
    needsInput: list(needsInput),
    byRole: [...roles.values()],
    headline: `${run.projectName}: ${passed.size} passed, ${needYou} need${needYou === 1 ? 's' : ''} you, ${formatUsd(run.costUsd)}`,
  };
}

/** Local calendar day of an instant, "YYYY-MM-DD". */
export function localDay(t: number): string {
  const d = new Date(t);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function projectCharts(ledger: LedgerDb, projectId: string): ProjectCharts {
  const runs = ledger.all(
    `SELECT run_id, COALESCE(ended_at, last_ts, started_at) AS at, passing FROM runs
     WHERE project_id = ? AND passing IS NOT NULL ORDER BY started_at`,
    projectId,
  );
  const burnUp = runs.map((r) => ({
    at: num(r.at),
    runId: String(r.run_id),
    passing: num(r.passing),
  }));
  // Local days, computed once per hour of start time (in zones offset by half an hour, a
  // session started in the half hour around midnight may count for the neighbouring day).
  const dayOfHour = new Map<number, string>();
  const byDay = new Map<string, { costUsd: number; passing: number }>();
  for (const s of ledger.all(
    `SELECT started_at / 3600000 AS hour, COALESCE(SUM(cost_usd), 0) AS cost,
       SUM(CASE WHEN outcome = 'passed' AND role = 'coding' THEN 1 ELSE 0 END) AS passing
     FROM sessions WHERE project_id = ? GROUP BY hour`,
    projectId,
  )) {
    const hour = num(s.hour);
    let day = dayOfHour.get(hour);
    if (day === undefined) dayOfHour.set(hour, (day = localDay(hour * 3_600_000)));
    const d = byDay.get(day) ?? { costUsd: 0, passing: 0 };
    d.costUsd += num(s.cost);
    d.passing += num(s.passing);
    byDay.set(day, d);
  }
  const days = [...byDay]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, d]) => ({ day, cost: d.costUsd, passing: d.passing }));
  return {
    burnUp,
    costPerDay: days.map((d) => ({
      day: String(d.day),
      costUsd: num(d.cost),
      passing: num(d.passing),
    })),
  };
}

/**
 * The sessions that worked on one feature of a project, as the feature details show them
 * (oldest first). Input tokens include cache reads and writes, as the run-log reading does.
 */
export function featureSessions(
  ledger: LedgerDb,
  projectId: string,
  featureId: number,
): FeatureSession[] {
  return ledger
    .all(
      `SELECT run_id, agent_id, role, started_at, ended_at, outcome, message, input_tokens,
              output_tokens, cache_read_tokens, cache_write_tokens, cost_usd
       FROM sessions WHERE project_id = ? AND feature_id = ? ORDER BY started_at, seq`,
      projectId,
      featureId,
    )
    .map((row) => ({
      runId: String(row.run_id),
      agentId: String(row.agent_id),
      role: String(row.role),
      startedAt: num(row.started_at),
      endedAt: row.ended_at === null ? null : num(row.ended_at),
      outcome: str(row.outcome),
      message: str(row.message),
      inputTokens: num(row.input_tokens) + num(row.cache_read_tokens) + num(row.cache_write_tokens),
      outputTokens: num(row.output_tokens),
      costUsd: num(row.cost_usd),
    }));
}
