import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../main/services/line-splitter.ts';

test('splits CRLF, LF and CR, and keeps multi-byte characters split across chunks', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  const bytes = Buffer.from('one\r\ntwo\nthr€e\rfour', 'utf8');
  for (let i = 0; i < bytes.length; i++) s.push(bytes.subarray(i, i + 1));
  s.end();
  assert.deepEqual(lines, ['one', 'two', 'thr€e', 'four']);
});

test('invalid UTF-8 becomes U+FFFD and very long lines are cut', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), 10);
  s.push(Buffer.from([0x61, 0xff, 0x62, 0x0a]));
  s.push('x'.repeat(25));
  s.end();
  assert.equal(lines[0], 'a\uFFFDb');
  assert.deepEqual(lines.slice(1), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
});
