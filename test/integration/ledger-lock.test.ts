/**
 * Another program holds ledger.db locked (test/helpers/db-locker.ts, a real second process with
 * an exclusive transaction): the ledger does not wait for it on main's event loop. Reading a run
 * log fails fast and waits in the ledger's backlog; once the lock is released the backlog goes
 * in, in order, with every session once; nothing is lost or counted twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runLogPath } from '../../core/run-log.ts';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { EventBus } from '../../main/services/event-bus.ts';
import { systemClock } from '../../main/services/clock.ts';
import { LedgerService } from '../../main/services/ledger/ledger-service.ts';
import { AgentSupervisor, type SupervisedProject } from '../../main/services/supervisor.ts';
import { record, session } from '../helpers/run-log-lines.ts';

const locker = resolve(import.meta.dirname, '../helpers/db-locker.ts');
const SESSIONS = 40;

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('while another process holds ledger.db locked, ingestion waits off the event loop and completes, exactly, after the release', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ns-ledger-lock-'));
  const dataDir = join(root, 'data');
  const project: SupervisedProject = { id: 'p', name: 'shop', path: join(root, 'shop') };
  mkdirSync(join(project.path, '.nightshift', 'runs'), { recursive: true });
  const logs: string[] = [];
  const supervisor = new AgentSupervisor({
    lookup: (id) => (id === 'p' ? project : null),
    agentCommand: () => ({ command: process.execPath, args: ['-e', ''] }),
    agentEnv: () => ({}),
    secrets: () => [],
    diagnostics: createDiagnostics(null),
  });
  const ledger = new LedgerService({
    dataDir,
    clock: systemClock,
    projects: () => [project],
    agents: supervisor,
    bus: new EventBus(),
    log: (level, message) => logs.push(`${level}: ${message}`),
  });
  const lock: { child: ReturnType<typeof spawn> | null } = { child: null };
  t.after(() => {
    if (lock.child && lock.child.exitCode === null) lock.child.kill('SIGKILL');
    ledger.dispose();
    rmSync(root, { recursive: true, force: true });
  });
  ledger.start();

  const lines = [record({ type: 'run-state', phase: 'working', message: 'Working.' }, 1000)];
  for (let i = 1; i <= SESSIONS; i++) lines.push(...session(i, `coding-${i % 3}`, 1000 + i * 10));
  writeFileSync(runLogPath(project.path, 'run-1'), lines.join(''));

  const child = spawn(
    process.execPath,
    [locker, join(dataDir, 'ledger.db'), '1500', "UPDATE prefs SET value = value WHERE key = ''"],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  lock.child = child;
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  await until(() => out.includes('locked'), 'the locker to take the lock');

  // The read fails fast and waits: the call returns while the lock is still held, with nothing
  // written (a long busy timeout would have waited for the release, then read it all).
  const answer = ledger.ingestRun('p', 'run-1');
  assert.equal(answer, null, 'queued, not read');
  assert.equal(ledger.waitingWrites, 1);
  const sessions = () =>
    Number(ledger.db.get('SELECT COUNT(*) AS n FROM sessions WHERE run_id = ?', 'run-1')?.n);
  assert.equal(sessions(), 0);
  assert.ok(!out.includes('released'), 'the lock was still held when the call returned');
  // A second read of the same log meanwhile waits behind the first.
  ledger.ingestRun('p', 'run-1');
  assert.equal(ledger.waitingWrites, 2);

  await until(() => out.includes('released'), 'the locker to release the lock');
  await until(() => ledger.waitingWrites === 0, 'the backlog to go in');
  assert.equal(sessions(), SESSIONS, 'every session, once');
  const cost = Number(
    ledger.db.get('SELECT SUM(cost_usd) AS c FROM sessions WHERE run_id = ?', 'run-1')?.c,
  );
  assert.equal(Math.round(cost * 100) / 100, SESSIONS * 0.25);
  assert.equal(
    Number(ledger.db.get('SELECT COUNT(*) AS n FROM runs WHERE run_id = ?', 'run-1')?.n),
    1,
  );
  // Read again now: nothing new.
  assert.equal(ledger.ingestRun('p', 'run-1')?.events, 0);
  assert.equal(sessions(), SESSIONS);
  assert.ok(
    logs.some((l) => /ledger\.db is locked by another program/.test(l)),
    logs.join('\n'),
  );
  assert.ok(logs.some((l) => /writable again/.test(l)));
});
