import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationKind } from '../../contract/index.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import {
  type DesktopNotification,
  Notifier,
  installNotificationPolicy,
  logNotificationPort,
} from '../../main/services/notifier.ts';
import { FakeAgents, settle } from './scheduler-fakes.ts';

function setup(muted: NotificationKind[] = []) {
  const clock = new FakeClock(Date.parse('2026-01-05T22:00:00Z'));
  const shown: { n: DesktopNotification; click: () => void }[] = [];
  const bus = new EventBus();
  const navigations: string[] = [];
  bus.on('app.navigate', (e) => navigations.push(e.projectId));
  const focused: (string | null)[] = [];
  const mutedKinds = [...muted];
  const notifier = new Notifier({
    port: { show: (n, click) => shown.push({ n, click }) },
    clock,
    muted: () => mutedKinds,
    bus,
    focusApp: (projectId) => focused.push(projectId),
  });
  const agents = new FakeAgents(clock);
  const policy = installNotificationPolicy({
    notifier,
    agents,
    projectName: (id) => `Project ${id}`,
    formatTime: (t) => new Date(t).toISOString().slice(11, 16),
  });
  return {
    clock,
    shown,
    bus,
    navigations,
    notifier,
    agents,
    policy,
    mutedKinds,
    focused: () => focused,
  };
}

const base = { nsEvent: 1 as const, ts: 0 };

test('muted kinds stay silent; a click opens the project', () => {
  const t = setup(['window-ended']);
  assert.equal(
    t.notifier.notify({ kind: 'window-ended', projectId: 'a', title: 'x', body: 'y' }),
    false,
  );
  assert.equal(
    t.notifier.notify({ kind: 'window-started', projectId: 'a', title: 'x', body: 'y' }),
    true,
  );
  assert.equal(t.shown.length, 1);
  t.shown[0]?.click();
  // A shell with its own window navigates itself, once its page can hear it (NavigationQueue).
  assert.deepEqual(t.focused(), ['a']);
  assert.deepEqual(t.navigations, [], 'no app.navigate into a window that may not exist yet');
  // Muting is read each time: unmuting takes effect at once.
  t.mutedKinds.length = 0;
  assert.equal(
    t.notifier.notify({ kind: 'window-ended', projectId: 'a', title: 'x', body: 'y' }),
    true,
  );
});

test('the same notification is not repeated within a minute', () => {
  const t = setup();
  const n: DesktopNotification = { kind: 'rate-limited', projectId: 'a', title: 't', body: 'b' };
  assert.equal(t.notifier.notify(n), true);
  assert.equal(t.notifier.notify(n), false);
  assert.equal(
    t.notifier.notify({ ...n, projectId: 'b' }),
    true,
    'another project is another notification',
  );
  t.clock.advance(61_000);
  assert.equal(t.notifier.notify(n), true);
});

test('a crash, all features passing, a human-input request and a rate limit become notifications', async () => {
  const t = setup();
  await t.agents.start('a', {
    origin: 'schedule',
    settings: { model: 'opus', yolo: false, codingAgents: 1, regressionAgents: 0 },
  });
  t.agents.emitEvent('a', {
    ...base,
    type: 'progress',
    progress: { total: 4, passing: 3, inProgress: 1, underTest: 0, blocked: 0, needsHuman: 0 },
  });
  assert.equal(t.shown.length, 0);
  t.agents.emitEvent('a', {
    ...base,
    type: 'progress',
    progress: { total: 4, passing: 4, inProgress: 0, underTest: 0, blocked: 0, needsHuman: 0 },
  });
  t.agents.emitEvent('a', { ...base, type: 'run-state', phase: 'complete', message: 'All done.' });
  t.agents.emitEvent('a', {
    ...base,
    type: 'human-input',
    featureId: 7,
    featureName: 'Login',
    prompt: 'Which OAuth provider?',
  });
  t.agents.emitEvent('a', {
    ...base,
    type: 'rate-limit',
    state: 'hold',
    until: Date.parse('2026-01-05T23:30:00Z'),
    message: 'limit',
  });
  t.agents.emitEvent('a', {
    ...base,
    type: 'rate-limit',
    state: 'release',
    until: null,
    message: 'go',
  });
  t.agents.crash('a');
  await settle();
  assert.deepEqual(
    t.shown.map((s) => [s.n.kind, s.n.title, s.n.body]),
    [
      ['all-passing', 'Project a: every feature passes', 'All 4 features pass.'],
      ['needs-human-input', 'Project a: a feature needs you', 'Login: Which OAuth provider?'],
      [
        'rate-limited',
        'Project a: rate-limited',
        'New sessions wait until 23:30; the run resumes by itself.',
      ],
      [
        'agent-crashed',
        'Project a: the agent crashed',
        'It exited with code 1. Open Nightshift to see its last lines.',
      ],
    ],
  );
  for (const s of t.shown) assert.equal(s.n.projectId, 'a');
  t.policy.dispose();
});

test('scheduler events: window started, skipped, ended and retries exhausted; others stay quiet', () => {
  const t = setup();
  const ev = (kind: Parameters<typeof t.policy.onSchedulerEvent>[0]['kind'], message: string) =>
    t.policy.onSchedulerEvent({ kind, projectId: 'a', projectName: 'Project a', at: 0, message });
  ev('window-started', 'Project a: a scheduled window opened; starting the agent until Tue 06:00.');
  ev('window-skipped', 'Project a: a scheduled window opened and was skipped, as asked.');
  ev('window-ended', 'Project a: the scheduled window ended. The agent was stopped.');
  ev('retries-exhausted', 'Project a: the agent failed 4 times in this window.');
  ev('retry-scheduled', 'Project a: retrying in 10 s.');
  ev('start-failed', 'Project a: the scheduled start failed.');
  assert.deepEqual(
    t.shown.map((s) => [s.n.kind, s.n.title, s.n.body]),
    [
      [
        'window-started',
        'Project a: scheduled window started',
        'a scheduled window opened; starting the agent until Tue 06:00.',
      ],
      [
        'window-started',
        'Project a: window skipped',
        'a scheduled window opened and was skipped, as asked.',
      ],
      [
        'window-ended',
        'Project a: scheduled window ended',
        'the scheduled window ended. The agent was stopped.',
      ],
      [
        'retries-exhausted',
        'Project a: gave up restarting',
        'the agent failed 4 times in this window.',
      ],
    ],
  );
  t.policy.dispose();
});

test('the log port writes one line per notification', () => {
  const lines: string[] = [];
  const port = logNotificationPort((l) => lines.push(l));
  port.show({ kind: 'agent-crashed', projectId: 'a', title: 'T', body: 'B' }, () => {});
  assert.deepEqual(lines, ['[notification] T — B']);
});

test('without a window of its own (the browser shell) a click emits app.navigate', () => {
  const bus = new EventBus();
  const navigations: string[] = [];
  bus.on('app.navigate', (e) => navigations.push(e.projectId));
  const shown: (() => void)[] = [];
  const notifier = new Notifier({
    port: { show: (_n, click) => shown.push(click) },
    clock: new FakeClock(0),
    muted: () => [],
    bus,
  });
  notifier.notify({ kind: 'agent-crashed', projectId: 'b', title: 'x', body: 'y' });
  shown[0]?.();
  assert.deepEqual(navigations, ['b']);
});

test('a run that ends with work left says so; one that cannot go on says why in its crash notice', async () => {
  const t = setup();
  await t.agents.start('a', {
    origin: 'manual',
    settings: { model: 'opus', yolo: false, codingAgents: 1, regressionAgents: 0 },
  });
  const left = 'Stopped with work left: 2 of 3 features pass; 1 needs you.';
  t.agents.emitEvent('a', { ...base, type: 'run-state', phase: 'finished', message: left });
  const refused = 'The API key was refused. Fix it in Settings → Provider, then start again.';
  t.agents.emitEvent('a', { ...base, type: 'run-state', phase: 'failed', message: refused });
  assert.equal(t.shown.length, 1, 'a failure waits for the process to end');
  t.agents.crash('a');
  await settle();
  assert.deepEqual(
    t.shown.map((s) => [s.n.kind, s.n.projectId, s.n.title, s.n.body]),
    [
      ['work-left', 'a', 'Project a: the run ended with work left', left],
      ['agent-crashed', 'a', 'Project a: the run cannot go on', refused],
    ],
  );
  assert.equal(
    t.shown.some((s) => s.n.kind === 'all-passing'),
    false,
  );

  const muted = setup(['work-left']);
  muted.agents.emitEvent('a', { ...base, type: 'run-state', phase: 'finished', message: left });
  assert.equal(muted.shown.length, 0);
});

test('a run that only expanded the backlog ends as "the expansion finished"; one that also coded, as work left', async () => {
  const t = setup();
  const settings = { model: 'opus', yolo: false, codingAgents: 1, regressionAgents: 0 };
  const started = (role: 'expander' | 'coding', agentId: string) =>
    t.agents.emitEvent('a', {
      ...base,
      type: 'agent-started',
      agentId,
      role,
      featureId: role === 'coding' ? 1 : null,
      featureName: role === 'coding' ? 'One' : null,
    });
  const added = 'Added 1 feature from the addendum. Start the agent to build them.';
  // A run that took up an expansion beside its coding work ended with work left…
  await t.agents.start('a', { origin: 'manual', settings });
  started('expander', 'expander-1');
  started('coding', 'coding-1');
  t.agents.emitEvent('a', { ...base, type: 'run-state', phase: 'finished', message: 'Left.' });
  t.agents.crash('a');
  await settle();
  // …and the next run, which only expanded, is judged on its own sessions.
  await t.agents.start('a', { origin: 'manual', settings });
  started('expander', 'expander-1');
  t.agents.emitEvent('a', { ...base, type: 'run-state', phase: 'finished', message: added });
  assert.deepEqual(
    t.shown.filter((s) => s.n.kind === 'work-left').map((s) => [s.n.title, s.n.body]),
    [
      ['Project a: the run ended with work left', 'Left.'],
      ['Project a: the expansion finished', added],
    ],
  );
});
