/**
 * The once-a-day prune, with no run starting: the real CheckpointService over the real registry
 * (nightshift.json through conf in a temp data dir), the real supervisor's state machine on a
 * fake ProcessBackend, a real git repository and a FakeClock. A checkpoint whose files a commit
 * holds goes on the first day it is older than the setting; one holding work nothing else has
 * stays; nothing is pruned while both are young.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCheckpoints } from '../../core/checkpoints.ts';
import { CheckpointService } from '../../main/services/checkpoint-service.ts';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { Registry } from '../../main/services/registry.ts';
import { openConfStore } from '../../main/services/store.ts';
import { AgentSupervisor } from '../../main/services/supervisor.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { FakeProcessBackend } from '../helpers/fake-process-backend.ts';
import { checkpointAt, initRepo } from '../helpers/git-repo.ts';

const DAY = 24 * 60 * 60_000;

test('once a day, with no run starting, old checkpoints whose work is held elsewhere are pruned and the rest kept', async () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-daily-prune-'));
  const dir = join(root, 'todo-app');
  mkdirSync(dir);
  const clock = new FakeClock(Date.parse('2026-03-02T12:00:00Z'));
  const { store, doc } = await openConfStore(join(root, 'data'));
  const registry = new Registry(store, doc);
  const added = registry.add({ name: 'todo-app', path: dir });
  assert.ok(added.ok);
  registry.updateSettings({ ...registry.settings(), checkpointMaxAgeDays: 14 });
  initRepo(dir, { 'a.txt': 'one\n' }, { message: 'first' });
  // Both made a day ago: one is the committed tree, one holds an edit nothing else has.
  const covered = await checkpointAt(dir, clock.now() - DAY, 1);
  writeFileSync(join(dir, 'a.txt'), 'uncommitted work\n');
  const unique = await checkpointAt(dir, clock.now() - DAY, 2);
  assert.ok(covered.ok && unique.ok);
  const refs = async () => (await listCheckpoints(dir)).map((c) => c.ref).sort();

  const logs: string[] = [];
  const supervisor = new AgentSupervisor({
    lookup: () => null,
    agentCommand: () => ({ command: 'agent', args: [] }),
    agentEnv: () => ({}),
    secrets: () => [],
    diagnostics: createDiagnostics(null),
    backend: new FakeProcessBackend(clock),
    clock,
    stopGraceMs: 10_000,
  });
  const service = new CheckpointService({
    registry,
    agents: supervisor,
    clock,
    log: (_level, message) => logs.push(message),
  });
  try {
    service.start();
    // Day 0 to day 12 after creation: both are young; the daily prune deletes nothing.
    for (let day = 1; day <= 12; day++) {
      clock.advance(DAY);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await refs(), [covered.checkpoint.ref, unique.checkpoint.ref].sort());
    // Day 14 and 15 after creation: the daily prune removes the covered one, by itself.
    clock.advance(DAY);
    clock.advance(DAY);
    for (const deadline = Date.now() + 10_000; (await refs()).length !== 1;) {
      if (Date.now() > deadline) throw new Error('Timed out waiting for the daily prune');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await refs(), [unique.checkpoint.ref]);
    assert.ok(
      logs.some((l) => /todo-app: pruned 1 old checkpoint; 1 older kept/.test(l)),
      logs.join('\n'),
    );
    assert.equal(supervisor.state(added.value.id).status, 'stopped', 'no run was involved');
  } finally {
    service.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
