import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NavigationQueue } from '../../main/electron/navigation-queue.ts';

function setup() {
  const delivered: string[] = [];
  const queue = new NavigationQueue((id) => delivered.push(id));
  return { delivered, queue };
}

test('a navigation asked for before the page loaded is delivered when it has loaded', () => {
  const { delivered, queue } = setup();
  // Launched hidden: no window yet. A notification click creates it and asks for a project.
  queue.loading();
  assert.equal(queue.navigate('p1'), 'queued');
  assert.deepEqual(delivered, [], 'nothing is sent to a page that cannot hear it');
  assert.equal(queue.waiting(), 'p1');
  queue.loaded();
  assert.deepEqual(delivered, ['p1']);
  assert.equal(queue.waiting(), null);
  queue.loaded();
  assert.deepEqual(delivered, ['p1'], 'delivered once');
});

test('before the first page exists navigations wait; once ready they go at once', () => {
  const { delivered, queue } = setup();
  assert.equal(queue.navigate('early'), 'queued', 'no page has loaded yet');
  queue.loaded();
  assert.equal(queue.navigate('p2'), 'delivered');
  assert.deepEqual(delivered, ['early', 'p2']);
});

test('the latest navigation wins while the page loads', () => {
  const { delivered, queue } = setup();
  queue.loading();
  queue.navigate('a');
  queue.navigate('b');
  queue.loaded();
  assert.deepEqual(delivered, ['b']);
});

test('a closed window or a reload holds navigations again', () => {
  const { delivered, queue } = setup();
  queue.loaded();
  queue.closed();
  assert.equal(queue.navigate('after-close'), 'queued');
  queue.loading();
  queue.loaded();
  queue.loading(); // reload
  assert.equal(queue.navigate('during-reload'), 'queued');
  queue.loaded();
  assert.deepEqual(delivered, ['after-close', 'during-reload']);
});
