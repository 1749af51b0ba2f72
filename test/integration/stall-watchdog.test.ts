/**
 * The stall watchdog. The agent's half, for real: a coding session whose command hangs (the
 * real Claude Code, against the fake Anthropic server) makes no progress, is ended as stalled
 * after NIGHTSHIFT_STALL_KILL_MIN, and counts one attempt with the reason. The app's half: an
 * agent quiet for the warning time turns amber and raises an inbox item; progress clears both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent } from '../../contract/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import { LedgerService } from '../../main/services/ledger/ledger-service.ts';
import { StallMonitor } from '../../main/services/ledger/stall-monitor.ts';
import { startFakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { makeProject, startAgent } from '../fixtures/agent-harness.ts';
import { featureAfterStop, firstCodingEnd } from '../helpers/agent-run-to-end.ts';
import { FakeAgents } from '../unit/scheduler-fakes.ts';

test('a real session with no progress is ended as stalled and counts an attempt', async () => {
  const dir = makeProject('Todo\n- Layout\n');
  const fake = await startFakeAnthropic(scriptedBrain({ hangOn: new Set([1]) }));
  const run = startAgent({
    projectDir: dir,
    fakeUrl: fake.url,
    yolo: true,
    env: { NIGHTSHIFT_STALL_KILL_MIN: '0.15' }, // 9 s
  });
  try {
    const finished = await firstCodingEnd(run, 120_000, 'the stalled session to be ended');
    assert.equal(finished.end, 'stalled', JSON.stringify(finished));
    assert.match(finished.message, /Stalled: no tool call or progress/);
    const f = await featureAfterStop(run, dir, 1);
    assert.equal(f?.attempts, 1, 'a stall is an attempt');
    assert.match(f?.lastError ?? '', /Stalled/);
  } finally {
    run.killGroup();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an agent quiet for the warning time turns amber with an inbox item; progress clears both', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-stall-'));
  const clock = new FakeClock(Date.UTC(2026, 11, 1, 22));
  const bus = new EventBus(true);
  const agents = new FakeAgents(clock);
  const ledger = new LedgerService({
    dataDir,
    clock,
    bus,
    agents,
    projects: () => [{ id: 'p', name: 'todo-app', path: join(dataDir, 'none') }],
    log: () => undefined,
  });
  const stalls: string[][] = [];
  bus.on('agent.stalls', (s) => stalls.push(s.agentIds));
  const monitor = new StallMonitor({
    bus,
    ledger,
    now: () => clock.now(),
    warnAfterMs: () => 20 * 60_000,
    projectName: () => 'todo-app',
    runId: () => 'r1',
  });
  try {
    const ev = (e: Record<string, unknown>) =>
      monitor.onEvent('p', { nsEvent: 1, ts: clock.now(), ...e } as AgentEvent);
    ev({
      type: 'agent-started',
      agentId: 'coding-1',
      role: 'coding',
      featureId: 1,
      featureName: 'A',
    });
    clock.advanceTo(clock.now() + 19 * 60_000);
    monitor.check();
    assert.deepEqual(stalls, []);
    clock.advanceTo(clock.now() + 2 * 60_000);
    monitor.check();
    monitor.check();
    assert.deepEqual(stalls, [['coding-1']], 'flagged once');
    const items = ledger.inbox();
    assert.equal(items.length, 1);
    assert.equal(items[0]?.kind, 'stalled');
    assert.equal(items[0]?.title, 'todo-app: coding-1 has shown no progress for 21 min');
    ev({ type: 'activity', agentId: 'coding-1', kind: 'tool', summary: 'Bash: npm test' });
    assert.deepEqual(stalls.at(-1), []);
    assert.deepEqual(ledger.inbox(), [], 'progress resolves the item');
  } finally {
    ledger.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
