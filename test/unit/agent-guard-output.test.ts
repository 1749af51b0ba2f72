import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { AgentOutput } from '../../agent/output.ts';
import { parseAgentEventLine } from '../../contract/agent-events.ts';
import { parseRunLogRecord } from '../../core/run-log.ts';
import { summarizeToolUse } from '../../agent/session.ts';

test('tool summaries are short and say what the agent is doing', () => {
  assert.equal(
    summarizeToolUse('mcp__features__feature_mark_passing', { feature_id: 3 }),
    'feature_mark_passing #3',
  );
  assert.equal(
    summarizeToolUse('Bash', { command: 'npm test', description: 'Run tests' }),
    'Bash: Run tests',
  );
  assert.equal(summarizeToolUse('Edit', { file_path: '/p/a.ts' }), 'Edit /p/a.ts');
});

test('output: typed events and redacted lines on stdout; after EPIPE, run-log records instead, never a crash', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const written: string[] = [];
  let broken = false;
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (broken) {
        const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        cb(err);
        return;
      }
      written.push(chunk.toString());
      cb();
    },
  });
  const runLog = join(dir, 'runs', 'r.jsonl');
  const out = new AgentOutput({ runLogPath: runLog, secrets: ['sk-secret-value-123'], stdout });
  out.event({ type: 'error', agentId: null, message: 'key sk-secret-value-123 leaked' });
  out.line('plain line');
  const ev = parseAgentEventLine(written[0]!.trim());
  assert.equal(ev?.type, 'error');
  assert.ok(ev?.type === 'error' && !ev.message.includes('sk-secret-value-123'));
  assert.equal(written[1], 'plain line\n');
  broken = true;
  out.line('this write fails');
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      assert.equal(out.detached, true);
      out.line('after the pipe broke');
      out.event({
        type: 'progress',
        progress: { total: 1, passing: 1, inProgress: 0, underTest: 0, blocked: 0, needsHuman: 0 },
      });
      const records = readFileSync(runLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => parseRunLogRecord(l)!);
      assert.equal(records[0]!.line, 'after the pipe broke');
      assert.equal(parseAgentEventLine(records[1]!.line)?.type, 'progress');
      resolve();
    }),
  );
});
