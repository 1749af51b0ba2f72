/**
 * Orchestrator behaviour at its edges, end to end: the real agent process, the real Claude Agent
 * SDK and the bundled Claude Code executable against the local fake Anthropic server. Covers the
 * regression attempt cap and continuous re-verification, the outcome of a run that ends with
 * work left, reset times from the provider, credential failures, the session wall-clock limit,
 * leases and heartbeats, feature_skip, and human input. Every test checks that nothing of the
 * agent's process group is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { FeaturesDb, parsePyUtcTimestamp, pyUtcTimestamp } from '../../core/features-db.ts';
import { createReferenceDb } from '../fixtures/reference-db.ts';
import { ownerId } from '../../agent/process-group.ts';
import type { AgentEvent } from '../../contract/agent-events.ts';
import { processCommandLine, processTree } from '../../core/process-table.ts';
import {
  callTool,
  lastToolResults,
  messageText,
  rateLimitError,
  toolResultText,
} from '../fixtures/fake-anthropic-server.ts';
import {
  parseSpecFeatures,
  scriptedBrain,
  type SessionInfo,
} from '../fixtures/scripted-agent-brain.ts';
import { assertGroupGone, exitWithin } from '../fixtures/agent-harness.ts';
import { apiError, runToEnd } from '../helpers/agent-run-to-end.ts';
import { agentSuite, ofType, ended, lastLines } from '../helpers/agent-suite.ts';

const suite = agentSuite();
const { project } = suite;
const readFeatures = (dir: string): ReturnType<FeaturesDb['all']> => {
  const db = FeaturesDb.open(join(dir, 'features.db'));
  try {
    return db.all();
  } finally {
    db.close();
  }
};
/** A request the API rejects as invalid: the session's own failure (not the provider's trouble). */
const invalidRequest = apiError(
  400,
  'invalid_request_error',
  'prompt is too long: 250000 tokens > 200000 maximum',
);

test('a regression session that keeps failing is capped: reported, not re-tested again, and the run ends', async () => {
  suite.fake.setBrain(
    scriptedBrain({ intercept: (_req, s) => (s.role === 'regression' ? invalidRequest : null) }),
  );
  const { dir, run } = await runToEnd(suite, 'App\n- Only\n', {
    regressionAgents: 1,
    env: { NIGHTSHIFT_MAX_ATTEMPTS: '2' },
  });
  const regression = ofType(run, 'agent-finished').filter((e) => e.role === 'regression');
  assert.deepEqual(
    regression.map((e) => e.outcome),
    ['error', 'error'],
    'exactly max-attempts regression sessions, then no more',
  );
  const reported = ofType(run, 'error').filter((e) => /will not be re-tested/.test(e.message));
  assert.equal(reported.length, 1);
  assert.match(reported[0]!.message, /feature #1 "Only" failed 2 times/);
  assert.ok(run.lines.some((l) => l.includes('will not be re-tested') && !l.startsWith('{')));
  const [f] = readFeatures(dir);
  assert.equal(f!.passes, true, 'a failing test session does not unpass the feature');
  assert.equal(f!.testingInProgress, false, 'the test claim was released');
  assert.equal(f!.lastTestedAt, null, 'no test was recorded');
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
});

test('regression agents keep re-verifying passing features while coding goes on, then the run ends by itself', async () => {
  const sessions: SessionInfo[] = [];
  suite.fake.setBrain(scriptedBrain({ sessions, slowOn: new Map([[2, 7]]) }));
  const { dir, run } = await runToEnd(suite, 'App\n- Quick\n- Slow\n', {
    concurrency: 1,
    regressionAgents: 1,
    env: { NIGHTSHIFT_RETEST_MIN: '0.01' }, // 0.6 s between re-tests of an unchanged feature
  });
  // Event order, not timestamps: several events can share a millisecond.
  const at = (e: AgentEvent): number => run.events.indexOf(e);
  const started = ofType(run, 'agent-started');
  const finished = ofType(run, 'agent-finished');
  const slowStart = at(started.find((e) => e.role === 'coding' && e.featureId === 2)!);
  const slowEnd = at(finished.find((e) => e.role === 'coding' && e.featureId === 2)!);
  const retestsDuringSlow = started.filter(
    (e) => e.role === 'regression' && e.featureId === 1 && at(e) > slowStart && at(e) < slowEnd,
  );
  assert.ok(
    retestsDuringSlow.length >= 2,
    `feature #1 was re-tested ${retestsDuringSlow.length} times while #2 was coded`,
  );
  // After the last coding session: only what changed since its last test (#2, never tested).
  const afterCoding = started.filter((e) => e.role === 'regression' && at(e) > slowEnd);
  assert.deepEqual(
    afterCoding.map((e) => e.featureId),
    [2],
  );
  const features = readFeatures(dir);
  assert.ok(features.every((f) => f.passes && f.lastTestedAt !== null));
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
});

test('a run that ends with work left reports phase finished with what is left, not complete', async () => {
  suite.fake.setBrain(scriptedBrain({ failOn: new Set([1]) }));
  const { run } = await runToEnd(
    suite,
    'App\n- Impossible\n- Fine\n- Needs impossible [after: 0]\n',
    {
      env: { NIGHTSHIFT_MAX_ATTEMPTS: '1' },
    },
  );
  const states = ofType(run, 'run-state');
  assert.ok(!states.some((e) => e.phase === 'complete'));
  const last = states.at(-1)!;
  assert.equal(last.phase, 'finished');
  assert.match(last.message, /1 of 3 features pass.*1 need human input.*1 are blocked/);
  assert.ok(
    run.lines.some((l) =>
      l.includes('Stopped with work left: 1 of 3 pass, 1 need a human, 1 blocked.'),
    ),
  );
  const progress = ofType(run, 'progress').at(-1)!.progress;
  assert.deepEqual([progress.passing, progress.needsHuman, progress.blocked], [1, 1, 1]);
});

test('a 429 whose retry-after Claude Code honoured holds new sessions for that long, not the fallback backoff', async () => {
  let refused = 0;
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (_req, s) => {
        // The first request and Claude Code's own retry of it are both refused.
        if (s.role === 'coding' && s.featureId === 1 && s.step === 0 && refused < 2) {
          refused++;
          return rateLimitError(3);
        }
        return null;
      },
    }),
  );
  const { dir, run } = await runToEnd(suite, 'App\n- One\n', {
    // Claude Code reads retry-after itself and retries once; the fallback would hold a minute.
    env: { CLAUDE_CODE_MAX_RETRIES: '1', NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS: '60000' },
  });
  assert.equal(refused, 2);
  const [hold, release] = ofType(run, 'rate-limit');
  assert.equal(hold!.state, 'hold');
  assert.equal(release!.state, 'release');
  const held = hold!.until! - hold!.ts;
  assert.ok(held >= 2500 && held <= 10_000, `held ${held} ms for a 3 s retry-after`);
  assert.match(hold!.message, /retry-after/);
  assert.ok(release!.ts >= hold!.until! - 50, 'released at the reset, not before');
  assert.ok(release!.ts - hold!.until! < 2000, 'and promptly after it');
  assert.equal(readFeatures(dir)[0]!.passes, true);
});

test('a reset time written in the provider’s 429 message is the hold’s end', async () => {
  let resetAt = 0;
  let refused = 0;
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (_req, s) => {
        if (s.role === 'coding' && s.step === 0 && refused === 0) {
          refused++;
          resetAt = Math.ceil((Date.now() + 4000) / 1000) * 1000;
          return {
            kind: 'error',
            status: 429,
            errorType: 'rate_limit_error',
            message: `Usage limit reached for this key; try again at ${new Date(resetAt).toISOString()}`,
          };
        }
        return null;
      },
    }),
  );
  const { run } = await runToEnd(suite, 'App\n- One\n', {
    env: { NIGHTSHIFT_RATE_LIMIT_BACKOFF_MS: '60000' },
  });
  const [hold, release] = ofType(run, 'rate-limit');
  assert.equal(hold!.until, resetAt);
  assert.ok(release!.ts >= resetAt - 50 && release!.ts - resetAt < 2000);
});

test('a 401 stops the run with a credentials message, counts no attempts and exits non-zero', async () => {
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (_req, s) =>
        s.role === 'coding' ? apiError(401, 'authentication_error', 'invalid x-api-key') : null,
    }),
  );
  const { dir, run } = await runToEnd(
    suite,
    'App\n- A\n- B\n- C\n',
    {
      concurrency: 2,
      env: { NIGHTSHIFT_MAX_ATTEMPTS: '1' },
    },
    { code: 3 },
  );
  const coding = ofType(run, 'agent-started').filter((e) => e.role === 'coding');
  assert.ok(coding.length >= 1 && coding.length <= 2, 'no new session after the refusal');
  const error = ofType(run, 'error').at(-1)!;
  assert.match(error.message, /refused the credentials.*Settings → Provider/);
  const last = ofType(run, 'run-state').at(-1)!;
  assert.equal(last.phase, 'failed');
  assert.match(last.message, /Settings → Provider/);
  for (const f of readFeatures(dir)) {
    assert.equal(f.attempts, 0, `#${f.id}: a credentials problem is not the feature’s fault`);
    assert.equal(f.needsHumanInput, false);
    assert.equal(f.inProgress, false);
  }
});

test('the per-session wall-clock limit aborts a stalled session, counts the attempt and releases the claim', async () => {
  suite.fake.setBrain(scriptedBrain({ hangOn: new Set([1]) }));
  // The backlog is there already: the limit applies to every session, and an initializer that
  // merely starts slowly on a loaded machine would hit it too and end the run.
  const { dir, run } = await runToEnd(
    suite,
    { backlog: ['Stalls'] },
    { env: { NIGHTSHIFT_SESSION_TIMEOUT_MIN: '0.08', NIGHTSHIFT_MAX_ATTEMPTS: '1' } }, // 4.8 s
  );
  const started = ofType(run, 'agent-started').find((e) => e.role === 'coding')!;
  const finished = ofType(run, 'agent-finished').find((e) => e.role === 'coding')!;
  assert.equal(finished.outcome, 'timeout');
  const took = finished.ts - started.ts;
  assert.ok(took >= 4500 && took < 15_000, `aborted after ${took} ms`);
  const [f] = readFeatures(dir);
  assert.equal(f!.attempts, 1, 'the timeout counted an attempt');
  assert.equal(f!.inProgress, false);
  assert.equal(f!.claimOwner, null, 'claim released');
  assert.equal(f!.needsHumanInput, true, 'at the cap it waits for a human');
  assert.match(f!.lastError!, /session limit/);
});

test('leases: a live session’s heartbeat keeps its claim past the lease; a claim whose heartbeat stopped is released', async () => {
  const sessions: SessionInfo[] = [];
  suite.fake.setBrain(scriptedBrain({ sessions, slowOn: new Map([[1, 4]]) }));
  const dir = project(null);
  const seed = FeaturesDb.open(join(dir, 'features.db'));
  seed.createBulk([
    { category: 'functional', name: 'Slow own', description: 'd', steps: ['s'] },
    { category: 'functional', name: 'Held elsewhere', description: 'd', steps: ['s'] },
  ]);
  // Another live agent (this test process) holds #2 and heartbeats it, until it stops.
  const other = ownerId('other-run', 'coding-1', process.pid);
  assert.ok(seed.claim(2, other));
  const beat = setInterval(() => seed.heartbeat(other), 150);
  const env = { NIGHTSHIFT_LEASE_MIN: '0.02', NIGHTSHIFT_HEARTBEAT_MS: '150' }; // 1.2 s lease
  const run = suite.start({ projectDir: dir, concurrency: 2, env });
  let stoppedAt: number;
  try {
    await run.waitFor(
      (e) => e.type === 'activity' && e.summary.includes('Implement it'),
      60_000,
      'the slow Bash call',
    );
    // Watch #1 across more than two lease lengths while its session runs.
    const owners = new Set<string | null>();
    let claimedAt = Infinity;
    let lastBeat = 0;
    for (let i = 0; i < 12; i++) {
      const f = seed.get(1)!;
      assert.equal(f.passes, false, 'still being worked on while watched');
      owners.add(f.claimOwner);
      claimedAt = Math.min(claimedAt, f.claimedAt ?? Infinity);
      lastBeat = Math.max(lastBeat, f.heartbeatAt ?? 0);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(owners.size, 1, 'one owner throughout');
    assert.ok(lastBeat - claimedAt > 1200, 'heartbeats kept the claim fresh past the lease');
    assert.equal(seed.get(2)!.claimOwner, other, 'a heartbeating claim is never taken over');
  } finally {
    clearInterval(beat);
    stoppedAt = Date.now();
  }
  const { code } = await exitWithin(run, 90_000);
  seed.close();
  await assertGroupGone(run.pid);
  assert.equal(code, 0, lastLines(run));
  const features = readFeatures(dir);
  assert.deepEqual(
    features.map((f) => [f.passes, f.attempts]),
    [
      [true, 0],
      [true, 0],
    ],
    'both pass (passing resets the attempts)',
  );
  assert.deepEqual(
    sessions
      .filter((x) => x.role === 'coding')
      .map((x) => [x.featureId, x.attempt])
      .sort(),
    [
      [1, 1],
      [2, 2],
    ],
    'the own slow feature lost nothing; the abandoned claim counted as an attempt',
  );
  const released = run.lines.find((l) => l.includes('Released the stale claim on feature #2'));
  assert.ok(released, lastLines(run));
  const coding2 = ofType(run, 'agent-started').find((e) => e.featureId === 2)!;
  assert.ok(coding2.ts >= stoppedAt + 900, 'taken over only after its heartbeat stopped');
  assert.equal(ofType(run, 'agent-started').filter((e) => e.featureId === 1).length, 1);
});

test('feature_skip: the skipped feature goes last and is not picked again before the others', async () => {
  const sessions: SessionInfo[] = [];
  suite.fake.setBrain(scriptedBrain({ sessions, skipOn: new Set([1]) }));
  const { dir, run } = await runToEnd(suite, 'App\n- Payments\n- Cart\n- Profile\n', {
    concurrency: 1,
  });
  assert.deepEqual(
    sessions.filter((s) => s.role === 'coding').map((s) => s.featureId),
    [1, 2, 3, 1],
  );
  assert.ok(
    ofType(run, 'activity').some((e) => e.kind === 'tool' && e.summary === 'feature_skip #1'),
  );
  const features = readFeatures(dir);
  assert.ok(features.every((f) => f.passes));
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
});

test('human input end to end: asked, shown, answered through the features DB, then passed by a later session', async () => {
  const prompts: string[] = [];
  suite.fake.setBrain(
    scriptedBrain({
      askHumanOn: new Set([1]),
      slowOn: new Map([[2, 8]]),
      intercept: (req, s) => {
        if (s.role === 'coding' && s.featureId === 1 && s.step === 0)
          prompts.push(messageText(req.messages[0]));
        return null;
      },
    }),
  );
  const dir = project('App\n- Checkout\n- Reports\n');
  const run = suite.start({ projectDir: dir, concurrency: 2 });
  const asked = await run.waitFor(
    (e) => e.type === 'human-input' && e.featureId === 1,
    60_000,
    'the human-input request',
  );
  assert.ok(asked.type === 'human-input');
  assert.match(asked.prompt, /payment provider/);
  await run.waitFor(
    (e) => e.type === 'progress' && e.progress.needsHuman === 1,
    20_000,
    'progress showing one feature that needs a human',
  );
  const db = FeaturesDb.open(join(dir, 'features.db'));
  const waiting = db.get(1)!;
  assert.equal(waiting.needsHumanInput, true);
  assert.equal(waiting.humanInputRequest?.prompt, 'Which payment provider should I use?');
  db.resolveHumanInput(1, { answer: 'Use Stripe' });
  db.close();
  const { code } = await ended(run, 90_000);
  assert.equal(code, 0, lastLines(run));
  assert.equal(prompts.length, 2, 'a second session took the feature after the answer');
  assert.match(prompts[1]!, /A human answered[\s\S]*answer: Use Stripe/);
  const features = readFeatures(dir);
  assert.ok(features.every((f) => f.passes && !f.needsHumanInput));
  assert.equal(features[0]!.attempts, 0, 'asking a human is not a failed attempt');
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
});

/** Longer than that test's session limit (21 s), by a margin. */
const PAUSE_MS = 25_000;

test('a pause longer than the session limit is not a timeout: the session goes on after resume', async () => {
  suite.fake.setBrain(scriptedBrain({ slowOn: new Map([[1, 4]]) }));
  const dir = project('App\n- Slow\n');
  const run = suite.start({
    projectDir: dir,
    env: { NIGHTSHIFT_SESSION_TIMEOUT_MIN: '0.35', NIGHTSHIFT_MAX_ATTEMPTS: '1' }, // 21 s
  });
  await run.waitFor(
    (e) => e.type === 'activity' && e.summary.includes('Implement it'),
    120_000,
    'the slow Bash call',
  );
  // Freeze the agent's whole group (this test's own child, detached) the way Pause does.
  assert.ok(run.pid > 1);
  process.kill(-run.pid, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, PAUSE_MS));
  } finally {
    process.kill(-run.pid, 'SIGCONT');
  }
  const { code } = await ended(run, 120_000);
  assert.equal(code, 0, lastLines(run));
  const finished = ofType(run, 'agent-finished').filter((e) => e.role === 'coding');
  assert.deepEqual(
    finished.map((e) => e.outcome),
    ['passed'],
    'not a timeout',
  );
  const started = ofType(run, 'agent-started').find((e) => e.role === 'coding')!;
  assert.ok(finished[0]!.ts - started.ts > PAUSE_MS, 'the session spanned the pause');
  const [f] = readFeatures(dir);
  assert.deepEqual([f!.passes, f!.attempts], [true, 0]);
});

test('an initializer that stops short of the count the spec asks for runs again and continues the backlog', async () => {
  const prompts: string[] = [];
  suite.fake.setBrain(
    scriptedBrain({
      intercept: (req, s) => {
        if (s.role !== 'initializer' || s.step !== 1) return null;
        const first = messageText(req.messages[0]);
        prompts.push(first);
        const all = parseSpecFeatures(lastToolResults(req).map(toolResultText).join('\n'));
        const missing = all.filter((f) => !new RegExp(`#\\d+ ${f.name}$`, 'm').test(first));
        const batch = s.attempt === 1 ? missing.slice(0, 2) : missing;
        return callTool('mcp__features__feature_create_bulk', { features: batch });
      },
    }),
  );
  const { dir, run } = await runToEnd(
    suite,
    '<feature_count>4</feature_count>\n- Layout\n- Login\n- Profile\n- Search\n',
    {},
    { timeoutMs: 240_000 },
  );
  assert.equal(prompts.length, 2, 'a second initializer session');
  assert.match(prompts[0]!, /attempt=1/);
  assert.match(
    prompts[1]!,
    /attempt=2[\s\S]*did not finish the backlog: it has 2 of the 4 features/,
  );
  assert.match(prompts[1]!, /#1 Layout\n\s+#2 Login/);
  assert.ok(
    ofType(run, 'run-state').some((e) =>
      /running the initializer again to continue it \(attempt 2 of 3\)/.test(e.message),
    ),
    'the run says so',
  );
  const names = readFeatures(dir).map((f) => f.name);
  assert.deepEqual(names, ['Layout', 'Login', 'Profile', 'Search'], 'continued, not duplicated');
  assert.equal(existsSync(join(dir, '.nightshift', 'initializing')), false);
  assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
});

/** The tests that run the bundled Claude Code binary directly: it is the linux-x64 build here. */
const bundledClaudeOnly = {
  skip:
    process.platform !== 'linux' || process.arch !== 'x64'
      ? 'the bundled Claude Code here is linux-x64'
      : false,
};

/**
 * A `claude` executable of the user's own: a script that records each invocation (its argv, one
 * file per process) and then runs the bundled Claude Code, so sessions still work through it.
 */
function recordingClaude(dir: string): { path: string; invocations(): string[][] } {
  const require = createRequire(import.meta.url);
  const real = join(
    dirname(require.resolve('@anthropic-ai/claude-agent-sdk-linux-x64/package.json')),
    'claude',
  );
  const calls = join(dir, '.claude-calls');
  mkdirSync(calls, { recursive: true });
  const path = join(dir, 'my-claude.sh');
  writeFileSync(
    path,
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > '${calls}/'$$\nexec '${real}' "$@"\n`,
    { mode: 0o755 },
  );
  return {
    path,
    invocations: () =>
      readdirSync(calls).map((f) => readFileSync(join(calls, f), 'utf8').split('\0').slice(0, -1)),
  };
}

test(
  'Settings’ claude path is the executable every session runs, and the sessions work through it',
  bundledClaudeOnly,
  async () => {
    suite.fake.setBrain(scriptedBrain());
    const dir = project('App\n- One\n- Two\n');
    const claude = recordingClaude(dir);
    const run = suite.start({
      projectDir: dir,
      env: { NIGHTSHIFT_CLAUDE_PATH: claude.path },
    });
    const { code } = await ended(run, 90_000);
    assert.equal(code, 0, lastLines(run));
    const sessions = ofType(run, 'agent-started');
    // The initializer and one coding session per feature: each one a run of our script.
    assert.equal(sessions.length, 3, lastLines(run));
    assert.equal(claude.invocations().length, sessions.length, 'every session ran the set path');
    assert.ok(
      readFeatures(dir).every((f) => f.passes),
      'the sessions did their work through it',
    );
    assert.equal(ofType(run, 'run-state').at(-1)!.phase, 'complete');
  },
);

test(
  'browser checks use the installed @playwright/mcp: the session starts it from node_modules with no npx, and Claude Code lists its tools',
  bundledClaudeOnly,
  async () => {
    suite.fake.setBrain(scriptedBrain());
    const dir = project('App\n- Only\n');
    const run = suite.start({
      projectDir: dir,
      // The harness turns browser checks off for speed; this test wants the default (on).
      env: { NIGHTSHIFT_BROWSER_MCP: '1' },
    });
    // What runs in the agent's process group while it works: the MCP server is one of them.
    const seen = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        for (const p of processTree(run.pid)) {
          const cmd = processCommandLine(p.pid);
          if (cmd) seen.add(cmd);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    let code: number | null;
    try {
      ({ code } = await ended(run, 120_000));
    } finally {
      watching = false;
      await watch;
    }
    assert.equal(code, 0, lastLines(run));
    const require = createRequire(import.meta.url);
    const cli = realpathSync(
      join(dirname(require.resolve('@playwright/mcp/package.json')), 'cli.js'),
    );
    const servers = [...seen].filter((c) => c.includes('@playwright/mcp'));
    assert.ok(
      servers.some((c) => c === `${process.execPath} ${cli} --headless --isolated`),
      `the installed package, run by the agent’s own Node: ${servers.join(' | ')}`,
    );
    assert.ok(
      ![...seen].some((c) => /(^|\/)npx?( |$)|npm exec/.test(c)),
      `nothing ran npx or npm: ${[...seen].join(' | ')}`,
    );
    // Claude Code started the server, listed its tools and offered them to the model.
    const tools = new Set(
      suite.fake.requests
        .filter((r) => /role=coding/.test(messageText(r.messages[0])))
        .flatMap((r) => (r.tools ?? []).map((t) => t.name)),
    );
    for (const name of ['mcp__playwright__browser_navigate', 'mcp__playwright__browser_snapshot'])
      assert.ok(
        tools.has(name),
        `${name} among the coding session’s tools: ${[...tools].join(', ')}`,
      );
  },
);

test('regression order in a real run: never tested, then changed since its test, then the oldest routine re-test; with no NIGHTSHIFT_RETEST_MIN nothing tested under 10 minutes ago is re-tested', async () => {
  suite.fake.setBrain(scriptedBrain({ hangOn: new Set([6]) }));
  const dir = project(null);
  const path = join(dir, 'features.db');
  const ago = (minutes: number) => pyUtcTimestamp(Date.now() - minutes * 60_000);
  createReferenceDb(path, [
    { id: 1, name: 'Routine, newer', passes: true, lastTestedAt: ago(11) },
    { id: 2, name: 'Changed since its test', passes: true, lastTestedAt: ago(8) },
    { id: 3, name: 'Routine, older', passes: true, lastTestedAt: ago(12) },
    { id: 4, name: 'Tested 6 minutes ago', passes: true, lastTestedAt: ago(6) },
    { id: 5, name: 'Never tested', passes: true },
    // Coding on this one goes on (a 10-minute command): routine re-tests need active coding.
    { id: 6, name: 'Long work' },
  ]);
  // Nightshift's own columns are added on first open; #2 passed again after its last test.
  FeaturesDb.open(path).close();
  const raw = new DatabaseSync(path);
  raw.prepare('UPDATE features SET ns_passed_at = ? WHERE id = 2').run(Date.now() - 5 * 60_000);
  raw.close();
  const run = suite.start({
    projectDir: dir,
    concurrency: 1,
    regressionAgents: 1,
    // NIGHTSHIFT_RETEST_MIN is not set (the harness strips NIGHTSHIFT_*): the default applies.
  });
  try {
    const regressionStarts = () =>
      ofType(run, 'agent-started')
        .filter((e) => e.role === 'regression')
        .map((e) => e.featureId);
    await run.waitFor(
      () => ofType(run, 'agent-finished').filter((e) => e.role === 'regression').length === 4,
      180_000,
      'four regression sessions to finish',
    );
    // The queue is re-read every 200 ms: a few seconds more show that nothing else is due.
    await new Promise((r) => setTimeout(r, 3_000));
    assert.deepEqual(regressionStarts(), [5, 2, 3, 1], lastLines(run));
    assert.ok(
      ofType(run, 'agent-started').some((e) => e.role === 'coding' && e.featureId === 6),
      'coding was active throughout',
    );
    // #4 was tested under 10 minutes before this check: the default interval kept it out.
    const tested4 = parsePyUtcTimestamp(readFeatures(dir).find((f) => f.id === 4)!.lastTestedAt)!;
    assert.ok(Date.now() - tested4 < 10 * 60_000, 'the check came within #4’s 10 minutes');
    assert.ok(Date.now() - tested4 >= 6 * 60_000, '#4 keeps its old test');
  } finally {
    run.child.kill('SIGTERM');
    await ended(run, 60_000);
  }
});
