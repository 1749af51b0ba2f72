/**
 * Restoring and pruning checkpoints (core/checkpoint-restore.ts, core/checkpoint-prune.ts) in
 * real git repositories in temporary folders: a restore shows what it changes first, makes the
 * files the checkpoint's, keeps what was there as an undo checkpoint, and leaves Nightshift's
 * state and ignored files alone; pruning deletes only old checkpoints whose work is held elsewhere.
 */
import { test } from 'node:test';
import { git } from '../helpers/git.ts';
import { checkpointAt, tempRepo } from '../helpers/git-repo.ts';
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createCheckpoint, listCheckpoints } from '../../core/checkpoints.ts';
import { previewRestore, restoreCheckpoint } from '../../core/checkpoint-restore.ts';
import { pruneCheckpoints, retention } from '../../core/checkpoint-prune.ts';

const repo = (t: { after: (fn: () => void) => void }): string =>
  tempRepo(t, 'ns-cpr-', {
    '.gitignore': 'node_modules/\n',
    'a.txt': 'one\ntwo\n',
    'b.txt': 'bee\n',
  });

const read = (dir: string, f: string): string => readFileSync(join(dir, f), 'utf8');
const DAY = 24 * 60 * 60_000;

test('restoring shows what it changes first, then makes the files the checkpoint’s and keeps an undo checkpoint', async (t) => {
  const dir = repo(t);
  // The session's starting point: an edit, a new file in a folder, and an executable script.
  writeFileSync(join(dir, 'a.txt'), 'one\ntwo\nthree\n');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'keep.ts'), 'export {};\n');
  writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'run.sh'), 0o755);
  const cp = await createCheckpoint(dir, { runId: 'r1', featureId: 4, attempt: 1 });
  assert.ok(cp.ok);

  // What the session did afterwards: rewrote a.txt, deleted b.txt, run.sh and src/keep.ts, added files.
  writeFileSync(join(dir, 'a.txt'), 'rewritten\n');
  rmSync(join(dir, 'b.txt'));
  rmSync(join(dir, 'run.sh'));
  rmSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'junk', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'junk', 'deep', 'x.txt'), 'x\n');
  git(dir, 'add', 'junk');
  // Nightshift's state and ignored files must survive a restore untouched.
  mkdirSync(join(dir, '.nightshift', 'runs'), { recursive: true });
  writeFileSync(join(dir, '.nightshift', 'runs', 'r1.jsonl'), 'log\n');
  writeFileSync(join(dir, 'features.db'), 'db now');
  mkdirSync(join(dir, 'node_modules'));
  writeFileSync(join(dir, 'node_modules', 'm.js'), 'module\n');
  const head = git(dir, 'rev-parse', 'HEAD');

  const preview = await previewRestore(dir, cp.checkpoint.ref);
  assert.ok(preview.ok, preview.ok ? '' : preview.message);
  assert.deepEqual(preview.diff.changes.map((c) => [c.path, c.change]).sort(), [
    ['a.txt', 'modified'],
    ['b.txt', 'added'],
    ['junk/deep/x.txt', 'deleted'],
    ['run.sh', 'added'],
    ['src/keep.ts', 'added'],
  ]);
  assert.equal(preview.diff.files, 5);
  assert.equal(preview.diff.insertions, 3 + 1 + 2 + 1);
  assert.equal(preview.diff.deletions, 1 + 1);
  assert.equal(read(dir, 'a.txt'), 'rewritten\n', 'a preview changes nothing');

  const r = await restoreCheckpoint(dir, cp.checkpoint.ref, {
    featureId: 4,
    now: 1_800_000_000_000,
  });
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.diff.files, 5);
  assert.equal(read(dir, 'a.txt'), 'one\ntwo\nthree\n');
  assert.equal(read(dir, 'b.txt'), 'bee\n');
  assert.equal(read(dir, 'src/keep.ts'), 'export {};\n');
  assert.ok(statSync(join(dir, 'run.sh')).mode & 0o100, 'the executable bit is restored');
  assert.equal(
    existsSync(join(dir, 'junk')),
    false,
    'a file the checkpoint lacks goes, and its empty folders',
  );
  assert.equal(read(dir, 'features.db'), 'db now', 'the backlog database is not rolled back');
  assert.equal(read(dir, '.nightshift/runs/r1.jsonl'), 'log\n');
  assert.equal(read(dir, 'node_modules/m.js'), 'module\n', 'ignored files stay');
  assert.equal(git(dir, 'rev-parse', 'HEAD'), head, 'HEAD does not move');
  assert.equal(git(dir, 'diff', '--cached', '--name-only'), '', 'the index follows HEAD again');

  // The undo checkpoint holds what was there, and restoring it undoes the restore.
  assert.ok(r.undo);
  assert.equal(r.undo.ref, 'refs/nightshift/checkpoints/undo-1800000000000/4-0');
  assert.equal(git(dir, 'show', `${r.undo.ref}:a.txt`), 'rewritten');
  assert.equal(git(dir, 'show', `${r.undo.ref}:junk/deep/x.txt`), 'x');
  const back = await restoreCheckpoint(dir, r.undo.ref, { featureId: 4, now: 1_800_000_001_000 });
  assert.ok(back.ok);
  assert.equal(read(dir, 'a.txt'), 'rewritten\n');
  assert.equal(read(dir, 'junk/deep/x.txt'), 'x\n');
  assert.equal(existsSync(join(dir, 'b.txt')), false);
  assert.equal(existsSync(join(dir, 'src')), false);
});

test('a restore that would change nothing changes nothing and keeps no undo checkpoint; a missing ref is a sentence', async (t) => {
  const dir = repo(t);
  const cp = await createCheckpoint(dir, { runId: 'r1', featureId: 1, attempt: 1 });
  assert.ok(cp.ok);
  const r = await restoreCheckpoint(dir, cp.checkpoint.ref, { featureId: 1 });
  assert.ok(r.ok);
  assert.equal(r.diff.files, 0);
  assert.equal(r.undo, null);
  assert.equal((await listCheckpoints(dir)).length, 1);
  const gone = await restoreCheckpoint(dir, 'refs/nightshift/checkpoints/r9/1-1', { featureId: 1 });
  assert.deepEqual(gone, {
    ok: false,
    message: 'The checkpoint refs/nightshift/checkpoints/r9/1-1 does not exist any more.',
  });
});

test('pruning deletes old checkpoints whose files a commit or a newer kept checkpoint holds, and keeps the rest', async (t) => {
  const dir = repo(t);
  const now = Date.now();
  const old = now - 20 * DAY;
  // 1: the tree of the committed HEAD (nothing uncommitted): held by the branch.
  const clean = await checkpointAt(dir, old, 1);
  // 2: uncommitted work that was later committed: held by the branch.
  writeFileSync(join(dir, 'a.txt'), 'committed later\n');
  const committed = await checkpointAt(dir, old + 1000, 2);
  git(dir, 'commit', '-qam', 'later');
  // 3: uncommitted work nothing else holds: kept.
  writeFileSync(join(dir, 'b.txt'), 'only in a checkpoint\n');
  const unique = await checkpointAt(dir, old + 2000, 3);
  // 4 and 5: the same uncommitted tree twice; the older copy goes, since the newer one is kept.
  writeFileSync(join(dir, 'c.txt'), 'twice\n');
  const olderCopy = await checkpointAt(dir, old + 3000, 4);
  const newerCopy = await checkpointAt(dir, now - DAY, 4, 2);
  assert.ok(clean.ok && committed.ok && unique.ok && olderCopy.ok && newerCopy.ok);

  const fates = await retention(dir, 14 * DAY, now);
  assert.deepEqual(
    Object.fromEntries(fates.map((f) => [f.checkpoint.ref.split('/').slice(-1)[0], f.retention])),
    { '1-1': 'covered', '2-1': 'covered', '3-1': 'holds-work', '4-1': 'covered', '4-2': 'young' },
  );
  const r = await pruneCheckpoints(dir, 14 * DAY, now);
  assert.deepEqual(r.deleted.map((c) => c.ref).sort(), [
    clean.checkpoint.ref,
    committed.checkpoint.ref,
    olderCopy.checkpoint.ref,
  ]);
  assert.deepEqual(
    r.kept.map((c) => c.ref),
    [unique.checkpoint.ref],
  );
  assert.deepEqual(
    (await listCheckpoints(dir)).map((c) => c.ref).sort(),
    [newerCopy.checkpoint.ref, unique.checkpoint.ref].sort(),
  );
  // With a longer limit nothing is old, so nothing goes.
  assert.deepEqual((await pruneCheckpoints(dir, 30 * DAY, now)).deleted, []);
});
