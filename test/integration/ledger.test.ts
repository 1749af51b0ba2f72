/**
 * The ledger stays exact: real run-log files read into a real SQLite ledger, twice and while
 * they grow; the real app (and the real `nightshift serve`) restarted, killed with -9 and
 * adopting an agent that kept running; an agent killed with -9.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboxItem, RunRecord, SessionRecord } from '../../contract/index.ts';
import { runLogPath } from '../../core/run-log.ts';
import { isAlive } from '../../core/process-table.ts';
import type { NightshiftApp } from '../../main/app.ts';
import { ingestRunLog } from '../../main/services/ledger/ingest.ts';
import { LedgerDb } from '../../main/services/ledger/ledger-db.ts';
import { caller, createBrowserApp } from '../helpers/browser-app.ts';
import { record, session } from '../helpers/run-log-lines.ts';
import { ApiClient, fixtureAgentCommand, startServe } from '../helpers/serve.ts';
import { addProject, appFolders, envForTest } from '../helpers/app-folders.ts';
import { assertAllGone, fixtureAgent, waitFor } from '../helpers/supervisor-harness.ts';

const count = (db: LedgerDb, sql: string, ...p: (string | number)[]) =>
  Number(Object.values(db.get(sql, ...p) ?? { n: 0 })[0]);

test('a run log read twice, cut mid-line and grown, gives each session once', (t) => {
  const { dataDir, project, remove } = appFolders('ns-ledger-files-', 'proj');
  t.after(remove);
  const log = runLogPath(project, 'run-1');
  mkdirSync(join(project, '.nightshift', 'runs'), { recursive: true });
  // Two agents interleaved, and the same agent id reused for a second session.
  const lines = [
    record({ type: 'run-state', phase: 'working', message: 'Working.' }, 1000),
    ...session(1, 'coding-1', 1100),
    ...session(2, 'coding-2', 1105).slice(0, 2),
    ...session(3, 'coding-1', 1200),
    ...session(2, 'coding-2', 1105).slice(2),
    record({ type: 'run-state', phase: 'finished', message: 'Stopped with work left.' }, 1300),
  ];
  const text = lines.join('');
  // Cut inside the finish line of the third session.
  const cut = lines.slice(0, 10).join('').length + 20;
  writeFileSync(log, text.slice(0, cut));

  const db = LedgerDb.open(join(dataDir, 'ledger.db'));
  try {
    const target = { projectId: 'p1', projectName: 'proj', path: log };
    const first = ingestRunLog(db, target);
    assert.equal(first.sessionsStarted, 3);
    assert.equal(
      count(db, 'SELECT COUNT(*) FROM sessions WHERE ended_at IS NOT NULL'),
      1,
      'the half-written finish line is not read yet',
    );

    appendFileSync(log, text.slice(cut));
    ingestRunLog(db, target);
    ingestRunLog(db, target);
    assert.equal(count(db, 'SELECT COUNT(*) FROM sessions'), 3);
    assert.equal(count(db, 'SELECT COUNT(*) FROM sessions WHERE ended_at IS NOT NULL'), 3);
    assert.equal(count(db, 'SELECT ROUND(SUM(cost_usd), 4) FROM sessions'), 0.75);
    assert.equal(count(db, 'SELECT SUM(input_tokens) FROM sessions'), 3000);
    const reused = db.all(
      "SELECT feature_id, outcome FROM sessions WHERE agent_id = 'coding-1' ORDER BY seq",
    );
    assert.deepEqual(
      reused.map((r) => [r.feature_id, r.outcome]),
      [
        [1, 'passed'],
        [3, 'passed'],
      ],
    );
    assert.equal(
      db.get("SELECT outcome FROM sessions WHERE agent_id = 'coding-2'")?.outcome,
      'failed',
    );
    const run = db.get('SELECT end_reason, ended_at, log_offset FROM runs');
    assert.equal(run?.end_reason, 'work-left');
    assert.equal(run?.ended_at, 1300);
    assert.equal(run?.log_offset, Buffer.byteLength(text));

    // Read again from the first byte (offset lost, e.g. another app's ledger): same rows.
    db.run('UPDATE runs SET log_offset = 0');
    ingestRunLog(db, target);
    assert.equal(count(db, 'SELECT COUNT(*) FROM sessions'), 3);
    assert.equal(count(db, 'SELECT ROUND(SUM(cost_usd), 4) FROM sessions'), 0.75);
  } finally {
    db.close();
  }
  // A newer schema is refused, not misread.
  const newer = LedgerDb.open(join(dataDir, 'newer.db'));
  newer.db.exec('PRAGMA user_version = 99');
  newer.close();
  assert.throws(() => LedgerDb.open(join(dataDir, 'newer.db')), /newer Nightshift/);
});

/**
 * One life of the app on `dataDir` with the `sessions` fixture agent: every agent it starts is
 * noted in `pids` (for assertAllGone), and it shuts down, stopping its agents, whatever happens.
 */
async function appLife(
  dataDir: string,
  pids: number[],
  body: (call: ReturnType<typeof caller>, app: NightshiftApp) => Promise<void>,
): Promise<void> {
  const app = await createBrowserApp(dataDir, fixtureAgent('sessions'));
  try {
    app.supervisor.onState((s) => s.pid && !pids.includes(s.pid) && pids.push(s.pid));
    await body(caller(app), app);
  } finally {
    await app.shutdown('stop-agents');
  }
}

test('the ledger keeps every session across an app restart and records origin and settings', async (t) => {
  const { dataDir, project: dir, remove } = appFolders('ns-ledger-restart-');
  t.after(remove);
  envForTest(t, { FIXTURE_SESSIONS: '3' });
  const pids: number[] = [];
  let projectId = '';
  await appLife(dataDir, pids, async (call, app) => {
    projectId = (await call<{ id: string }>('projects.add', { name: 'shop', path: dir })).id;
    await call('agent.start', { id: projectId, overrides: { model: 'claude-sonnet-4-5' } });
    await waitFor(
      () => app.supervisor.state(projectId).status === 'stopped',
      'the run to end',
      30_000,
    );
    const runs = await call<RunRecord[]>('ledger.runs', { id: projectId });
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.sessions, 3);
    assert.equal(runs[0]!.origin, 'manual');
    assert.equal(runs[0]!.settings?.model, 'claude-sonnet-4-5');
    assert.equal(runs[0]!.endReason, 'complete');
  });
  await appLife(dataDir, pids, async (call) => {
    const runs = await call<RunRecord[]>('ledger.runs', { id: projectId });
    assert.equal(runs.length, 1);
    const run = runs[0]!;
    assert.equal(run.sessions, 3);
    assert.equal(run.passed, 3);
    assert.equal(Math.round(run.costUsd * 100) / 100, 1.5);
    assert.equal(run.inputTokens, 3000);
    assert.equal(run.endReason, 'complete');
    const sessions = await call<SessionRecord[]>('ledger.sessions', {
      id: projectId,
      runId: run.runId,
    });
    assert.deepEqual(
      sessions.map((s) => [s.featureId, s.outcome, s.turns, s.model, s.costUsd]),
      [
        [1, 'passed', 3, 'claude-sonnet-4-5', 0.5],
        [2, 'passed', 3, 'claude-sonnet-4-5', 0.5],
        [3, 'passed', 3, 'claude-sonnet-4-5', 0.5],
      ],
    );
  });
  await assertAllGone(pids);
});

test('an agent killed with -9 ends its run as crashed, once, and the inbox says so until the next run', async (t) => {
  const { dataDir, project: dir, remove } = appFolders('ns-ledger-kill-');
  t.after(remove);
  envForTest(t, { FIXTURE_SESSIONS: '2', FIXTURE_HOLD: '1' });
  const pids: number[] = [];
  let projectId = '';
  await appLife(dataDir, pids, async (call, app) => {
    projectId = (await call<{ id: string }>('projects.add', { name: 'shop', path: dir })).id;
    const started = await call<{ pid: number }>('agent.start', { id: projectId });
    await waitFor(
      () => logHas(runLogPath(dir, app.supervisor.state(projectId).runId!), 'session 2 done'),
      'two sessions in the log',
    );
    process.kill(started.pid, 'SIGKILL');
    await waitFor(() => app.supervisor.state(projectId).status === 'crashed', 'crashed', 30_000);
    const runs = await call<RunRecord[]>('ledger.runs', { id: projectId });
    assert.equal(runs[0]!.endReason, 'crashed');
    assert.equal(runs[0]!.sessions, 2);
    const inbox = await call<InboxItem[]>('inbox.list', {});
    assert.deepEqual(
      inbox.map((i) => i.kind),
      ['crashed'],
    );
  });
  delete process.env.FIXTURE_HOLD;
  await appLife(dataDir, pids, async (call, app) => {
    const runs = await call<RunRecord[]>('ledger.runs', { id: projectId });
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.sessions, 2);
    assert.equal(runs[0]!.endReason, 'crashed');
    assert.equal(
      (await call<InboxItem[]>('inbox.list', {})).length,
      1,
      'the item survives a restart',
    );
    await call('agent.start', { id: projectId });
    await waitFor(
      () => app.supervisor.state(projectId).status === 'stopped',
      'second run ends',
      30_000,
    );
    assert.deepEqual(await call<InboxItem[]>('inbox.list', {}), [], 'a new run resolves the crash');
    const after = await call<RunRecord[]>('ledger.runs', { id: projectId });
    assert.deepEqual(
      after.map((r) => [r.sessions, r.endReason]),
      [
        [2, 'complete'],
        [2, 'crashed'],
      ],
    );
  });
  await assertAllGone(pids);
});

test('nightshift serve killed with -9 mid-run: the restarted app adopts the agent and counts each session once', async (t) => {
  const { dataDir, project: dir, remove } = appFolders('ns-ledger-adopt-');
  t.after(remove);
  const env = {
    NIGHTSHIFT_AGENT_COMMAND: JSON.stringify(fixtureAgentCommand('sessions')),
    FIXTURE_SESSIONS: '8',
    FIXTURE_GAP_MS: '400',
    FIXTURE_HOLD: '1',
  };
  let agentPid = 0;
  const first = await startServe({ dataDir, env });
  let projectId: string;
  try {
    const api = await ApiClient.connect(first);
    projectId = await addProject(api, 'shop', dir);
    const started = (await api.call('agent.start', { id: projectId })) as {
      value: { pid: number };
    };
    agentPid = started.value.pid;
    await waitFor(
      () => logHas(currentLog(dir), 'session 2 done'),
      'two sessions before the kill',
      30_000,
    );
    api.close();
  } finally {
    first.child.kill('SIGKILL');
  }
  await waitFor(
    () => first.child.exitCode !== null || first.child.signalCode !== null,
    'serve gone',
  );
  assert.ok(isAlive(agentPid), 'the agent outlives the app (its own process group)');

  const second = await startServe({ dataDir, env });
  try {
    const api = await ApiClient.connect(second);
    const state = (await api.call('agent.status', { id: projectId })) as {
      value: { adopted: boolean };
    };
    assert.equal(state.value.adopted, true);
    await waitFor(() => logHas(currentLog(dir), 'session 8 done'), 'all 8 sessions', 30_000);
    await api.call('agent.stop', { id: projectId });
    await waitFor(() => !isAlive(agentPid), 'the agent to stop', 15_000);
    let last: RunRecord[] = [];
    const deadline = Date.now() + 10_000;
    for (;;) {
      last = ((await api.call('ledger.runs', { id: projectId })) as { value: RunRecord[] }).value;
      if (last[0]?.endReason || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(last.length, 1);
    assert.equal(last[0]!.sessions, 8, 'sessions before, during and after the gap, once each');
    assert.equal(last[0]!.passed, 8);
    assert.equal(Math.round(last[0]!.costUsd * 100) / 100, 4);
    assert.equal(last[0]!.origin, 'manual', 'the origin recorded before the kill stays');
    assert.equal(last[0]!.endReason, 'stopped');
    api.close();
  } finally {
    await second.stop();
    if (isAlive(agentPid)) process.kill(agentPid, 'SIGKILL');
  }
});

/** The run log of the project's running agent, from its lock. */
function currentLog(projectDir: string): string {
  try {
    const lock = JSON.parse(
      readFileSync(join(projectDir, '.nightshift', 'agent.lock'), 'utf8'),
    ) as {
      runLog: string;
    };
    return lock.runLog;
  } catch {
    return join(projectDir, 'no-lock');
  }
}

function logHas(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(text);
  } catch {
    return false;
  }
}
