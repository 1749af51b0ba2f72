/**
 * Database trouble in the middle of a run, against the real agent (real SQLite file, real Claude
 * Code against the fake Anthropic server): the features database held locked by another process
 * for a while (the long form is bench/soak/db-lock.ts), damaged, or deleted. Each ends with a
 * clear outcome: the run continues, or it stops with one sentence; never a crash or a stack.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeaturesDb } from '../../core/features-db.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { assertGroupGone, exitWithin, type AgentRun } from '../fixtures/agent-harness.ts';
import { agentSuite, ofType, lastLines } from '../helpers/agent-suite.ts';

const suite = agentSuite();
const { project } = suite;
const locker = resolve(fileURLToPath(import.meta.url), '../../helpers/db-locker.ts');

function backlog(names: string[]): string {
  const dir = project('App\n');
  const db = FeaturesDb.open(join(dir, 'features.db'));
  db.createBulk(names.map((name) => ({ category: 'c', name, description: name, steps: ['s'] })));
  db.close();
  return dir;
}

/** No event or line of the run carries a stack trace or an internal error. */
function assertNoStack(run: AgentRun): void {
  const bad = run.lines.filter((l) =>
    /\n\s+at |\bat \S+ \(.*:\d+:\d+\)|Internal error|orchestrator failed/.test(l),
  );
  assert.deepEqual(bad, []);
}

test('features.db held locked by another process for 10 s: the run waits and goes on, nothing counted', async () => {
  suite.fake.setBrain(scriptedBrain({ slowOn: new Map([[1, 3]]) }));
  const dir = backlog(['A', 'B']);
  const run = suite.start({ projectDir: dir });
  const lock = { child: null as ReturnType<typeof spawn> | null };
  try {
    await run.waitFor(
      (e) => e.type === 'activity' && e.summary.includes('Implement it'),
      120_000,
      'the first Bash call',
    );
    const child = spawn(process.execPath, [locker, join(dir, 'features.db'), '10000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    lock.child = child;
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('the locker did not lock')), 20_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('locked')) {
          clearTimeout(timer);
          ok();
        }
      });
    });
    const { code } = await exitWithin(run, 240_000);
    assert.equal(code, 0, lastLines(run));
    assert.ok(
      run.lines.some((l) =>
        /The features database is locked by another program; (waiting|the tool call waits) for it\./.test(
          l,
        ),
      ),
      lastLines(run),
    );
    assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete', lastLines(run));
    const db = FeaturesDb.open(join(dir, 'features.db'));
    assert.deepEqual(
      db.all().map((f) => [f.passes, f.attempts]),
      [
        [true, 0],
        [true, 0],
      ],
    );
    db.close();
    assertNoStack(run);
  } finally {
    lock.child?.kill('SIGKILL');
    run.killGroup();
    await assertGroupGone(run.pid);
  }
});

for (const fault of ['deleted', 'damaged'] as const) {
  test(`features.db ${fault} mid-run: the run stops with one sentence and aborts its sessions`, async () => {
    suite.fake.setBrain(scriptedBrain({ hangOn: new Set([1]) }));
    const dir = backlog(['Hangs']);
    const run = suite.start({ projectDir: dir });
    try {
      await run.waitFor(
        (e) => e.type === 'activity' && e.summary.includes('Wait for the build'),
        120_000,
        'the hanging Bash call',
      );
      const path = join(dir, 'features.db');
      if (fault === 'deleted')
        for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, { force: true });
      else writeFileSync(path, 'not a database any more '.repeat(400), { flag: 'r+' });
      const { code } = await exitWithin(run, 60_000);
      assert.equal(code, 1, lastLines(run));
      const last = ofType(run, 'run-state').at(-1)!;
      assert.equal(last.phase, 'failed');
      assert.match(
        last.message,
        fault === 'deleted'
          ? /^The features database \(.*\) was removed or replaced while the run was going on; the run stopped\./
          : /^The features database \(.*\) is damaged \(.*\); the run stopped\./,
      );
      assert.equal(
        ofType(run, 'agent-finished').at(-1)!.outcome,
        'aborted',
        'the session was aborted',
      );
      assertNoStack(run);
    } finally {
      run.killGroup();
      await assertGroupGone(run.pid);
    }
  });
}

test('a damaged features.db at start: the run fails with one sentence', async () => {
  suite.fake.setBrain(scriptedBrain());
  const dir = project('App\n- One\n');
  writeFileSync(join(dir, 'features.db'), 'garbage '.repeat(1000));
  const run = suite.start({ projectDir: dir });
  try {
    const { code } = await exitWithin(run, 60_000);
    assert.equal(code, 1);
    assert.match(
      ofType(run, 'run-state').at(-1)!.message,
      /^The features database \(.*\) is damaged/,
    );
    assert.equal(ofType(run, 'agent-started').length, 0);
    assertNoStack(run);
  } finally {
    run.killGroup();
    await assertGroupGone(run.pid);
  }
});
