/**
 * Checkpoints of the working tree as git refs (core/checkpoints.ts), in real git repositories in
 * temporary folders: everything uncommitted is kept (staged, unstaged, untracked; not ignored
 * files), and nothing the user sees changes.
 */
import { test } from 'node:test';
import { git } from '../helpers/git.ts';
import { checkpointAt, tempRepo } from '../helpers/git-repo.ts';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, listCheckpoints } from '../../core/checkpoints.ts';

const repo = (t: { after: (fn: () => void) => void }, commit = true): string =>
  tempRepo(
    t,
    'ns-cp-',
    { '.gitignore': 'node_modules/\n.nightshift/\n', 'a.txt': 'one\n', 'b.txt': 'two\n' },
    { commit },
  );

test('a checkpoint keeps staged, unstaged and untracked work, and changes nothing the user sees', async (t) => {
  const dir = repo(t);
  writeFileSync(join(dir, 'a.txt'), 'one, edited\n');
  writeFileSync(join(dir, 'b.txt'), 'two, staged\n');
  git(dir, 'add', 'b.txt');
  writeFileSync(join(dir, 'new.txt'), 'untracked\n');
  execFileSync('mkdir', ['-p', join(dir, 'node_modules')]);
  writeFileSync(join(dir, 'node_modules', 'x.js'), 'ignored\n');
  // Nightshift's own state, ignored here: a checkpoint must still be made (and leave it out).
  execFileSync('mkdir', ['-p', join(dir, '.nightshift', 'runs')]);
  writeFileSync(join(dir, '.nightshift', 'runs', 'r.jsonl'), 'log\n');
  writeFileSync(join(dir, 'features.db'), 'db');
  const statusBefore = git(dir, 'status', '--porcelain');
  const headBefore = git(dir, 'rev-parse', 'HEAD');
  const stagedBefore = git(dir, 'diff', '--cached', '--name-only');

  const r = await createCheckpoint(dir, { runId: 'run:1', featureId: 7, attempt: 2 });
  assert.ok(r.ok, r.ok ? '' : r.message);
  const cp = r.checkpoint;
  assert.equal(cp.ref, 'refs/nightshift/checkpoints/run_1/7-2');
  assert.equal(git(dir, 'rev-parse', cp.ref), cp.commit);
  assert.equal(git(dir, 'show', `${cp.ref}:a.txt`), 'one, edited');
  assert.equal(git(dir, 'show', `${cp.ref}:b.txt`), 'two, staged');
  assert.equal(git(dir, 'show', `${cp.ref}:new.txt`), 'untracked');
  assert.throws(
    () => git(dir, 'show', `${cp.ref}:node_modules/x.js`),
    'ignored files are not kept',
  );
  assert.throws(() => git(dir, 'show', `${cp.ref}:features.db`), 'the backlog is not kept');
  assert.equal(git(dir, 'rev-parse', `${cp.ref}^`), headBefore, 'its parent is HEAD');

  assert.equal(
    git(dir, 'status', '--porcelain'),
    statusBefore,
    'the working tree and index are as they were',
  );
  assert.equal(git(dir, 'diff', '--cached', '--name-only'), stagedBefore);
  assert.equal(git(dir, 'rev-parse', 'HEAD'), headBefore);
  assert.equal(git(dir, 'stash', 'list'), '');
});

test('checkpoints are listed per feature, newest first; a repository without commits gets one without a parent', async (t) => {
  const dir = repo(t, false);
  const first = await checkpointAt(dir, 1_700_000_000_000, 1);
  assert.ok(first.ok);
  assert.throws(() => git(dir, 'rev-parse', '--verify', '--quiet', `${first.checkpoint.ref}^`));
  writeFileSync(join(dir, 'a.txt'), 'changed\n');
  const second = await checkpointAt(dir, 1_700_000_100_000, 1, 2);
  const other = await checkpointAt(dir, 1_700_000_050_000, 2);
  assert.ok(second.ok && other.ok);
  const mine = await listCheckpoints(dir, 1);
  assert.deepEqual(
    mine.map((c) => [c.featureId, c.attempt, c.createdAt]),
    [
      [1, 2, 1_700_000_100_000],
      [1, 1, 1_700_000_000_000],
    ],
  );
  assert.equal((await listCheckpoints(dir)).length, 3);
});

test('a folder that is not a git repository gets no checkpoint, with the reason', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-cp-plain-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await createCheckpoint(dir, { runId: 'r', featureId: 1, attempt: 1 });
  assert.deepEqual(r.ok ? null : r.code, 'not-a-repository');
  assert.deepEqual(await listCheckpoints(dir), []);
});
