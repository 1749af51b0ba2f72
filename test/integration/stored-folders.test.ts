import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Project, Result } from '../../contract/index.ts';
import { createNodeApp } from '../../main/server/node-app.ts';

const listOf = async (app: Awaited<ReturnType<typeof createNodeApp>>) =>
  ((await app.dispatch('projects.list', undefined)) as Result<Project[]> & { ok: true }).value;

test('a stored folder that is gone or now refused says why, cannot start, and nothing of it is deleted', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-stored-'));
  const dataDir = join(root, 'data');
  const gone = join(root, 'gone');
  const fine = join(root, 'fine');
  mkdirSync(gone);
  mkdirSync(fine);
  try {
    const first = await createNodeApp({ dataDir });
    try {
      for (const [name, path] of [
        ['gone', gone],
        ['fine', fine],
        ['moved', fine + '-2'],
      ] as const) {
        mkdirSync(path, { recursive: true });
        const added = await first.dispatch('projects.add', { name, path });
        assert.equal(added.ok, true, JSON.stringify(added));
      }
    } finally {
      await first.shutdown('stop-agents');
    }
    // While Nightshift is down: a folder is deleted, and the registry is edited so that a
    // project points at Nightshift's own data folder (a file written before the rule, or by hand).
    rmSync(gone, { recursive: true });
    const file = join(dataDir, 'nightshift.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      projects: { name: string; path: string }[];
    };
    for (const p of doc.projects) if (p.name === 'moved') p.path = dataDir;
    writeFileSync(file, JSON.stringify(doc, null, '\t'));

    const app = await createNodeApp({ dataDir });
    try {
      const byName = new Map((await listOf(app)).map((p) => [p.name, p]));
      assert.match(
        byName.get('gone')?.folderProblem ?? '',
        /does not exist any more.*nothing of the project was deleted/,
      );
      assert.match(
        byName.get('moved')?.folderProblem ?? '',
        /cannot run any more: .*Nightshift's own data folder/,
      );
      assert.equal(byName.get('fine')?.folderProblem, undefined);

      for (const name of ['gone', 'moved']) {
        const id = byName.get(name)?.id ?? '';
        const started = await app.dispatch('agent.start', { id });
        assert.equal(started.ok, false, name);
        if (!started.ok) {
          assert.equal(started.error.message, byName.get(name)?.folderProblem);
          assert.equal(started.error.field, 'path');
        }
        // The scheduler's way in (straight to the supervisor) is refused too.
        const scheduled = await app.supervisor.start(id, {
          settings: {
            model: 'claude-sonnet-4-5',
            yolo: false,
            codingAgents: 1,
            regressionAgents: 0,
          },
          origin: 'schedule',
        } as Parameters<typeof app.supervisor.start>[1]);
        assert.equal(scheduled.ok, false, `${name} via the supervisor`);
        assert.equal(app.supervisor.state(id).status, 'stopped');
      }
      // Nothing deleted: every project is still registered with its path, and the derived
      // field is never written to the file.
      const stored = JSON.parse(readFileSync(file, 'utf8')) as {
        projects: Record<string, unknown>[];
      };
      assert.deepEqual(stored.projects.map((p) => p.name).sort(), ['fine', 'gone', 'moved']);
      assert.ok(stored.projects.every((p) => !('folderProblem' in p)));
      const log = readFileSync(join(dataDir, 'logs', 'nightshift.log'), 'utf8');
      assert.match(log, /WARN gone: The folder .* does not exist any more/);
      assert.match(log, /WARN moved: This project cannot run any more/);

      // Pointing the project at a good folder clears the problem.
      const id = byName.get('moved')?.id ?? '';
      const repointed = await app.dispatch('projects.update', {
        id,
        path: join(root, 'elsewhere'),
      });
      assert.equal(repointed.ok, false, 'a missing folder cannot be chosen either');
      mkdirSync(join(root, 'elsewhere'));
      const fixed = (await app.dispatch('projects.update', {
        id,
        path: join(root, 'elsewhere'),
      })) as Result<Project>;
      assert.equal(fixed.ok && fixed.value.folderProblem, undefined);
    } finally {
      await app.shutdown('stop-agents');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
