/**
 * A window given up after its retries is an inbox item: the real Scheduler, the real
 * AgentSupervisor (its state machine, locks and run logs on real files) and the real ledger area
 * (ledger.db in a temp data dir), over a fake ProcessBackend and a FakeClock. The item appears
 * when the scheduler gives up, survives a restart of the ledger, and goes when the project is
 * started again by hand (resolved elsewhere).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSettings, type InboxItem } from '../../contract/index.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import { FeaturesService } from '../../main/services/features-service.ts';
import { createLedgerArea, type LedgerArea } from '../../main/services/ledger/ledger-area.ts';
import { Scheduler, type SchedulerProject } from '../../main/services/scheduler.ts';
import type { SupervisedProject } from '../../main/services/supervisor.ts';
import type { DesktopNotification } from '../../main/services/notifier.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { runClockTo, settle } from '../helpers/turns.ts';
import { FakeProcessBackend } from '../helpers/fake-process-backend.ts';
import { at, crashAgent, MON, nightly, supervisorOverFakes } from '../helpers/scheduler-setup.ts';

test('a window given up after its retries raises an inbox item; starting the project by hand resolves it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-sched-inbox-'));
  const dataDir = join(root, 'data');
  const path = join(root, 'todo-app');
  mkdirSync(path);
  const clock = new FakeClock(at(`${MON}T21:59:00Z`));
  const backend = new FakeProcessBackend(clock);
  const folder: SupervisedProject = { id: 'p', name: 'todo-app', path };
  const planned: SchedulerProject = {
    id: 'p',
    name: 'todo-app',
    overrides: {},
    schedules: [nightly('1', { durationMinutes: 240 })],
  };
  const bus = new EventBus();
  const inboxEvents: InboxItem[][] = [];
  bus.on('inbox.changed', (items) => inboxEvents.push(items));
  const notes: DesktopNotification[] = [];
  const supervisor = supervisorOverFakes({
    lookup: (id) => (id === 'p' ? folder : null),
    backend,
    clock,
    stopGraceMs: 10_000,
  });
  let scheduler: Scheduler | null = null;
  const area = (): LedgerArea =>
    createLedgerArea({
      dataDir,
      clock,
      bus,
      projects: () => [folder],
      agents: supervisor,
      features: new FeaturesService({ projectDir: () => path }),
      schedules: { projectStatus: (id) => scheduler?.projectStatus(id) ?? null },
      notify: (n) => notes.push(n),
      log: () => undefined,
    });
  let ledger = area();
  scheduler = new Scheduler({
    clock,
    agents: supervisor,
    projects: () => [planned],
    settings: () => ({ ...defaultSettings, windowEndGraceMinutes: 10 }),
    onEvent: (e) => ledger.onSchedulerEvent(e),
    formatTime: (t) => new Date(t).toISOString(),
  });
  const crash = () => crashAgent(supervisor, backend, 'p');
  const runTo = (t: number) => runClockTo(clock, t);
  const givenUp = () => ledger.ledger.inbox().filter((i) => i.kind === 'retries-exhausted');
  try {
    ledger.start();
    scheduler.start();
    await runTo(at(`${MON}T22:00:00Z`));
    assert.equal(supervisor.state('p').status, 'running');
    // The first run and three retries (10 s, 30 s, 90 s apart) all crash.
    for (let attempt = 1; attempt <= 4; attempt++) {
      assert.deepEqual(givenUp(), [], `no item before the scheduler gives up (attempt ${attempt})`);
      await crash();
      const retryAt = scheduler.projectStatus('p')?.nextRetryAt;
      if (retryAt) await runTo(retryAt);
    }
    assert.equal(scheduler.projectStatus('p')?.nextRetryAt, null, 'no retry is left');
    const [item, ...more] = givenUp();
    assert.equal(more.length, 0);
    assert.equal(item?.title, 'todo-app: the scheduled window was given up');
    assert.match(
      item?.body ?? '',
      /^todo-app: the agent failed 4 times in this window; Nightshift stopped retrying until the next window\.$/,
    );
    assert.equal(item?.projectId, 'p');
    assert.ok(
      inboxEvents.at(-1)?.some((i) => i.id === item?.id),
      'the renderer was told (inbox.changed)',
    );

    // Items persist: a new ledger over the same ledger.db still has it.
    ledger.dispose();
    ledger = area();
    ledger.start();
    assert.deepEqual(
      givenUp().map((i) => i.id),
      [item?.id],
    );

    // Resolved elsewhere: the user starts the project by hand; the item goes.
    const started = await supervisor.start('p', {
      settings: defaultSettings.defaults,
      origin: 'manual',
    });
    assert.ok(started.ok, JSON.stringify(started));
    await settle();
    assert.deepEqual(givenUp(), []);
    assert.ok(!inboxEvents.at(-1)?.some((i) => i.id === item?.id));
  } finally {
    scheduler.dispose();
    const st = supervisor.state('p');
    if (st.status === 'running' || st.status === 'starting') {
      const stopping = supervisor.stop('p');
      await runTo(clock.now() + 20_000);
      await stopping;
    }
    ledger.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
