import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDiagnostics } from '../../main/services/diagnostics.ts';

test('diagnostics rotate at the size limit, keep a bounded number of files and redact', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nightshift-diag-'));
  try {
    const d = createDiagnostics(dir, { maxBytes: 2_000, keep: 2 });
    for (let i = 0; i < 200; i++)
      d.log(
        'info',
        `message ${i} with ANTHROPIC_API_KEY=sk-ant-abcdefghijklmnop ${'x'.repeat(40)}`,
      );
    d.log('error', 'failed', new Error('boom'));
    const path = d.path as string;
    assert.ok(existsSync(path) && existsSync(`${path}.1`) && existsSync(`${path}.2`));
    assert.equal(existsSync(`${path}.3`), false, 'older files are dropped');
    const text = readFileSync(path, 'utf8');
    assert.match(text, /ERROR failed — Error: boom/);
    assert.ok(
      !readFileSync(`${path}.1`, 'utf8').includes('sk-ant-abcdef'),
      'secrets never reach the file',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
