import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkProjectPath } from '../../main/services/project-folder-rules.ts';

/** A home folder of the test's own, with the credential folders a real one has. */
function fakeHome() {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-folders-'));
  const home = join(root, 'home');
  const dirs = [
    '.claude/projects',
    '.config/gh',
    '.config/gcloud/legacy',
    '.config/my-editor',
    '.local/share/keyrings',
    '.local/share/my-app',
    '.password-store/work',
    'Library/Keychains',
    'Library/Code/app',
    'code/app',
    'data/nightshift',
    'scratch',
  ];
  for (const d of dirs) mkdirSync(join(home, d), { recursive: true });
  const context = { home, tmp: join(home, 'scratch'), dataDir: join(home, 'data', 'nightshift') };
  return { root, home, context };
}

test('credential, keyring and agent folders under home are refused with the reason', () => {
  const { root, home, context } = fakeHome();
  try {
    const refused: [string, RegExp][] = [
      [home, /home folder itself/],
      [join(home, '.claude'), /credentials or configuration/],
      [join(home, '.claude', 'projects'), /credentials or configuration/],
      [join(home, '.config'), /credentials and configuration of other programs/],
      [join(home, '.config', 'gh'), /credentials or configuration/],
      [join(home, '.config', 'gcloud', 'legacy'), /credentials or configuration/],
      [join(home, '.local', 'share', 'keyrings'), /credentials or configuration/],
      [join(home, '.local', 'share'), /credentials and configuration of other programs/],
      [join(home, '.password-store'), /credentials or configuration/],
      [join(home, '.password-store', 'work'), /credentials or configuration/],
      [join(home, 'Library'), /credentials and configuration of other programs/],
      [join(home, 'Library', 'Keychains'), /credentials or configuration/],
    ];
    for (const [path, reason] of refused) {
      const r = checkProjectPath(path, context);
      assert.equal(r.ok, false, path);
      if (!r.ok) assert.match(r.message, reason, path);
    }
    for (const path of [
      join(home, 'code', 'app'),
      join(home, '.config', 'my-editor'),
      join(home, '.local', 'share', 'my-app'),
      join(home, 'Library', 'Code', 'app'),
    ]) {
      assert.deepEqual(checkProjectPath(path, context), { ok: true, path }, path);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("Nightshift's data folder, any folder holding it, and the temp folder itself are refused", () => {
  const { root, home, context } = fakeHome();
  try {
    const cases: [string, RegExp][] = [
      [context.dataDir, /inside Nightshift's own data folder/],
      [join(home, 'data'), /contains Nightshift's own data folder/],
      [context.tmp, /temporary folder itself/],
    ];
    for (const [path, reason] of cases) {
      const r = checkProjectPath(path, context);
      assert.equal(r.ok, false, path);
      if (!r.ok) assert.match(r.message, reason, path);
    }
    mkdirSync(join(context.dataDir, 'inner'));
    const inner = checkProjectPath(join(context.dataDir, 'inner'), context);
    assert.equal(inner.ok, false);
    // The real temp folder itself too; folders inside it stay allowed.
    const real = checkProjectPath(tmpdir());
    assert.equal(real.ok, false);
    if (!real.ok) assert.match(real.message, /temporary folder itself|system folder/);
    mkdirSync(join(context.tmp, 'project'));
    assert.equal(checkProjectPath(join(context.tmp, 'project'), context).ok, true);
    assert.equal(checkProjectPath(root).ok, true, 'a folder inside the real temp folder');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a symlink to a refused folder is refused as that folder', () => {
  const { root, home, context } = fakeHome();
  try {
    const link = join(home, 'code', 'innocent');
    symlinkSync(join(home, '.claude'), link);
    const r = checkProjectPath(link, context);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /\.claude holds credentials/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
