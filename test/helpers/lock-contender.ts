/**
 * One contender for an agent lock, run as its own process by the lock race test. It waits for
 * the shared start time (so every contender acts at once), then takes the lock the way the
 * supervisor does: create exclusively; if taken, clear it only if stale and try once more.
 * It prints "won" or "lost <why>" and keeps running (a live owner) until its stdin closes.
 *
 *   node lock-contender.ts <projectDir> <startAtEpochMs> <name>
 */
import { createLockExclusive, inspectLock, removeStaleLock } from '../../core/agent-lock.ts';
import { runLogPath } from '../../core/run-log.ts';
import { processStartToken } from '../../core/process-table.ts';

const [projectDir, startAt, name] = process.argv.slice(2) as [string, string, string];

function record() {
  return {
    version: 1 as const,
    phase: 'spawning' as const,
    ownerPid: process.pid,
    ownerStart: processStartToken(process.pid),
    runId: name,
    projectDir,
    pid: null,
    pgid: null,
    startToken: null,
    marker: projectDir,
    runLog: runLogPath(projectDir, name),
    settings: { model: 'claude-opus-4-6', yolo: false, codingAgents: 1, regressionAgents: 0 },
    origin: 'manual' as const,
    startedAt: new Date().toISOString(),
  };
}

function attempt(): string {
  if (createLockExclusive(projectDir, record())) return 'won';
  const found = inspectLock(projectDir);
  if (found.kind !== 'stale') return `lost ${found.kind}`;
  removeStaleLock(projectDir);
  return createLockExclusive(projectDir, record()) ? 'won' : 'lost after clearing';
}

// Spin for the last few milliseconds so the contenders really start together.
while (Date.now() < Number(startAt)) {
  /* wait */
}
process.stdout.write(`${attempt()}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
