/**
 * The real orchestrator (agent/cli.ts, Claude Agent SDK, bundled Claude Code) against the local
 * fake Anthropic server, in a real git project: before each coding session there is one checkpoint
 * ref holding the uncommitted work made before it, each session's finish names its checkpoint and
 * the commits it made, and the ledger reads both from the run log (twice, idempotently).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callTool, toolResultText } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { assertGroupGone, exitWithin, startAgent } from '../fixtures/agent-harness.ts';
import { agentSuite, ofType } from '../helpers/agent-suite.ts';
import { formatRunLogRecord } from '../../core/run-log.ts';
import { ingestRunLog } from '../../main/services/ledger/ingest.ts';
import { LedgerDb } from '../../main/services/ledger/ledger-db.ts';
import { listSessions } from '../../main/services/ledger/queries.ts';

const suite = agentSuite();
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

test('each coding session gets one checkpoint holding the uncommitted work before it; its finish and the ledger name that ref and the commits it made', async () => {
  // Feature 2's session commits its work; feature 1's leaves it uncommitted.
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (_req, s) =>
        s.role === 'coding' && s.featureId === 2 && s.step === 1
          ? callTool('Bash', {
              command:
                'echo "feature 2" > feature-2.txt && git add feature-2.txt && git commit -qm "Feature 2"',
              description: 'Implement and commit it',
            })
          : null,
    }),
  );
  const dir = suite.project('App\n- One\n- Two [after: 0]\n');
  git(dir, 'init', '-q');
  // The test (not the agent) gives the repository an identity, so the session can commit.
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@localhost');
  writeFileSync(join(dir, '.gitignore'), '.home/\n.nightshift/\nfeatures.db*\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'spec');
  const start = git(dir, 'rev-parse', 'HEAD');
  // Uncommitted work made before the run: the first checkpoint must hold it.
  writeFileSync(join(dir, 'before.txt'), 'made by hand\n');

  const run = startAgent({ projectDir: dir, fakeUrl: suite.fake.url });
  const { code } = await exitWithin(run, 240_000);
  await assertGroupGone(run.pid);
  assert.equal(code, 0, run.lines.slice(-20).join('\n'));

  const coding = ofType(run, 'agent-started').filter((e) => e.role === 'coding');
  assert.deepEqual(
    coding.map((e) => e.featureId),
    [1, 2],
  );
  const refs = git(dir, 'for-each-ref', '--format=%(refname)', 'refs/nightshift/checkpoints/')
    .split('\n')
    .sort();
  assert.deepEqual(
    refs,
    ['refs/nightshift/checkpoints/test-run/1-1', 'refs/nightshift/checkpoints/test-run/2-1'],
    run.lines.filter((l) => /checkpoint|git/i.test(l)).join('\n'),
  );
  const files = (ref: string): string[] =>
    git(dir, 'ls-tree', '-r', '--name-only', ref).split('\n').sort();
  // Before #1: the hand-made file, not yet #1's work.
  assert.deepEqual(files(refs[0]!), ['.gitignore', 'app_spec.txt', 'before.txt']);
  assert.equal(git(dir, 'show', `${refs[0]}:before.txt`), 'made by hand');
  // Before #2: #1's uncommitted work too.
  assert.deepEqual(files(refs[1]!), ['.gitignore', 'app_spec.txt', 'before.txt', 'feature-1.txt']);
  for (const ref of refs) assert.equal(git(dir, 'rev-parse', `${ref}^`), start, 'parent is HEAD');

  // The commit #2's session made, and each session's checkpoint, are in its finish event.
  const commit = git(dir, 'rev-parse', 'HEAD');
  assert.notEqual(commit, start, suite.fake.toolResults.map(toolResultText).join('\n'));
  assert.equal(git(dir, 'log', '-1', '--format=%s'), 'Feature 2');
  const finished = ofType(run, 'agent-finished').filter((e) => e.role === 'coding');
  assert.deepEqual(
    finished.map((e) => [e.featureId, e.checkpointRef, e.commits]),
    [
      [1, refs[0], []],
      [2, refs[1], [commit]],
    ],
  );

  // The ledger reads them from the run log; reading it again changes nothing.
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-ledger-cp-'));
  const ledger = LedgerDb.open(join(dataDir, 'ledger.db'));
  try {
    // The run log as the supervisor writes it: each line of the agent's output, time-stamped.
    const log = join(dataDir, 'test-run.jsonl');
    writeFileSync(log, run.lines.map((l, i) => formatRunLogRecord(l, 1_000 + i)).join(''));
    const target = { projectId: 'p1', projectName: 'app', path: log };
    ingestRunLog(ledger, target);
    const once = listSessions(ledger, 'test-run').filter((s) => s.role === 'coding');
    ingestRunLog(ledger, target);
    const twice = listSessions(ledger, 'test-run').filter((s) => s.role === 'coding');
    assert.deepEqual(
      once.map((s) => [s.featureId, s.checkpointRef, s.commits]),
      [
        [1, refs[0], []],
        [2, refs[1], [commit]],
      ],
    );
    assert.deepEqual(twice, once);
  } finally {
    ledger.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
