/**
 * Budget decisions over a real ledger file: spend per period and scope, the prediction of the
 * next session from recent ones, token budgets for unpriced models, the sentence and the time a
 * new window may start, and the scheduler not starting a window whose budget is spent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, noBudgetLimits, type Schedule } from '../../contract/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import {
  checkBudgets,
  predictSession,
  sessionCapUsd,
  setLimits,
  spend,
} from '../../main/services/ledger/budgets.ts';
import { LedgerDb } from '../../main/services/ledger/ledger-db.ts';
import { Scheduler, type SchedulerEvent } from '../../main/services/scheduler.ts';
import { everyNight, FakeAgents, settle } from './scheduler-fakes.ts';

const local = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).getTime();

function withLedger(fn: (db: LedgerDb) => void | Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ns-budgets-'));
    const db = LedgerDb.open(join(dir, 'ledger.db'));
    try {
      await fn(db);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

let seq = 0;
function session(
  db: LedgerDb,
  s: {
    project: string;
    run: string;
    at: number;
    cost: number | null;
    model?: string;
    tokens?: number;
    open?: boolean;
    role?: string;
  },
) {
  db.run(
    `INSERT INTO runs (run_id, project_id, project_name, started_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(run_id) DO NOTHING`,
    s.run,
    s.project,
    s.project,
    s.at,
  );
  seq++;
  db.run(
    `INSERT INTO sessions (run_id, seq, project_id, agent_id, role, model, started_at, ended_at,
       finish_seq, outcome, input_tokens, output_tokens, cost_usd)
     VALUES (?, ?, ?, 'coding-1', ?, ?, ?, ?, ?, 'passed', ?, 0, ?)`,
    s.run,
    seq,
    s.project,
    s.role ?? 'coding',
    s.model ?? 'claude-sonnet-4-5',
    s.at,
    s.open ? null : s.at + 1000,
    s.open ? null : seq,
    s.tokens ?? 1000,
    s.open ? null : s.cost,
  );
}

test(
  'spend counts each period and scope; the next session is predicted from recent ones',
  withLedger((db) => {
    session(db, { project: 'a', run: 'r1', at: local(2026, 11, 30), cost: 5 });
    for (let d = 1; d <= 4; d++)
      session(db, { project: 'a', run: 'r2', at: local(2026, 12, d), cost: 0.25 });
    session(db, { project: 'b', run: 'r3', at: local(2026, 12, 4), cost: 0.5 });
    const now = local(2026, 12, 4, 18);
    assert.equal(spend(db, { projectId: null, from: local(2026, 12, 1, 0) }).usd, 1.5);
    assert.equal(spend(db, { projectId: 'a', from: local(2026, 12, 1, 0) }).usd, 1);
    assert.equal(spend(db, { projectId: 'a', from: local(2026, 12, 4, 0) }).usd, 0.25);
    assert.equal(spend(db, { projectId: 'a', runId: 'r2' }).usd, 1);
    // The last ten sessions of the model: five at 0.25 or 0.5 and one at 5 → (5+0.25*4+0.5)/6.
    assert.equal(predictSession(db, 'claude-sonnet-4-5').usd, 6.5 / 6);
    assert.equal(predictSession(db, 'claude-haiku-4-5').usd, 0, 'no history, no prediction');

    const check = (runId: string | null) =>
      checkBudgets({
        ledger: db,
        projectId: 'a',
        projectName: 'todo-app',
        runId,
        model: 'claude-sonnet-4-5',
        now,
      });
    assert.equal(check(null), null, 'no budget, no breach');
    setLimits(db, 'global', { ...noBudgetLimits, monthUsd: 1.5 });
    const month = check(null);
    assert.equal(month?.period, 'month');
    assert.equal(month?.scope, 'global');
    assert.equal(month?.message, "December's budget ($1.50) is spent; next window after 1 Jan.");
    assert.equal(month?.nextAt, local(2027, 1, 1, 0));
    // Raised: 1.5 spent + ~1.08 predicted fits under 3, not under 2.5.
    setLimits(db, 'global', { ...noBudgetLimits, monthUsd: 2.5 });
    assert.equal(check(null)?.period, 'month', 'the next session would probably exceed it');
    setLimits(db, 'global', { ...noBudgetLimits, monthUsd: 3 });
    assert.equal(check(null), null);
    // A project's day budget.
    setLimits(db, 'a', { ...noBudgetLimits, dayUsd: 1 });
    const day = check(null);
    assert.equal(day?.scope, 'project');
    assert.equal(day?.period, 'day');
    assert.match(day!.message, /^todo-app's budget for today \(\$1\.00\) would be exceeded/);
    // Per run: spend within the run only, and the cap shared among parallel sessions.
    setLimits(db, 'a', { ...noBudgetLimits, runUsd: 2 });
    assert.equal(check('r2')?.period, 'run', '1 spent + ~1.08 predicted > 2');
    assert.equal(check(null), null, 'a fresh run starts within its run budget');
    assert.equal(
      sessionCapUsd({
        ledger: db,
        projectId: 'a',
        projectName: 'a',
        runId: 'r2',
        model: null,
        now,
        parallel: 2,
      }),
      0.5,
    );
  }),
);

test(
  'token budgets count the tokens of unpriced models, including a session still running',
  withLedger((db) => {
    const now = local(2026, 12, 10);
    session(db, {
      project: 'a',
      run: 'r',
      at: now - 1000,
      cost: 0,
      model: 'glm-4.6',
      tokens: 40_000,
    });
    session(db, {
      project: 'a',
      run: 'r',
      at: now - 500,
      cost: null,
      model: 'glm-4.6',
      tokens: 30_000,
      open: true,
    });
    setLimits(db, 'a', { ...noBudgetLimits, dayTokens: 100_000 });
    const check = () =>
      checkBudgets({
        ledger: db,
        projectId: 'a',
        projectName: 'a',
        runId: 'r',
        model: 'glm-4.6',
        now,
      });
    // 70k spent; the running session will probably reach 40k (10k more) and the next 40k: 120k.
    const breach = check();
    assert.equal(breach?.unit, 'tokens');
    assert.equal(breach?.spent, 70_000);
    setLimits(db, 'a', { ...noBudgetLimits, dayTokens: 130_000 });
    assert.equal(check(), null);
  }),
);

test(
  'a window whose budget is spent does not start, says why, and is not retried',
  withLedger(async (db) => {
    const start = Date.UTC(2026, 11, 7, 21, 0);
    const clock = new FakeClock(start);
    const agents = new FakeAgents(clock);
    const events: SchedulerEvent[] = [];
    session(db, { project: 'p', run: 'r', at: start - 3_600_000, cost: 2 });
    setLimits(db, 'global', { ...noBudgetLimits, monthUsd: 2 });
    const s: Schedule = { id: 's', createdAt: '2026-01-01T00:00:00Z', ...everyNight() };
    const scheduler = new Scheduler({
      clock,
      agents,
      bus: new EventBus(),
      projects: () => [{ id: 'p', name: 'todo-app', overrides: {}, schedules: [s] }],
      settings: () => ({ ...defaultSettings, windowEndGraceMinutes: 10 }),
      onEvent: (e) => events.push(e),
      canStart: (projectId, now) =>
        checkBudgets({
          ledger: db,
          projectId,
          projectName: 'todo-app',
          runId: null,
          model: null,
          now,
        })?.message ?? null,
    });
    scheduler.start();
    clock.advanceTo(Date.UTC(2026, 11, 7, 22, 0));
    await settle();
    clock.advanceTo(Date.UTC(2026, 11, 7, 22, 30));
    await settle();
    assert.equal(agents.of('p', 'start').length, 0);
    const status = scheduler.projectStatus('p');
    assert.match(
      status?.blockedReason ?? '',
      /^December's budget \(\$2\.00\) is spent; next window after 1 Jan\.$/,
    );
    assert.equal(status?.activeSkipped, true);
    const skipped = events.find((e) => e.kind === 'window-skipped');
    assert.match(
      skipped?.message ?? '',
      /todo-app: the scheduled window was not started\. December's budget/,
    );
    scheduler.dispose();
  }),
);
