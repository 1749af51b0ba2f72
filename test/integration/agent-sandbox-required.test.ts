/**
 * The agent refuses to run sessions without the OS sandbox unless the user allowed it: the real
 * agent process, started the way the supervisor starts it, on a PATH without bubblewrap or socat
 * (so the sandbox cannot start). Without leave it fails at once with the reason; with
 * `allowUnsandboxed` in NIGHTSHIFT_CONTAINMENT it says "Sandbox: off: …" and goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { assertGroupGone, nodeBin } from '../fixtures/agent-harness.ts';
import { agentSuite, ended } from '../helpers/agent-suite.ts';

const suite = agentSuite();
const noSandboxPath = dirname(nodeBin);

test('without the sandbox and without leave, the agent refuses with the reason and exit 2', async () => {
  const run = suite.start({
    projectDir: suite.project('App\n- One\n'),
    env: { PATH: noSandboxPath },
  });
  const { code } = await ended(run, 30_000);
  assert.equal(code, 2);
  const failed = run.events.find((e) => e.type === 'run-state' && e.phase === 'failed');
  assert.ok(failed && failed.type === 'run-state');
  assert.equal(
    failed.message,
    'The OS sandbox cannot start: bubblewrap (bwrap) and socat are not installed (Debian/Ubuntu: apt install bubblewrap socat). Install it, or allow unsandboxed runs in Settings.',
  );
  assert.equal(suite.fake.requests.length, 0, 'no session was started');
});

test('with unsandboxed runs allowed, it says "Sandbox: off" with the reason and starts work', async () => {
  const run = suite.start({
    projectDir: suite.project('App\n- One\n'),
    env: {
      PATH: noSandboxPath,
      NIGHTSHIFT_CONTAINMENT: JSON.stringify({ allowUnsandboxed: true }),
    },
  });
  try {
    await run.waitFor((e) => e.type === 'agent-started', 60_000, 'a session to start');
    assert.ok(
      run.lines.includes(
        'Sandbox: off: bubblewrap (bwrap) and socat are not installed (Debian/Ubuntu: apt install bubblewrap socat). (unsandboxed runs are allowed in Settings)',
      ),
      run.lines.slice(0, 5).join('\n'),
    );
  } finally {
    run.killGroup();
    await assertGroupGone(run.pid);
  }
});
