/**
 * The machine's time zone changing while the app runs: the scheduler's once-a-minute tick
 * notices it (an injected zone source stands in for the system), re-plans, and tells the
 * listeners that refresh local times (the tray). Also: the one-timer rule holds throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSettings } from '../../contract/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import { Registry } from '../../main/services/registry.ts';
import { createScheduling } from '../../main/services/unattended.ts';
import { emptyDocument, type Store } from '../../main/services/store.ts';
import { trayTemplate } from '../../main/electron/tray-menu.ts';
import {
  type ZoneReading,
  ZoneWatcher,
  describeZone,
  readSystemZone,
} from '../../main/services/zone-watcher.ts';
import { everyNight, FakeAgents, settle } from './scheduler-fakes.ts';

const at = (s: string) => Date.parse(s);
const H = 3_600_000;

function memoryStore(): Store {
  return { path: ':memory:', read: () => null, write: () => {} };
}

function setup(zone: { current: ZoneReading }) {
  const clock = new FakeClock(at('2026-01-05T12:00:00Z'));
  const bus = new EventBus();
  const registry = new Registry(memoryStore(), emptyDocument(), bus);
  const agents = new FakeAgents(clock);
  const logs: string[] = [];
  const scheduling = createScheduling({
    clock,
    bus,
    registry,
    settings: { get: () => defaultSettings },
    agents,
    dataDir: null,
    notifications: { show: () => {} },
    log: (_level, message) => logs.push(message),
    readZone: () => zone.current,
  });
  return { clock, bus, registry, agents, logs, scheduling };
}

test('a change of the machine’s time zone is noticed within a minute, re-plans and refreshes labels', async () => {
  const zone = { current: { zone: 'Europe/Berlin', offsetMs: 1 * H } };
  const t = setup(zone);
  // Labels are formatted in "the machine's zone": here the injected one.
  const fmt = (ts: number) =>
    new Date(ts + zone.current.offsetMs).toISOString().slice(11, 16) + ` ${zone.current.zone}`;
  const project = t.registry.add({ name: 'p', path: process.cwd() });
  assert.ok(project.ok);
  t.scheduling.start();
  const added = t.scheduling.schedules.add({
    id: project.value.id,
    schedule: everyNight(),
  });
  assert.ok(added.ok);
  const label = () =>
    JSON.stringify(
      trayTemplate({
        projects: [
          {
            id: project.value.id,
            name: 'p',
            agent: t.agents.state(project.value.id),
            schedule: t.scheduling.scheduler.projectStatus(project.value.id),
          },
        ],
        formatTime: fmt,
      }).menu,
    );
  const refreshed: string[] = [];
  const changes: [ZoneReading, ZoneReading][] = [];
  t.scheduling.onZoneChange((next, previous) => {
    changes.push([next, previous]);
    refreshed.push(label());
  });
  const before = label();
  assert.match(before, /23:00 Europe\/Berlin/, 'the next start, 22:00 UTC, in Berlin time');

  t.clock.advance(60_000);
  assert.equal(changes.length, 0, 'no change, no refresh');

  // The user flies to New York and the system zone changes.
  zone.current = { zone: 'America/New_York', offsetMs: -5 * H };
  t.clock.advance(60_000);
  await settle();
  assert.equal(changes.length, 1, 'noticed by the next once-a-minute tick');
  assert.deepEqual(changes[0], [
    { zone: 'America/New_York', offsetMs: -5 * H },
    { zone: 'Europe/Berlin', offsetMs: 1 * H },
  ]);
  assert.match(refreshed[0] ?? '', /17:00 America\/New_York/, 'the tray shows the new local time');
  assert.ok(
    t.logs.some((l) =>
      /time zone changed from Europe\/Berlin \(UTC\+01:00\) to America\/New_York \(UTC−05:00\)/.test(
        l,
      ),
    ),
  );
  // Schedules carry their own zone: the window did not move.
  assert.equal(
    t.scheduling.scheduler.projectStatus(project.value.id)?.nextWindow?.start,
    at('2026-01-05T22:00:00Z'),
  );
  assert.equal(t.clock.pending(), 1, 'still one timer');

  // A check on wake (powerMonitor resume) does not wait for the tick.
  zone.current = { zone: 'America/New_York', offsetMs: -4 * H };
  assert.equal(t.scheduling.checkZone(), true, 'an offset change alone counts (DST)');
  assert.equal(changes.length, 2);
  assert.equal(t.scheduling.checkZone(), false);
  t.scheduling.dispose();
  assert.equal(t.clock.pending(), 0, 'nothing left pending after dispose');
});

test('the watcher compares zone and offset; the system reading re-reads TZ', () => {
  let reading: ZoneReading = { zone: 'UTC', offsetMs: 0 };
  const seen: string[] = [];
  const w = new ZoneWatcher({
    clock: new FakeClock(0),
    read: () => reading,
    onChange: (next, previous) => seen.push(`${describeZone(previous)} → ${describeZone(next)}`),
  });
  assert.equal(w.check(), false);
  reading = { zone: 'Asia/Kolkata', offsetMs: 5.5 * H };
  assert.equal(w.check(), true);
  assert.deepEqual(seen, ['UTC (UTC+00:00) → Asia/Kolkata (UTC+05:30)']);
  assert.deepEqual(w.current(), reading);

  // Node caches the zone; the reader makes it look again, so a TZ change made now is seen.
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Australia/Sydney';
    const sydney = readSystemZone(at('2026-07-01T00:00:00Z'));
    assert.deepEqual(sydney, { zone: 'Australia/Sydney', offsetMs: 10 * H });
    process.env.TZ = 'America/New_York';
    assert.equal(readSystemZone(at('2026-07-01T00:00:00Z')).zone, 'America/New_York');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});
