import { scheduleStatus } from '../helpers/schedule-status.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  agentStatuses,
  stoppedAgentState,
  type AgentState,
  type ScheduleStatus,
} from '../../contract/index.ts';
import {
  runTrayAction,
  trayTemplate,
  trayTooltip,
  type TrayAction,
  type TrayItem,
  type TrayModel,
  type TrayProject,
} from '../../main/electron/tray-menu.ts';

const fmt = (t: number) => new Date(t).toISOString().slice(11, 16);

function agent(p: Partial<AgentState> = {}): AgentState {
  return { ...stoppedAgentState('p'), ...p };
}

const H = 3_600_000;
const win = (start: number, end: number) => ({ scheduleIds: ['1'], start, end });
const scheduleVariants: Record<string, ScheduleStatus | null> = {
  none: null,
  empty: scheduleStatus(),
  next: scheduleStatus({ nextWindow: win(22 * H, 30 * H) }),
  'next-skipped': scheduleStatus({ nextWindow: win(22 * H, 30 * H), skipNext: true }),
  active: scheduleStatus({ activeWindow: win(0, 6 * H) }),
  'active-manual-stop': scheduleStatus({ activeWindow: win(0, 6 * H), manualStopUntil: 6 * H }),
  'active-gave-up': scheduleStatus({ activeWindow: win(0, 6 * H), gaveUp: true, crashRetries: 3 }),
  'active-retrying': scheduleStatus({
    activeWindow: win(0, 6 * H),
    nextRetryAt: 60_000,
    crashRetries: 1,
  }),
  'active-skipped': scheduleStatus({ activeWindow: win(0, 6 * H), activeSkipped: true }),
  ending: scheduleStatus({ stopAt: 7 * H, nextWindow: win(22 * H, 30 * H) }),
};

const expectedActions: Record<string, { freeze: string[]; noFreeze: string[] }> = {
  stopped: { freeze: ['start'], noFreeze: ['start'] },
  crashed: { freeze: ['start'], noFreeze: ['start'] },
  starting: { freeze: ['stop'], noFreeze: ['stop'] },
  running: { freeze: ['pause', 'drain', 'stop'], noFreeze: ['drain', 'stop'] },
  draining: { freeze: ['pause', 'stop'], noFreeze: ['stop'] },
  paused: { freeze: ['resume', 'stop'], noFreeze: ['resume', 'stop'] },
  stopping: { freeze: [], noFreeze: [] },
};

const find = (items: TrayItem[], id: string) => items.find((i) => i.id === id);
const actionKinds = (items: TrayItem[]) =>
  items
    .filter(
      (i) => i.action && ['start', 'stop', 'pause', 'resume', 'drain'].includes(i.action.kind),
    )
    .map((i) => i.action?.kind);

test('every combination of agent state, freeze capability, origin and schedule state', () => {
  let combos = 0;
  for (const status of agentStatuses) {
    for (const canFreeze of [true, false]) {
      for (const pauseKind of status === 'paused'
        ? (['frozen', 'drained'] as const)
        : ([null] as const)) {
        for (const origin of [null, 'manual', 'schedule', 'adopted'] as const) {
          for (const [variant, schedule] of Object.entries(scheduleVariants)) {
            combos++;
            const a = agent({ status, canFreeze, pauseKind, origin, runId: origin ? 'r1' : null });
            const model: TrayModel = {
              projects: [{ id: 'p', name: 'alpha', agent: a, schedule }],
              formatTime: fmt,
            };
            const t = trayTemplate(model);
            const where = `${status}/${canFreeze}/${pauseKind}/${origin}/${variant}`;
            // Pure: the same state gives the same template, and it is plain data.
            assert.deepEqual(trayTemplate(model), t, where);
            assert.deepEqual(JSON.parse(JSON.stringify(t)), t, where);
            const sub = find(t.menu, 'project:p');
            assert.equal(sub?.type, 'submenu', where);
            const items = sub?.submenu ?? [];
            assert.match(sub?.label ?? '', /^alpha: /, where);
            assert.deepEqual(
              actionKinds(items),
              expectedActions[status]?.[canFreeze ? 'freeze' : 'noFreeze'],
              where,
            );
            const statusLine = find(items, 'project:p:status');
            assert.equal(statusLine?.enabled, false, where);
            const active = !['stopped', 'crashed'].includes(status);
            if (origin === 'schedule' && active)
              assert.match(statusLine?.label ?? '', /started by its schedule/, where);
            if (origin === 'manual' && active)
              assert.match(statusLine?.label ?? '', /started by hand/, where);
            if (!active) assert.doesNotMatch(statusLine?.label ?? '', /started/, where);
            const skip = find(items, 'project:p:skip-next');
            if (schedule?.nextWindow) {
              assert.equal(skip?.type, 'checkbox', where);
              assert.equal(skip?.checked, schedule.skipNext, where);
              assert.deepEqual(skip?.action, {
                kind: schedule.skipNext ? 'unskip-next' : 'skip-next',
                projectId: 'p',
              });
            } else {
              assert.equal(skip, undefined, where);
            }
            const schedLine = find(items, 'project:p:schedule')?.label ?? '';
            if (variant === 'active') assert.equal(schedLine, 'Window until 06:00');
            if (variant === 'active-manual-stop')
              assert.equal(schedLine, 'Stopped by hand until 06:00');
            if (variant === 'active-gave-up') assert.match(schedLine, /Gave up/);
            if (variant === 'active-retrying') assert.equal(schedLine, 'Retrying at 00:01');
            if (variant === 'active-skipped') assert.match(schedLine, /skipped/);
            if (variant === 'next') assert.equal(schedLine, 'Next window 22:00–06:00');
            if (variant === 'next-skipped')
              assert.equal(schedLine, 'Skipping next window 22:00–06:00');
            if (variant === 'ending') assert.equal(schedLine, 'Window ended; stops by 07:00');
            if (variant === 'none' || variant === 'empty')
              assert.equal(find(items, 'project:p:schedule'), undefined);
            assert.deepEqual(find(items, 'project:p:open')?.action, {
              kind: 'open-project',
              projectId: 'p',
            });
            // Global items follow from the one project's state.
            assert.equal(find(t.menu, 'pause-all')?.enabled, status === 'running', where);
            assert.equal(find(t.menu, 'resume-all')?.enabled, status === 'paused', where);
            assert.equal(
              find(t.menu, 'stop-all')?.enabled,
              ['starting', 'running', 'draining', 'paused'].includes(status),
              where,
            );
            assert.equal(
              find(t.menu, 'skip-next-all')?.enabled,
              Boolean(schedule?.nextWindow),
              where,
            );
            assert.deepEqual(
              t.menu
                .filter((i) => i.type !== 'separator')
                .map((i) => i.id)
                .slice(-6),
              ['pause-all', 'resume-all', 'stop-all', 'skip-next-all', 'open', 'quit'],
            );
            assert.equal(find(t.menu, 'quit')?.accelerator, 'CmdOrCtrl+Q');
          }
        }
      }
    }
  }
  assert.equal(combos, 8 * 2 * 4 * Object.keys(scheduleVariants).length);
});

test('the tooltip summarises the projects', () => {
  const p = (
    id: string,
    status: AgentState['status'],
    schedule: ScheduleStatus | null = null,
  ): TrayProject => ({
    id,
    name: id,
    agent: agent({ projectId: id, status }),
    schedule,
  });
  const tip = (projects: TrayProject[]) => trayTooltip({ projects, formatTime: fmt });
  assert.equal(
    tip([p('a', 'running'), p('b', 'draining'), p('c', 'paused')]),
    'Nightshift: 2 running, 1 paused',
  );
  assert.equal(tip([p('a', 'crashed'), p('b', 'starting')]), 'Nightshift: 1 running, 1 crashed');
  assert.equal(tip([]), 'Nightshift: nothing running');
  assert.equal(
    tip([
      p('a', 'stopped', scheduleStatus({ nextWindow: win(22 * H, 23 * H) })),
      p('b', 'stopped', scheduleStatus({ nextWindow: win(21 * H, 23 * H), skipNext: true })),
    ]),
    'Nightshift: nothing running; next window 22:00',
  );
  assert.equal(tip([p('a', 'stopping')]), 'Nightshift: 1 stopping');
});

test('with no projects the menu says so; global skip is checked only when all are skipped', () => {
  const empty = trayTemplate({ projects: [], formatTime: fmt });
  assert.equal(find(empty.menu, 'no-projects')?.enabled, false);
  assert.equal(find(empty.menu, 'skip-next-all')?.enabled, false);
  const mk = (id: string, skip: boolean): TrayProject => ({
    id,
    name: id,
    agent: agent({ projectId: id }),
    schedule: scheduleStatus({ projectId: id, nextWindow: win(22 * H, 23 * H), skipNext: skip }),
  });
  const some = trayTemplate({ projects: [mk('a', true), mk('b', false)], formatTime: fmt });
  assert.equal(find(some.menu, 'skip-next-all')?.checked, false);
  assert.deepEqual(find(some.menu, 'skip-next-all')?.action, { kind: 'skip-next-all' });
  const all = trayTemplate({ projects: [mk('a', true), mk('b', true)], formatTime: fmt });
  assert.equal(find(all.menu, 'skip-next-all')?.checked, true);
  assert.deepEqual(find(all.menu, 'skip-next-all')?.action, { kind: 'unskip-next-all' });
});

test('tray actions go through the app’s command dispatch', async () => {
  const calls: unknown[] = [];
  const opened: (string | undefined)[] = [];
  let quit = 0;
  const deps = {
    dispatch: async (command: string, input: unknown) => calls.push([command, input]),
    openApp: (id?: string) => opened.push(id),
    quit: () => quit++,
  };
  const actions: TrayAction[] = [
    { kind: 'start', projectId: 'p' },
    { kind: 'stop', projectId: 'p' },
    { kind: 'pause', projectId: 'p' },
    { kind: 'resume', projectId: 'p' },
    { kind: 'drain', projectId: 'p' },
    { kind: 'skip-next', projectId: 'p' },
    { kind: 'unskip-next', projectId: 'p' },
    { kind: 'pause-all' },
    { kind: 'resume-all' },
    { kind: 'stop-all' },
    { kind: 'skip-next-all' },
    { kind: 'unskip-next-all' },
    { kind: 'open-project', projectId: 'p' },
    { kind: 'open' },
    { kind: 'quit' },
  ];
  for (const a of actions) await runTrayAction(a, deps);
  assert.deepEqual(calls, [
    ['agent.start', { id: 'p' }],
    ['agent.stop', { id: 'p' }],
    ['agent.pause', { id: 'p' }],
    ['agent.resume', { id: 'p' }],
    ['agent.drain', { id: 'p' }],
    ['schedules.skipNext', { id: 'p', skip: true }],
    ['schedules.skipNext', { id: 'p', skip: false }],
    ['agent.pauseAll', undefined],
    ['agent.resumeAll', undefined],
    ['agent.stopAll', undefined],
    ['schedules.skipNext', { skip: true }],
    ['schedules.skipNext', { skip: false }],
  ]);
  assert.deepEqual(opened, ['p', undefined]);
  assert.equal(quit, 1);
});

test('the inbox count shows in the tooltip and on Open Nightshift', () => {
  const model = { projects: [], formatTime: () => 'Tue 22:00', inboxCount: 3 };
  const t = trayTemplate(model);
  assert.equal(t.tooltip, 'Nightshift: nothing running, 3 need you');
  assert.equal(t.menu.find((i) => i.id === 'open')?.label, 'Open Nightshift (3 in the inbox)');
  const none = trayTemplate({ ...model, inboxCount: 0 });
  assert.equal(none.tooltip, 'Nightshift: nothing running');
  assert.equal(none.menu.find((i) => i.id === 'open')?.label, 'Open Nightshift');
});
