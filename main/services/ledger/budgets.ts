/**
 * Budgets: per project and global; per run, local day and calendar month; in dollars, and in
 * tokens for sessions whose model has no price. The rule: before the next session starts, the
 * spend so far plus what the running sessions and one more session will probably cost must stay
 * within every budget; "probably" is the mean of the recent finished sessions of that model
 * (per role; the dearest role, since the agent picks the role).
 *
 * Spend of a running session is its tokens so far priced at its model (the SDK's own figure
 * replaces it when the session ends).
 */
import {
  type BudgetLimits,
  BudgetLimits as BudgetLimitsSchema,
  estimateCostUsd,
  modelPrice,
  noBudgetLimits,
} from '../../../contract/index.ts';
import { type LedgerDb, parseJsonColumn } from './ledger-db.ts';
import { formatUsd } from './queries.ts';

export type Period = 'run' | 'day' | 'month';
export type Unit = 'usd' | 'tokens';

export function getLimits(ledger: LedgerDb, scope: string): BudgetLimits {
  const row = ledger.get('SELECT limits_json FROM budgets WHERE scope = ?', scope);
  return parseJsonColumn(row?.limits_json, BudgetLimitsSchema, () => ({ ...noBudgetLimits }));
}

export function setLimits(ledger: LedgerDb, scope: string, limits: BudgetLimits): void {
  ledger.run(
    `INSERT INTO budgets (scope, limits_json) VALUES (?, ?)
     ON CONFLICT(scope) DO UPDATE SET limits_json = excluded.limits_json`,
    scope,
    JSON.stringify(limits),
  );
}

export function allProjectLimits(ledger: LedgerDb): Record<string, BudgetLimits> {
  const out: Record<string, BudgetLimits> = {};
  for (const row of ledger.all("SELECT scope FROM budgets WHERE scope <> 'global'"))
    out[String(row.scope)] = getLimits(ledger, String(row.scope));
  return out;
}

export const dayStart = (t: number): number => {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
};
export const nextDayStart = (t: number): number => {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
};
export const monthStart = (t: number): number => {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime();
};
export const nextMonthStart = (t: number): number => {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth() + 1, 1).getTime();
};

export interface Spend {
  /** Finished sessions' SDK cost plus running sessions priced so far. */
  usd: number;
  /** Tokens of sessions whose model has no price. */
  tokens: number;
  /** Running sessions: their spend so far, in the unit of their model. */
  open: { usd: number; tokens: number }[];
}

const tokensOf = (r: Record<string, unknown>): number =>
  Number(r.tin ?? 0) + Number(r.tout ?? 0) + Number(r.tcr ?? 0) + Number(r.tcw ?? 0);

/** Spend in a scope (a project id or all) since `from` or within one run. */
export function spend(
  ledger: LedgerDb,
  where: { projectId: string | null; runId?: string; from?: number },
): Spend {
  const clauses: string[] = [];
  const params: (string | number)[] = [];
  if (where.projectId !== null) {
    clauses.push('project_id = ?');
    params.push(where.projectId);
  }
  if (where.runId !== undefined) {
    clauses.push('run_id = ?');
    params.push(where.runId);
  }
  if (where.from !== undefined) {
    clauses.push('started_at >= ?');
    params.push(where.from);
  }
  const rows = ledger.all(
    `SELECT model, ended_at IS NULL AS running, cost_usd AS cost, input_tokens AS tin,
       output_tokens AS tout, cache_read_tokens AS tcr, cache_write_tokens AS tcw
     FROM sessions ${clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''}`,
    ...params,
  );
  const out: Spend = { usd: 0, tokens: 0, open: [] };
  for (const r of rows) {
    const model = (r.model as string | null) ?? null;
    const priced = modelPrice(model) !== null;
    const tokens = tokensOf(r);
    const usd =
      r.cost !== null && Number(r.running) === 0
        ? Number(r.cost)
        : (estimateCostUsd(model, {
            inputTokens: Number(r.tin),
            outputTokens: Number(r.tout),
            cacheReadTokens: Number(r.tcr),
            cacheWriteTokens: Number(r.tcw),
          }) ?? 0);
    out.usd += usd;
    if (!priced) out.tokens += tokens;
    if (Number(r.running) === 1) out.open.push({ usd, tokens: priced ? 0 : tokens });
  }
  return out;
}

/** What the next session of this model will probably cost: the dearest role's recent mean. */
export function predictSession(
  ledger: LedgerDb,
  model: string | null,
): { usd: number; tokens: number } {
  const rows = ledger.all(
    `SELECT role, cost_usd AS cost, input_tokens AS tin, output_tokens AS tout,
       cache_read_tokens AS tcr, cache_write_tokens AS tcw
     FROM sessions WHERE ended_at IS NOT NULL AND finish_seq IS NOT NULL AND model IS ?
     ORDER BY ended_at DESC LIMIT 60`,
    model,
  );
  const byRole = new Map<string, { usd: number[]; tokens: number[] }>();
  for (const r of rows) {
    const b = byRole.get(String(r.role)) ?? { usd: [], tokens: [] };
    if (b.usd.length >= 10) continue;
    b.usd.push(Number(r.cost ?? 0));
    b.tokens.push(tokensOf(r));
    byRole.set(String(r.role), b);
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  let usd = 0;
  let tokens = 0;
  for (const b of byRole.values()) {
    usd = Math.max(usd, mean(b.usd));
    tokens = Math.max(tokens, mean(b.tokens));
  }
  return { usd, tokens };
}

export interface BudgetBreach {
  scope: 'global' | 'project';
  period: Period;
  unit: Unit;
  spent: number;
  limit: number;
  /** When a new period begins (null for a run budget: the next run starts fresh). */
  nextAt: number | null;
  /** A sentence for the panel, the notification and the run's end reason. */
  message: string;
}

export interface BudgetCheck {
  ledger: LedgerDb;
  projectId: string;
  projectName: string;
  /** The run in progress (null: deciding whether to start one). */
  runId: string | null;
  model: string | null;
  now: number;
}

const monthName = (t: number): string => new Date(t).toLocaleString('en-US', { month: 'long' });
const shortDate = (t: number): string =>
  new Date(t)
    .toLocaleString('en-US', { day: 'numeric', month: 'short' })
    .replace(/(\w+) (\d+)/, '$2 $1');

function describe(b: Omit<BudgetBreach, 'message'>, projectName: string, now: number): string {
  const amount =
    b.unit === 'usd' ? formatUsd(b.limit) : `${Math.round(b.limit).toLocaleString('en-US')} tokens`;
  const period = b.period === 'month' ? monthName(now) : b.period === 'day' ? 'today' : 'one run';
  const subject =
    b.scope === 'project'
      ? `${projectName}'s budget for ${period}`
      : b.period === 'month'
        ? `${period}'s budget`
        : b.period === 'day'
          ? "Today's budget"
          : 'The budget for one run';
  const state = b.spent >= b.limit ? 'is spent' : 'would be exceeded by the next session';
  const tail =
    b.period === 'month'
      ? `; next window after ${shortDate(b.nextAt!)}`
      : b.period === 'day'
        ? '; next window after midnight'
        : '';
  return `${subject} (${amount}) ${state}${tail}.`;
}

/** The first budget the next session would probably break, or null. */
export function checkBudgets(c: BudgetCheck): BudgetBreach | null {
  const { ledger, now } = c;
  const predicted = predictSession(ledger, c.model);
  const priced = modelPrice(c.model) !== null;
  const scopes: { scope: 'global' | 'project'; limits: BudgetLimits; projectId: string | null }[] =
    [
      { scope: 'project', limits: getLimits(ledger, c.projectId), projectId: c.projectId },
      { scope: 'global', limits: getLimits(ledger, 'global'), projectId: null },
    ];
  for (const s of scopes) {
    const periods: {
      period: Period;
      usd: number | null;
      tokens: number | null;
      nextAt: number | null;
      from?: number;
      runId?: string;
    }[] = [
      {
        period: 'month',
        usd: s.limits.monthUsd,
        tokens: s.limits.monthTokens,
        from: monthStart(now),
        nextAt: nextMonthStart(now),
      },
      {
        period: 'day',
        usd: s.limits.dayUsd,
        tokens: s.limits.dayTokens,
        from: dayStart(now),
        nextAt: nextDayStart(now),
      },
      {
        period: 'run',
        usd: s.limits.runUsd,
        tokens: s.limits.runTokens,
        nextAt: null,
        ...(c.runId ? { runId: c.runId } : {}),
      },
    ];
    for (const p of periods) {
      if (p.usd === null && p.tokens === null) continue;
      // A run budget before the run starts: only the one session it would begin with counts.
      const sp: Spend =
        p.period === 'run' && !c.runId
          ? { usd: 0, tokens: 0, open: [] }
          : spend(ledger, {
              projectId: s.projectId,
              ...(p.runId ? { runId: p.runId } : {}),
              ...(p.from !== undefined ? { from: p.from } : {}),
            });
      const check = (unit: Unit, limit: number | null): BudgetBreach | null => {
        if (limit === null) return null;
        if (unit === 'tokens' && priced && sp.tokens === 0) return null;
        const spent = unit === 'usd' ? sp.usd : sp.tokens;
        const next = unit === 'usd' ? predicted.usd : priced ? 0 : predicted.tokens;
        // Running sessions will probably spend up to the prediction each.
        const running = sp.open.reduce(
          (sum, o) => sum + Math.max(0, next - (unit === 'usd' ? o.usd : o.tokens)),
          0,
        );
        if (spent >= limit || spent + running + next > limit) {
          const b = { scope: s.scope, period: p.period, unit, spent, limit, nextAt: p.nextAt };
          return { ...b, message: describe(b, c.projectName, now) };
        }
        return null;
      };
      const breach = check('usd', p.usd) ?? check('tokens', p.tokens);
      if (breach) return breach;
    }
  }
  return null;
}

/**
 * The hard cap for each session of a running run: what is left of the tightest dollar budget,
 * shared among the parallel sessions. Null when no dollar budget applies.
 */
export function sessionCapUsd(c: BudgetCheck & { parallel: number }): number | null {
  const { ledger, now } = c;
  let left = Number.POSITIVE_INFINITY;
  for (const [scopeId, projectId] of [
    [c.projectId, c.projectId],
    ['global', null],
  ] as const) {
    const l = getLimits(ledger, scopeId);
    const take = (limit: number | null, sp: () => Spend) => {
      if (limit !== null) left = Math.min(left, limit - sp().usd);
    };
    take(l.monthUsd, () => spend(ledger, { projectId, from: monthStart(now) }));
    take(l.dayUsd, () => spend(ledger, { projectId, from: dayStart(now) }));
    if (c.runId) take(l.runUsd, () => spend(ledger, { projectId, runId: c.runId! }));
    else take(l.runUsd, () => ({ usd: 0, tokens: 0, open: [] }));
  }
  if (!Number.isFinite(left)) return null;
  return Math.max(0, left) / Math.max(1, c.parallel);
}
