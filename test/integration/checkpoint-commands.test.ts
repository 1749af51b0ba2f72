/**
 * The checkpoint commands through the real `nightshift serve` and its WebSocket API, on real git
 * repositories in temporary folders, with a real (fixture) agent process: list, preview and
 * restore (refused while the agent runs), pruning at a run's start, and `git init` for a folder
 * without git (refused while the agent runs).
 */
import { test } from 'node:test';
import { git } from '../helpers/git.ts';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint, listCheckpoints } from '../../core/checkpoints.ts';
import type {
  CheckpointList,
  CheckpointPreview,
  CheckpointRestored,
  RepositoryStatus,
} from '../../contract/index.ts';
import { ApiClient, startServe } from '../helpers/serve.ts';
import { checkpointAt, initRepo } from '../helpers/git-repo.ts';

const DAY = 24 * 60 * 60_000;

async function statusOf(client: ApiClient, id: string): Promise<string> {
  const s = await client.call<{ status: string }>('agent.status', { id });
  return s.ok ? s.value.status : 'unknown';
}

async function stopAgent(client: ApiClient, id: string): Promise<void> {
  await client.call('agent.stop', { id });
  const deadline = Date.now() + 20_000;
  while ((await statusOf(client, id)) !== 'stopped') {
    if (Date.now() > deadline) throw new Error('the agent did not stop within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('checkpoints over the WebSocket API: listed with their diff stat, restore refused while the agent runs, then previewed, restored and undoable; old covered ones pruned at run start', async () => {
  const app = await startServe();
  const dir = mkdtempSync(join(tmpdir(), 'ns-cpc-'));
  const client = await ApiClient.connect(app);
  try {
    initRepo(dir, { 'a.txt': 'one\n' });
    // An old checkpoint whose files the branch holds (pruned at run start), one that holds
    // work nothing else has (kept, and the list says so), and a recent one.
    const monthAgo = Date.now() - 30 * DAY;
    const covered = await checkpointAt(dir, monthAgo, 2, 1, 'old');
    writeFileSync(join(dir, 'a.txt'), 'one\nwork only here\n');
    const kept = await checkpointAt(dir, monthAgo, 3, 1, 'old');
    writeFileSync(join(dir, 'a.txt'), 'one\ntwo\n');
    writeFileSync(join(dir, 'new.txt'), 'new\n');
    const cp = await createCheckpoint(dir, { runId: 'run-1', featureId: 3, attempt: 2 });
    assert.ok(covered.ok && kept.ok && cp.ok);
    // The session then rewrote a.txt and removed new.txt.
    writeFileSync(join(dir, 'a.txt'), 'rewritten\n');
    rmSync(join(dir, 'new.txt'));

    const added = await client.call<{ id: string }>('projects.add', { name: 'cpc', path: dir });
    assert.ok(added.ok, JSON.stringify(added));
    const id = added.value.id;
    const repo = await client.call<RepositoryStatus>('checkpoints.repository', { id });
    assert.deepEqual(repo, { ok: true, value: { repository: true, message: null } });

    const list = await client.call<CheckpointList>('checkpoints.list', { id, featureId: 3 });
    assert.ok(list.ok);
    assert.deepEqual(
      list.value.checkpoints.map((c) => [c.ref, c.runId, c.attempt, c.kind, c.stat, c.kept]),
      [
        [cp.checkpoint.ref, 'run-1', 2, 'session', { files: 2, insertions: 3, deletions: 1 }, null],
        [
          kept.checkpoint.ref,
          'old',
          1,
          'session',
          { files: 1, insertions: 2, deletions: 1 },
          'kept: holds work nothing else has',
        ],
      ],
    );
    const bad = await client.call('checkpoints.restore', { id, ref: 'refs/heads/main' });
    assert.deepEqual(bad.ok ? null : [bad.error.code, bad.error.message], [
      'invalid-input',
      'That is not a Nightshift checkpoint.',
    ]);

    // Starting a run prunes the old checkpoint whose files the branch holds.
    assert.ok(
      (await listCheckpoints(dir)).some((c) => c.ref === covered.checkpoint.ref),
      'not pruned before the run',
    );
    const started = await client.call('agent.start', { id });
    assert.ok(started.ok, JSON.stringify(started));
    const deadline = Date.now() + 20_000;
    while ((await listCheckpoints(dir)).some((c) => c.ref === covered.checkpoint.ref)) {
      if (Date.now() > deadline)
        throw new Error('the covered checkpoint was not pruned at run start');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok((await listCheckpoints(dir)).some((c) => c.ref === kept.checkpoint.ref));

    const refused = await client.call('checkpoints.restore', { id, ref: cp.checkpoint.ref });
    assert.deepEqual(refused.ok ? null : [refused.error.code, refused.error.message], [
      'conflict',
      'The agent of cpc is running. Stop it, or drain it until it shows as paused, before you restore a checkpoint.',
    ]);
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'rewritten\n', 'nothing changed');
    await stopAgent(client, id);

    const preview = await client.call<CheckpointPreview>('checkpoints.preview', {
      id,
      ref: cp.checkpoint.ref,
    });
    assert.ok(preview.ok);
    assert.deepEqual(
      [preview.value.files, preview.value.insertions, preview.value.deletions],
      [2, 3, 1],
    );
    assert.deepEqual(
      preview.value.changes.map((c) => [c.path, c.change]),
      [
        ['a.txt', 'modified'],
        ['new.txt', 'added'],
      ],
    );
    const restored = await client.call<CheckpointRestored>('checkpoints.restore', {
      id,
      ref: cp.checkpoint.ref,
    });
    assert.ok(restored.ok, JSON.stringify(restored));
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'one\ntwo\n');
    assert.equal(readFileSync(join(dir, 'new.txt'), 'utf8'), 'new\n');
    const undoRef = restored.value.undoRef;
    assert.match(undoRef ?? '', /^refs\/nightshift\/checkpoints\/undo-\d+\/3-0$/);
    assert.equal(
      restored.value.message,
      `Restored run-1/3-2: 2 files changed, 3 insertions, 1 deletion. What was there before is kept as ${undoRef}; restore it to undo this.`,
    );
    const after = await client.call<CheckpointList>('checkpoints.list', { id, featureId: 3 });
    assert.ok(after.ok);
    const undo = after.value.checkpoints.find((c) => c.ref === undoRef);
    assert.equal(undo?.kind, 'undo');
    assert.deepEqual(undo?.stat, { files: 2, insertions: 1, deletions: 3 });
    const undone = await client.call<CheckpointRestored>('checkpoints.restore', {
      id,
      ref: undoRef,
    });
    assert.ok(undone.ok);
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'rewritten\n');
    assert.equal(existsSync(join(dir, 'new.txt')), false);
  } finally {
    client.close();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a folder without git: the API says so, git init is refused while the agent runs, then makes a repository with a first commit', async () => {
  const app = await startServe();
  const dir = mkdtempSync(join(tmpdir(), 'ns-cpc-plain-'));
  const client = await ApiClient.connect(app);
  try {
    writeFileSync(join(dir, 'index.html'), '<p>hi</p>\n');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'app.js'), 'console.log(1);\n');
    const added = await client.call<{ id: string }>('projects.add', { name: 'plain', path: dir });
    assert.ok(added.ok, JSON.stringify(added));
    const id = added.value.id;
    const repo = await client.call<RepositoryStatus>('checkpoints.repository', { id });
    assert.deepEqual(repo, {
      ok: true,
      value: {
        repository: false,
        message:
          'This folder is not a git repository: Nightshift cannot checkpoint work before each session.',
      },
    });
    const started = await client.call('agent.start', { id });
    assert.ok(started.ok, JSON.stringify(started));
    const refused = await client.call('checkpoints.initGit', { id });
    assert.deepEqual(refused.ok ? null : refused.error.code, 'conflict');
    assert.match(
      refused.ok ? '' : refused.error.message,
      /^The agent of plain is running\. Stop it/,
    );
    assert.equal(existsSync(join(dir, '.git')), false, 'nothing was initialized');
    await stopAgent(client, id);
    // The fixture agent wrote Nightshift's own state; it must stay out of the first commit.
    mkdirSync(join(dir, '.nightshift'), { recursive: true });
    writeFileSync(join(dir, 'features.db'), 'x');

    const init = await client.call<{ message: string }>('checkpoints.initGit', { id });
    assert.ok(init.ok, JSON.stringify(init));
    assert.equal(
      init.value.message,
      `Initialized git in ${dir} and committed its 2 files as the first commit. Nightshift now checkpoints the work before each coding session.`,
    );
    assert.equal(git(dir, 'ls-files'), 'index.html\nsrc/app.js');
    assert.equal(git(dir, 'rev-list', '--count', 'HEAD'), '1');
    assert.deepEqual(await client.call('checkpoints.repository', { id }), {
      ok: true,
      value: { repository: true, message: null },
    });
    const again = await client.call('checkpoints.initGit', { id });
    assert.deepEqual(again.ok ? null : again.error.message, `${dir} is already a git repository.`);
  } finally {
    client.close();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
