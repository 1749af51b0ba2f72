/**
 * The backlog.* handlers on a real project folder: input checked by the contract's zod schemas,
 * writes land in the project's features.db (autocoder's location too), export is read-only, and
 * feature details come from the run logs, `git log --grep` and checkpoint refs of a real repo.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { git as gitIn } from '../helpers/git.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInput, type AgentEventInput } from '../../contract/index.ts';
import { backlogCommands } from '../../contract/backlog.ts';
import { FeaturesDb } from '../../core/features-db.ts';
import { runLogPath } from '../../core/run-log.ts';
import { createBacklogService } from '../../main/services/backlog-service.ts';
import { ingestRunLog } from '../../main/services/ledger/ingest.ts';
import { LedgerDb } from '../../main/services/ledger/ledger-db.ts';
import { featureSessions } from '../../main/services/ledger/queries.ts';
import { createReferenceDb, fingerprintDb } from '../fixtures/reference-db.ts';
import { record, usage } from '../helpers/run-log-lines.ts';

function project(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ns-bsvc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const changed: string[] = [];
  const { handlers } = createBacklogService({
    projectDir: (id) => (id === 'p' ? dir : null),
    onChanged: (id) => changed.push(id),
  });
  return { dir, handlers, changed };
}

test('bad input is refused by the contract with a sentence naming the field', () => {
  const add = parseInput(backlogCommands['backlog.add'].input, {
    id: 'p',
    feature: { category: 'c', name: ' ', description: 'd', steps: ['s'], dependencies: [] },
  });
  assert.deepEqual(add, {
    ok: false,
    error: {
      code: 'invalid-input',
      message: 'Give the feature a name.',
      field: 'feature.name',
    },
  });
  const deps = parseInput(backlogCommands['backlog.setDependencies'].input, {
    id: 'p',
    featureId: 1,
    dependencies: [0],
    expected: [],
  });
  assert.equal(deps.ok, false);
  const extra = parseInput(backlogCommands['backlog.skip'].input, {
    id: 'p',
    featureId: 1,
    skip: true,
    sql: 'DROP TABLE features',
  });
  assert.equal(extra.ok, false);
});

test('add creates features.db for a new project; edits reach an autocoder database in place', async (t) => {
  const { dir, handlers, changed } = project(t);
  const added = await handlers['backlog.add']({
    id: 'p',
    feature: { category: 'c', name: 'Login', description: 'd', steps: ['s'], dependencies: [] },
  });
  assert.equal(added.ok, true);
  const db = FeaturesDb.open(join(dir, 'features.db'), { create: false });
  assert.equal(db.get(1)!.name, 'Login');
  db.close();
  assert.deepEqual(changed, ['p']);
  assert.deepEqual(await handlers['backlog.skip']({ id: 'nope', featureId: 1, skip: true }), {
    ok: false,
    error: { code: 'not-found', message: 'That project is not registered any more.' },
  });

  const other = project(t);
  const path = join(other.dir, '.autocoder', 'features.db');
  createReferenceDb(path, [
    { id: 1, name: 'Login' },
    { id: 2, name: 'Session', dependencies: '[1]' },
  ]);
  const before = fingerprintDb(path);
  const exported = await other.handlers['backlog.export']({ id: 'p', format: 'feature-list-json' });
  assert.equal(exported.ok && exported.value.fileName, 'feature_list.json');
  assert.deepEqual(fingerprintDb(path), before, 'export leaves the database untouched');
  const cycle = await other.handlers['backlog.setDependencies']({
    id: 'p',
    featureId: 1,
    dependencies: [2],
    expected: [],
  });
  assert.equal(
    !cycle.ok && cycle.error.message,
    'That would make a cycle: Login → Session → Login.',
  );
  assert.equal((await other.handlers['backlog.remove']({ id: 'p', featureId: 2 })).ok, true);
  const after = FeaturesDb.open(path, { create: false });
  assert.deepEqual(
    after.all().map((f) => f.name),
    ['Login'],
  );
  after.close();
});

test('details: sessions from the run logs, commits naming the feature and its checkpoints', async (t) => {
  const { dir, handlers } = project(t);
  const db = FeaturesDb.open(join(dir, 'features.db'));
  db.createBulk([
    { category: 'c', name: 'Login form', description: 'd', steps: ['s'] },
    { category: 'c', name: 'Other', description: 'd', steps: ['s'] },
  ]);
  db.claim(1, 'o');
  db.releaseClaim(1, 'o', { countAttempt: true, error: 'Tests failed', maxAttempts: 5 });
  db.close();
  const log = runLogPath(dir, 'run-1');
  mkdirSync(join(dir, '.nightshift', 'runs'), { recursive: true });
  const lines = [
    {
      type: 'agent-started',
      agentId: 'coding-1',
      role: 'coding',
      featureId: 1,
      featureName: 'Login form',
    },
    {
      type: 'agent-started',
      agentId: 'coding-2',
      role: 'coding',
      featureId: 2,
      featureName: 'Other',
    },
    {
      type: 'agent-finished',
      agentId: 'coding-1',
      role: 'coding',
      featureId: 1,
      sessionId: 's1',
      outcome: 'failed',
      message: 'Tests failed',
      usage: usage(0.25),
      turns: 3,
    },
    {
      type: 'agent-started',
      agentId: 'coding-1',
      role: 'coding',
      featureId: 1,
      featureName: 'Login form',
    },
  ] as const;
  writeFileSync(log, 'not json\n' + lines.map((e, i) => record(e, 1000 + i)).join(''));
  const git = (...args: string[]) => gitIn(dir, ...args);
  git('init', '-q');
  git('commit', '-q', '--allow-empty', '-m', 'Feature #1: login form markup');
  git('commit', '-q', '--allow-empty', '-m', 'Unrelated #10 fix');
  git('commit', '-q', '--allow-empty', '-m', 'Polish the Login form styles');
  const head = git('rev-parse', 'HEAD');
  git('update-ref', 'refs/nightshift/checkpoints/run-1/1-1', head);
  git('update-ref', 'refs/nightshift/checkpoints/run-1/11-1', head);

  const r = await handlers['backlog.details']({ id: 'p', featureId: 1 });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const d = r.value;
  assert.equal(d.lastError, 'Tests failed');
  assert.deepEqual(
    d.sessions.map((s) => [
      s.agentId,
      s.role,
      s.outcome,
      s.startedAt,
      s.endedAt,
      s.inputTokens,
      s.outputTokens,
      s.costUsd,
    ]),
    [
      ['coding-1', 'coding', 'failed', 1000, 1002, 1015, 100, 0.25],
      ['coding-1', 'coding', null, 1003, null, 0, 0, 0],
    ],
  );
  assert.deepEqual(
    d.commits.map((c) => c.subject),
    ['Polish the Login form styles', 'Feature #1: login form markup'],
  );
  assert.deepEqual(
    d.checkpoints.map((c) => [c.ref, c.hash]),
    [['refs/nightshift/checkpoints/run-1/1-1', head]],
  );
});

test('details: sessions come from the ledger where it has them, the run logs fill in the rest', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-bsvc-ledger-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = FeaturesDb.open(join(dir, 'features.db'));
  db.createBulk([{ category: 'c', name: 'Login form', description: 'd', steps: ['s'] }]);
  db.close();
  mkdirSync(join(dir, '.nightshift', 'runs'), { recursive: true });
  const writeRun = (runId: string, at: number, cost: number) =>
    writeFileSync(
      runLogPath(dir, runId),
      [
        {
          type: 'agent-started',
          agentId: 'coding-1',
          role: 'coding',
          featureId: 1,
          featureName: 'Login form',
        },
        {
          type: 'agent-finished',
          agentId: 'coding-1',
          role: 'coding',
          featureId: 1,
          sessionId: 's',
          outcome: 'passed',
          message: 'ok',
          usage: usage(cost),
          turns: 3,
        },
      ]
        .map((e, i) => record(e as AgentEventInput, at + i))
        .join(''),
    );
  // run-1 is in the ledger and its log is gone since (a cleaned-up folder); run-2 is not read yet.
  writeRun('run-1', 1000, 0.5);
  const ledger = LedgerDb.open(join(dir, 'data', 'ledger.db'));
  t.after(() => ledger.close());
  ingestRunLog(ledger, { projectId: 'p', projectName: 'proj', path: runLogPath(dir, 'run-1') });
  rmSync(runLogPath(dir, 'run-1'));
  writeRun('run-2', 5000, 0.75);

  const { handlers } = createBacklogService({
    projectDir: (id) => (id === 'p' ? dir : null),
    ledgerSessions: (id, featureId) => featureSessions(ledger, id, featureId),
  });
  const r = await handlers['backlog.details']({ id: 'p', featureId: 1 });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(
    r.value.sessions.map((s) => [
      s.runId,
      s.role,
      s.outcome,
      s.endedAt! - s.startedAt,
      s.inputTokens,
      s.outputTokens,
      s.costUsd,
    ]),
    [
      ['run-1', 'coding', 'passed', 1, 1015, 100, 0.5],
      ['run-2', 'coding', 'passed', 1, 1015, 100, 0.75],
    ],
  );
  // Once the ledger has read run-2 too, its session is shown once, not twice.
  ingestRunLog(ledger, { projectId: 'p', projectName: 'proj', path: runLogPath(dir, 'run-2') });
  const again = await handlers['backlog.details']({ id: 'p', featureId: 1 });
  assert.deepEqual(again.ok && again.value.sessions.map((s) => s.runId), ['run-1', 'run-2']);
});
