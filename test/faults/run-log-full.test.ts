/**
 * A disk that fills up under a running agent: the run-log writer gets ENOSPC. Nightshift must not
 * crash, the agent keeps running and stays controllable, the live log goes on, and the user is
 * told once, in a sentence, that the log on disk is incomplete. Needs root for a small tmpfs;
 * skips with the reason where mounting is not allowed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeHarness, runSettings, waitFor, waitForStatus } from '../helpers/supervisor-harness.ts';

function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

/** Writes filler until the filesystem answers ENOSPC. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 120);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch (error) {
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
      return;
    }
  }
}

test('ENOSPC under the run-log writer: no crash, the agent runs on and stops on command, the user is told once', async (t) => {
  const outer = mkdtempSync(join(tmpdir(), 'nightshift-fault-runlog-'));
  const root = join(outer, 'disk');
  if (!mountTmpfs(root, '1m')) {
    rmSync(outer, { recursive: true, force: true });
    t.skip('mount -t tmpfs is not allowed here');
    return;
  }
  const h = makeHarness({ root, agentArgs: ['--interval', '5'] });
  const texts: string[] = [];
  h.supervisor.onLog((id, batch) => {
    if (id === 'full') texts.push(...batch.map((l) => l.text));
  });
  try {
    h.addProject('full');
    const started = await h.supervisor.start('full', { settings: runSettings, origin: 'manual' });
    assert.equal(started.ok, true, JSON.stringify(started));
    await waitFor(() => texts.length > 5, 'the first log lines');
    fill(root);
    const notice = await waitFor(
      () => texts.find((l) => l.includes('cannot be written')),
      'the run-log notice',
      15_000,
    );
    assert.match(notice, /ENOSPC|no space/i);
    assert.match(notice, /log on disk is incomplete/);
    const seen = texts.length;
    await waitFor(() => texts.length > seen + 20, 'live lines after the disk filled');
    assert.equal(texts.filter((l) => l.includes('cannot be written')).length, 1, 'told once');
    assert.equal(h.supervisor.state('full').status, 'running');
    const stopped = await h.supervisor.stop('full');
    assert.equal(stopped.ok, true, JSON.stringify(stopped));
    await waitForStatus(h.supervisor, 'full', 'stopped');
  } finally {
    try {
      await h.dispose();
    } finally {
      unmount(root);
      rmSync(outer, { recursive: true, force: true });
    }
  }
});
