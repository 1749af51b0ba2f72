/**
 * The launch protocol both ends share: every valid RunSettings survives launchArgs →
 * parseLaunchArgs unchanged, and every invalid launch is refused with a sentence naming its flag
 * (the limits are the contract's schemas, not a second copy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knownModels, type RunSettings } from '../../contract/index.ts';
import {
  agentEnv,
  launchArgs,
  launchUsage,
  parseLaunchArgs,
  readAgentTuning,
  settingsEnv,
} from '../../core/launch-protocol.ts';

const dir = '/home/someone/project with spaces';

test('every valid run setting round-trips through the launch flags', () => {
  const models = [...knownModels.map((m) => m.id), 'glm-4.6', 'qwen3:32b', 'org/model@v2'];
  let count = 0;
  for (const model of models)
    for (const yolo of [false, true])
      for (let codingAgents = 1; codingAgents <= 5; codingAgents++)
        for (let regressionAgents = 0; regressionAgents <= 3; regressionAgents++) {
          const settings: RunSettings = { model, yolo, codingAgents, regressionAgents };
          for (const mode of ['run', 'expand'] as const) {
            const back = parseLaunchArgs(launchArgs(dir, settings, mode));
            assert.deepEqual(back, { ok: true, value: { projectDir: dir, settings, mode } });
            count++;
          }
        }
  assert.equal(count, models.length * 2 * 5 * 4 * 2);
});

test('YOLO is a bare flag, present only when on', () => {
  const base = { model: 'opus', codingAgents: 1, regressionAgents: 0 };
  assert.ok(launchArgs(dir, { ...base, yolo: true }).includes('--yolo'));
  assert.ok(!launchArgs(dir, { ...base, yolo: false }).some((a) => a.includes('yolo')));
});

test('absent flags take the agent’s defaults; --testing-ratio is accepted as the reference’s name', () => {
  const r = parseLaunchArgs(['--project-dir', dir]);
  assert.deepEqual(r, {
    ok: true,
    value: {
      projectDir: dir,
      settings: { model: 'claude-opus-4-6', yolo: false, codingAgents: 1, regressionAgents: 1 },
      mode: 'run',
    },
  });
  const ratio = parseLaunchArgs(['--project-dir', dir, '--testing-ratio', '3']);
  assert.equal(ratio.ok && ratio.value.settings.regressionAgents, 3);
});

test('a plain run carries no --mode flag; an unknown mode is refused with a sentence', () => {
  const base = { model: 'opus', yolo: false, codingAgents: 1, regressionAgents: 0 };
  assert.ok(!launchArgs(dir, base).includes('--mode'));
  assert.deepEqual(launchArgs(dir, base, 'expand').slice(-2), ['--mode', 'expand']);
  const r = parseLaunchArgs(['--project-dir', dir, '--mode', 'shrink']);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.error.message : '', /^--mode must be run or expand, not "shrink"\./);
});

test('invalid launches are refused with a sentence naming the flag', () => {
  const cases: [string[], RegExp, string?][] = [
    [
      ['--concurrency', '6'],
      /^--concurrency: Coding agents must be between 1 and 5\.$/,
      'codingAgents',
    ],
    [['--concurrency', '0'], /^--concurrency: Coding agents must be between 1 and 5\.$/],
    [['--concurrency', '2.5'], /^--concurrency: Coding agents must be a whole number\.$/],
    [['--concurrency', ''], /^--concurrency: /],
    [
      ['--regression-agents', '4'],
      /^--regression-agents: Regression agents must be between 0 and 3\.$/,
      'regressionAgents',
    ],
    [['--regression-agents', 'x'], /^--regression-agents: /],
    [['--model', 'rm -rf /'], /^--model: A model id may contain/, 'model'],
    [['--bogus'], /Unknown option '--bogus'[\s\S]*Usage: agent/],
  ];
  for (const [extra, message, field] of cases) {
    const r = parseLaunchArgs(['--project-dir', dir, ...extra]);
    assert.equal(r.ok, false, extra.join(' '));
    if (r.ok) continue;
    assert.equal(r.error.code, 'invalid-input');
    assert.match(r.error.message, message, extra.join(' '));
    if (field) assert.equal(r.error.field, field);
  }
  const relative = parseLaunchArgs(['--project-dir', 'project']);
  assert.equal(relative.ok, false);
  if (!relative.ok) assert.match(relative.error.message, /^--project-dir must be an absolute path/);
});

test('the usage line states the contract’s limits', () => {
  assert.match(
    launchUsage,
    /--concurrency <1-5> --regression-agents <0-3> \[--mode run\|expand\]$/,
  );
});

test('the settings environment and the tuning knobs use the one set of names', () => {
  const env = settingsEnv({
    sessionTimeoutMinutes: 45,
    maxFeatureAttempts: 7,
    claudeExecutablePath: '/opt/claude',
  });
  assert.deepEqual(env, {
    NIGHTSHIFT_SESSION_TIMEOUT_MIN: '45',
    NIGHTSHIFT_MAX_ATTEMPTS: '7',
    NIGHTSHIFT_CLAUDE_PATH: '/opt/claude',
  });
  assert.equal(
    'NIGHTSHIFT_CLAUDE_PATH' in
      settingsEnv({ sessionTimeoutMinutes: 1, maxFeatureAttempts: 1, claudeExecutablePath: '' }),
    false,
  );
  const tuning = readAgentTuning({
    ...env,
    [agentEnv.pollMs]: '5',
    [agentEnv.heartbeatMs]: '250',
    [agentEnv.browserMcp]: '0',
  });
  assert.equal(tuning.sessionTimeoutMs, 45 * 60_000);
  assert.equal(tuning.maxAttempts, 7);
  assert.equal(tuning.claudePath, '/opt/claude');
  assert.equal(tuning.pollMs, 1000, 'below its minimum: the default');
  assert.equal(tuning.heartbeatMs, 250);
  assert.equal(tuning.browserMcp, false);
  assert.deepEqual(readAgentTuning({}), {
    sessionTimeoutMs: 60 * 60_000,
    maxAttempts: 3,
    leaseMs: 30 * 60_000,
    heartbeatMs: 60_000,
    rateLimitBackoffMs: 60_000,
    retestIntervalMs: 10 * 60_000,
    pollMs: 1000,
    claudePath: null,
    browserMcp: true,
    stallKillMs: 0,
  });
  assert.equal(readAgentTuning({ [agentEnv.stallKillMinutes]: '40' }).stallKillMs, 40 * 60_000);
});
