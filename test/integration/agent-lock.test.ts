/**
 * The lock comes before the spawn, so it must be taken by exactly one of any number of apps
 * racing for it: many contender processes start at the same instant on one project, over a free
 * lock, a stale one (dead agent) and an unreadable old one, and exactly one wins each trial.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectLock, readLock, removeStaleLock } from '../../core/agent-lock.ts';
import { isAlive } from '../../core/process-table.ts';
import { lockPath, nightshiftDir } from '../../core/run-log.ts';

const contender = resolve(import.meta.dirname, '../helpers/lock-contender.ts');
const CONTENDERS = 8;
const TRIALS = 4;

function staleLock(projectDir: string): string {
  return JSON.stringify({
    version: 1,
    phase: 'running',
    ownerPid: 999_999,
    ownerStart: null,
    runId: 'old',
    projectDir,
    pid: 999_998,
    pgid: 999_998,
    startToken: 'x',
    marker: projectDir,
    runLog: '/nonexistent',
    settings: { model: 'claude-opus-4-6', yolo: false, codingAgents: 1, regressionAgents: 0 },
    origin: 'manual',
    startedAt: new Date().toISOString(),
  });
}

async function race(projectDir: string): Promise<string[]> {
  const startAt = Date.now() + 2_500;
  const children: ChildProcess[] = [];
  const results: Promise<string>[] = [];
  try {
    for (let i = 0; i < CONTENDERS; i++) {
      const child = spawn(process.execPath, [contender, projectDir, String(startAt), `c${i}`], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      children.push(child);
      results.push(
        new Promise((resolveLine, reject) => {
          let out = '';
          child.stdout?.on('data', (b: Buffer) => {
            out += b.toString();
            if (out.includes('\n')) resolveLine(out.trim());
          });
          child.once('exit', (code) => reject(new Error(`contender exited with ${code}: ${out}`)));
        }),
      );
    }
    // Every contender answers while all of them are still alive (a live owner stays busy).
    return await Promise.all(results);
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null || c.signalCode !== null) return r();
            c.once('exit', () => r());
            c.stdin?.end();
          }),
      ),
    );
    for (const c of children) assert.equal(isAlive(c.pid as number), false);
  }
}

for (const start of ['free', 'stale', 'unreadable-old'] as const) {
  test(`exactly one of ${CONTENDERS} concurrent apps takes a ${start} lock (${TRIALS} trials)`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const projectDir = mkdtempSync(join(tmpdir(), 'nightshift-lockrace-'));
      try {
        if (start !== 'free') {
          mkdirSync(nightshiftDir(projectDir), { recursive: true });
          writeFileSync(lockPath(projectDir), start === 'stale' ? staleLock(projectDir) : '{"ver');
          const old = new Date(Date.now() - 60_000);
          utimesSync(lockPath(projectDir), old, old);
        }
        const results = await race(projectDir);
        const winners = results.filter((r) => r === 'won');
        assert.equal(winners.length, 1, `trial ${trial}: ${results.join(', ')}`);
        const lock = readLock(projectDir);
        assert.ok(typeof lock === 'object', 'the winner left a complete lock');
        assert.match(lock.runId, /^c\d$/);
        const leftovers = readdirSync(nightshiftDir(projectDir)).filter((f) => f !== 'agent.lock');
        assert.deepEqual(leftovers, [], 'no temp or breaker files are left');
      } finally {
        rmSync(projectDir, { recursive: true, force: true });
      }
    }
  });
}

test('an unreadable lock that was just written is not cleared; an old one is', () => {
  const projectDir = mkdtempSync(join(tmpdir(), 'nightshift-lockyoung-'));
  try {
    mkdirSync(nightshiftDir(projectDir), { recursive: true });
    writeFileSync(lockPath(projectDir), '');
    assert.equal(inspectLock(projectDir).kind, 'being-written');
    assert.equal(removeStaleLock(projectDir), false);
    assert.equal(readLock(projectDir), 'corrupt', 'the young lock is still there');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(projectDir), old, old);
    assert.equal(inspectLock(projectDir).kind, 'stale');
    assert.equal(removeStaleLock(projectDir), true);
    assert.equal(readLock(projectDir), 'missing');
  } finally {
    rmSync(projectDir, { recursive: true, force: true });
  }
});
