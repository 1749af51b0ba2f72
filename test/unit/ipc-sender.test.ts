import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrustedSender } from '../../main/electron/trusted-sender.ts';

const APP = 'app://nightshift';

test('IPC from the main frame of our app origin is accepted', () => {
  for (const url of [
    'app://nightshift/index.html',
    'app://nightshift/',
    'app://nightshift/#/p/1',
  ]) {
    assert.equal(isTrustedSender({ url, isMainFrame: true }, APP), true, url);
  }
});

test('IPC from a subframe, another origin or a malformed URL is refused', () => {
  const refused: [string, boolean][] = [
    ['app://nightshift/index.html', false], // an iframe inside our page
    ['https://evil.example/', true],
    ['http://localhost:5173/', true],
    ['file:///etc/passwd', true],
    ['app://nightshift.evil.example/', true],
    ['app://evil/', true],
    ['app://nightshift:8080/', true],
    ['app://user@nightshift/', true],
    ['other://nightshift/', true],
    ['about:blank', true],
    ['', true],
    ['not a url', true],
  ];
  for (const [url, isMainFrame] of refused) {
    assert.equal(isTrustedSender({ url, isMainFrame }, APP), false, `${url} main=${isMainFrame}`);
  }
  assert.equal(isTrustedSender(null, APP), false, 'no frame (it was destroyed)');
});
