import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationKind } from '../../contract/index.ts';
import { notificationKinds } from '../../contract/index.ts';
import {
  TOAST_AUTO_DISMISS_MS,
  TOAST_CAP,
  TOAST_WAITING_CAP,
  dismissToast,
  emptyToastQueue,
  expireToasts,
  holdToasts,
  isSticky,
  nextExpiry,
  pushToast,
  releaseToasts,
  showsToasts,
  toneOf,
  type NotificationInput,
  type ToastQueue,
} from '../../renderer/src/stores/toast-queue.ts';
import { useToasts } from '../../renderer/src/stores/toasts.ts';

const note = (
  kind: NotificationKind,
  n = 0,
  projectId: string | null = 'p1',
): NotificationInput => ({
  kind,
  title: `title ${kind} ${n}`,
  body: `body ${n}`,
  projectId,
});

function pushAll(queue: ToastQueue, inputs: NotificationInput[], now: number): ToastQueue {
  let q = queue;
  for (const input of inputs) q = pushToast(q, input, now);
  return q;
}

const titles = (toasts: readonly { title: string }[]) => toasts.map((t) => t.title);

test('crashes, exhausted retries, human input and budget stops stay; the rest go after ten seconds', () => {
  const sticky = notificationKinds.filter(isSticky);
  assert.deepEqual(sticky, [
    'work-left',
    'agent-crashed',
    'retries-exhausted',
    'needs-human-input',
    'budget-stopped',
  ]);
  assert.deepEqual(
    notificationKinds.filter((k) => toneOf(k) === 'alert'),
    ['agent-crashed', 'retries-exhausted'],
  );
  assert.equal(TOAST_AUTO_DISMISS_MS, 10_000);

  let q = pushToast(emptyToastQueue, note('agent-crashed'), 1000);
  q = pushToast(q, note('all-passing'), 2000);
  q = pushToast(q, note('needs-human-input'), 3000);
  q = pushToast(q, note('rate-limited'), 4000);
  assert.deepEqual(
    q.visible.map((t) => [t.kind, t.tone, t.sticky, t.expiresAt]),
    [
      ['agent-crashed', 'alert', true, null],
      ['all-passing', 'status', false, 12_000],
      ['needs-human-input', 'status', true, null],
      ['rate-limited', 'status', false, 14_000],
    ],
  );
  assert.equal(nextExpiry(q), 12_000);
  assert.equal(expireToasts(q, 11_999), q, 'nothing is due yet: the same queue');
  q = expireToasts(q, 12_000);
  assert.deepEqual(
    q.visible.map((t) => t.kind),
    ['agent-crashed', 'needs-human-input', 'rate-limited'],
  );
  q = expireToasts(q, 1_000_000);
  assert.deepEqual(
    q.visible.map((t) => t.kind),
    ['agent-crashed', 'needs-human-input'],
  );
  assert.equal(nextExpiry(q), null, 'sticky toasts never go by themselves');
  q = dismissToast(q, q.visible[0]!.id, 1_000_001);
  assert.deepEqual(
    q.visible.map((t) => t.kind),
    ['needs-human-input'],
  );
  assert.equal(dismissToast(q, 999, 0), q, 'an unknown id changes nothing');
});

test('at most five are visible; the rest wait in order and come in as room frees up', () => {
  assert.equal(TOAST_CAP, 5);
  const inputs = Array.from({ length: 8 }, (_, i) => note('window-started', i));
  let q = pushAll(emptyToastQueue, inputs.slice(0, 7), 0);
  assert.deepEqual(titles(q.visible), titles(inputs.slice(0, 5)));
  assert.deepEqual(titles(q.waiting), titles(inputs.slice(5, 7)));
  assert.ok(
    q.waiting.every((t) => t.expiresAt === null),
    'a waiting toast has no clock yet',
  );
  // One is dismissed at t=3000: the first waiting one comes in with its full ten seconds.
  q = dismissToast(q, q.visible[1]!.id, 3000);
  assert.equal(q.visible.length, 5);
  assert.equal(q.visible[4]!.title, inputs[5]!.title);
  assert.equal(q.visible[4]!.expiresAt, 13_000);
  assert.deepEqual(titles(q.waiting), [inputs[6]!.title]);
  // The first four expire at 10 000; the last waiting one comes in then.
  q = pushToast(q, inputs[7]!, 4000);
  q = expireToasts(q, 10_000);
  assert.deepEqual(titles(q.visible), titles([inputs[5]!, inputs[6]!, inputs[7]!]));
  assert.deepEqual(
    q.visible.map((t) => t.expiresAt),
    [13_000, 20_000, 20_000],
  );
  assert.equal(q.waiting.length, 0);
  // Ids are unique and increasing.
  assert.deepEqual(
    q.visible.map((t) => t.id),
    [6, 7, 8],
  );
});

test('a toast that must stay takes the place of the oldest one that would go anyway', () => {
  let q = pushAll(emptyToastQueue, [note('agent-crashed', 0)], 0);
  q = pushAll(
    q,
    Array.from({ length: 4 }, (_, i) => note('all-passing', i + 1)),
    0,
  );
  q = pushToast(q, note('retries-exhausted', 9), 100);
  assert.deepEqual(
    q.visible.map((t) => t.title),
    [
      'title agent-crashed 0',
      'title all-passing 2',
      'title all-passing 3',
      'title all-passing 4',
      'title retries-exhausted 9',
    ],
  );
  assert.equal(q.waiting.length, 0);
  // With every visible toast sticky, even a sticky newcomer waits.
  let full = pushAll(
    emptyToastQueue,
    Array.from({ length: 5 }, (_, i) => note('needs-human-input', i)),
    0,
  );
  full = pushToast(full, note('agent-crashed', 7), 0);
  assert.equal(full.visible.length, 5);
  assert.deepEqual(titles(full.waiting), ['title agent-crashed 7']);
});

test('the same message is not repeated: its time restarts, or it is left alone', () => {
  let q = pushToast(emptyToastQueue, note('rate-limited'), 0);
  const again = pushToast(q, note('rate-limited'), 4000);
  assert.equal(again.visible.length, 1);
  assert.equal(again.visible[0]!.expiresAt, 14_000);
  assert.equal(again.visible[0]!.id, q.visible[0]!.id);
  q = pushToast(emptyToastQueue, note('agent-crashed'), 0);
  assert.equal(pushToast(q, note('agent-crashed'), 5), q);
  // Another project's message is another toast.
  assert.equal(pushToast(q, note('agent-crashed', 0, 'p2'), 5).visible.length, 2);
  // Waiting twins are not queued twice.
  let w = pushAll(
    emptyToastQueue,
    Array.from({ length: 6 }, (_, i) => note('window-ended', i)),
    0,
  );
  assert.equal(pushToast(w, note('window-ended', 5), 1), w);
  // The waiting list is bounded: the oldest waiting ones are dropped.
  w = pushAll(
    w,
    Array.from({ length: TOAST_WAITING_CAP + 10 }, (_, i) => note('window-ended', 100 + i)),
    1,
  );
  assert.equal(w.waiting.length, TOAST_WAITING_CAP);
  assert.equal(w.waiting.at(-1)!.title, `title window-ended ${100 + TOAST_WAITING_CAP + 9}`);
});

test('while held (pointer or focus on the toasts) nothing expires; the clock resumes after', () => {
  let q = pushToast(emptyToastQueue, note('all-passing'), 0);
  q = holdToasts(q, 6000);
  assert.equal(holdToasts(q, 7000), q, 'holding twice keeps the first instant');
  assert.equal(nextExpiry(q), null);
  assert.equal(expireToasts(q, 60_000), q);
  q = releaseToasts(q, 26_000);
  assert.equal(q.heldSince, null);
  assert.equal(q.visible[0]!.expiresAt, 30_000, 'it keeps the four seconds it had left');
  assert.equal(expireToasts(q, 29_999).visible.length, 1);
  assert.equal(expireToasts(q, 30_000).visible.length, 0);
  assert.equal(releaseToasts(q, 40_000), q, 'releasing when not held changes nothing');
});

test('only the browser shell shows toasts', () => {
  assert.equal(showsToasts({ shell: 'browser' }), true);
  assert.equal(showsToasts({ shell: 'electron' }), false);
  assert.equal(showsToasts(null), false);
});

test('the store removes a toast when its time is up, with one timer', (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 50_000 });
  t.after(() => {
    useToasts.getState().clear();
    mock.timers.reset();
  });
  const store = useToasts.getState();
  store.push(note('all-passing'));
  store.push(note('agent-crashed'));
  mock.timers.tick(3000);
  store.push(note('window-started'));
  assert.deepEqual(
    useToasts.getState().queue.visible.map((t) => t.kind),
    ['all-passing', 'agent-crashed', 'window-started'],
  );
  mock.timers.tick(TOAST_AUTO_DISMISS_MS - 3000);
  assert.deepEqual(
    useToasts.getState().queue.visible.map((t) => t.kind),
    ['agent-crashed', 'window-started'],
  );
  // Held from 11 s to 20 s: the window toast (due at 13 s) waits those nine seconds longer.
  mock.timers.tick(1000);
  store.hold();
  mock.timers.tick(9000);
  assert.equal(useToasts.getState().queue.visible.length, 2);
  store.release();
  mock.timers.tick(1999);
  assert.equal(useToasts.getState().queue.visible.length, 2);
  mock.timers.tick(1);
  assert.deepEqual(
    useToasts.getState().queue.visible.map((t) => t.kind),
    ['agent-crashed'],
  );
  mock.timers.tick(10 * 60_000);
  assert.equal(useToasts.getState().queue.visible.length, 1, 'the crash stays until dismissed');
  store.dismiss(useToasts.getState().queue.visible[0]!.id);
  assert.equal(useToasts.getState().queue.visible.length, 0);
});
