/**
 * The inbox item a run leaves when it ends by itself with work left: an expansion (the agent in
 * `expand` mode, expander sessions only) is its own kind, with its own sentence and action
 * (start the agent to build what it added); a run that worked the backlog stays `work-left`.
 * The real LedgerService reads real run-log files into ledger.db in a temp folder; the agents are
 * the scheduler tests' in-memory AgentControl, which starts the next run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentRole } from '../../contract/index.ts';
import { runLogPath } from '../../core/run-log.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import { LedgerService } from '../../main/services/ledger/ledger-service.ts';
import type { SupervisedProject } from '../../main/services/supervisor.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { record, usage } from '../helpers/run-log-lines.ts';
import { settle } from '../helpers/turns.ts';
import { FakeAgents } from './scheduler-fakes.ts';

/** A run log: one finished session per role, then the run's own end with `message`. */
function runLog(roles: AgentRole[], message: string): string {
  const lines = roles.flatMap((role, i) => [
    record(
      { type: 'agent-started', agentId: `${role}-${i}`, role, featureId: null, featureName: null },
      1000 + i * 10,
    ),
    record(
      {
        type: 'agent-finished',
        agentId: `${role}-${i}`,
        role,
        featureId: null,
        sessionId: `s${i}`,
        outcome: 'done',
        message: 'done',
        usage: usage(0.1),
        turns: 2,
      },
      1001 + i * 10,
    ),
  ]);
  lines.push(record({ type: 'run-state', phase: 'finished', message }, 2000));
  return lines.join('');
}

const cases = [
  {
    name: 'an expansion run',
    roles: ['expander'] as AgentRole[],
    message: 'Expansion added 2 features: #7 Export, #8 Import. Start the agent to build them.',
    kind: 'expansion',
    title: 'todo-app: the expansion finished; start the agent to build what it added',
  },
  {
    name: 'a run that took up an expansion beside its coding work',
    roles: ['expander', 'coding'] as AgentRole[],
    message: 'Stopped with work left: 1 feature needs you.',
    kind: 'work-left',
    title: 'todo-app: the run ended with work left',
  },
  {
    name: 'a run that worked the backlog',
    roles: ['coding', 'regression'] as AgentRole[],
    message: 'Stopped with work left: 1 feature needs you.',
    kind: 'work-left',
    title: 'todo-app: the run ended with work left',
  },
];

for (const c of cases) {
  test(`the inbox item of ${c.name} ending with work left is ${c.kind}, and the next run resolves it`, async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'ns-expansion-inbox-'));
    const project: SupervisedProject = { id: 'p', name: 'todo-app', path: join(root, 'todo-app') };
    mkdirSync(join(project.path, '.nightshift', 'runs'), { recursive: true });
    const clock = new FakeClock(Date.parse('2026-01-05T22:00:00Z'));
    const agents = new FakeAgents(clock);
    const ledger = new LedgerService({
      dataDir: join(root, 'data'),
      clock,
      projects: () => [project],
      agents,
      bus: new EventBus(),
      log: () => undefined,
    });
    t.after(() => {
      ledger.dispose();
      rmSync(root, { recursive: true, force: true });
    });
    ledger.start();
    writeFileSync(runLogPath(project.path, 'earlier-run'), runLog(c.roles, c.message));
    ledger.ingestRun('p', 'earlier-run');

    const items = ledger.inbox();
    assert.deepEqual(
      items.map((i) => [i.kind, i.title, i.body, i.runId]),
      [[c.kind, c.title, c.message, 'earlier-run']],
    );
    // Its action is to start the agent: the new run resolves the item.
    const started = await agents.manualStart('p');
    assert.ok(started.ok, JSON.stringify(started));
    await settle();
    assert.deepEqual(ledger.inbox(), []);
  });
}
