/**
 * README claims that had no test, each checked against the real `nightshift serve` (real store,
 * secrets, registry, scheduler and supervisor; the scripted fixture agent records how it was
 * launched). test/README.md maps every README claim to the test that proves it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentState, Project, ScheduleStatus } from '../../contract/index.ts';
import { readAgentTuning } from '../../core/launch-protocol.ts';
import { isAlive } from '../../core/process-table.ts';
import { defaultDataDir } from '../../main/app.ts';
import { ApiClient, fixtureAgentCommand, startServe, type ServedApp } from '../helpers/serve.ts';

const scripted = JSON.stringify(fixtureAgentCommand('scripted'));

/** Runs `body` against a fresh server and its API, ending both (and removing `dirs`) whatever happens. */
async function withServer(
  options: Parameters<typeof startServe>[0],
  body: (app: ServedApp, api: ApiClient) => Promise<void>,
  ...dirs: string[]
): Promise<void> {
  let app: ServedApp | undefined;
  let api: ApiClient | undefined;
  try {
    app = await startServe({
      ...options,
      env: { NIGHTSHIFT_AGENT_COMMAND: scripted, ...options?.env },
    });
    api = await ApiClient.connect(app);
    await body(app, api);
  } finally {
    api?.close();
    try {
      await app?.stop();
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }
}

/**
 * withServer on a new data folder, with one new empty project folder; both are removed
 * afterwards. `options` may depend on the data folder.
 */
async function withProjectServer(
  prefix: string,
  body: (api: ApiClient, projectDir: string) => Promise<void>,
  options: (
    dataDir: string,
  ) => Omit<NonNullable<Parameters<typeof startServe>[0]>, 'dataDir'> = () => ({}),
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const projectDir = mkdtempSync(join(tmpdir(), `${prefix}project-`));
  await withServer(
    { ...options(dataDir), dataDir },
    (_app, api) => body(api, projectDir),
    dataDir,
    projectDir,
  );
}

async function ok<T>(api: ApiClient, command: string, input?: unknown): Promise<T> {
  const r = await api.call<T>(command, input);
  assert.ok(r.ok, `${command}: ${r.ok ? '' : r.error.message}`);
  return r.value;
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 15_000) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test(
  'the data directory defaults to $XDG_CONFIG_HOME/nightshift, else ~/.config/nightshift (Linux)',
  { skip: process.platform !== 'linux' && 'Linux paths' },
  async () => {
    const home = mkdtempSync(join(tmpdir(), 'ns-home-'));
    const env = { HOME: home, XDG_CONFIG_HOME: '', NIGHTSHIFT_DATA_DIR: '' };
    await withServer(
      { dataDir: home, dataDirFlag: false, env },
      async (_app, api) => {
        const info = await ok<{ dataDir: string }>(api, 'app.info');
        assert.equal(info.dataDir, join(home, '.config', 'nightshift'));
        assert.ok(
          existsSync(join(home, '.config', 'nightshift', 'nightshift.json')),
          'the store is there',
        );
      },
      home,
    );
    const xdg = mkdtempSync(join(tmpdir(), 'ns-xdg-'));
    await withServer(
      {
        dataDir: xdg,
        dataDirFlag: false,
        env: { HOME: xdg, XDG_CONFIG_HOME: join(xdg, 'cfg'), NIGHTSHIFT_DATA_DIR: '' },
      },
      async (_app, api) => {
        const info = await ok<{ dataDir: string }>(api, 'app.info');
        assert.equal(info.dataDir, join(xdg, 'cfg', 'nightshift'));
        assert.ok(existsSync(join(xdg, 'cfg', 'nightshift', 'nightshift.json')));
      },
      xdg,
    );
  },
);

test('NIGHTSHIFT_DATA_DIR overrides the data directory, and --data-dir overrides both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-envdir-'));
  const flagDir = mkdtempSync(join(tmpdir(), 'ns-flagdir-'));
  await withServer(
    { dataDir: dir, dataDirFlag: false, env: { NIGHTSHIFT_DATA_DIR: dir } },
    async (_app, api) => {
      assert.equal((await ok<{ dataDir: string }>(api, 'app.info')).dataDir, dir);
      assert.ok(existsSync(join(dir, 'nightshift.json')));
    },
  );
  await withServer(
    { dataDir: flagDir, env: { NIGHTSHIFT_DATA_DIR: dir } },
    async (_app, api) => {
      assert.equal((await ok<{ dataDir: string }>(api, 'app.info')).dataDir, flagDir);
    },
    dir,
    flagDir,
  );
});

test('the browser shell keeps secrets in secrets.json with mode 0600, never in nightshift.json or answers', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-secrets-'));
  const key = 'sk-ant-readme-claim-0123456789abcd';
  await withServer(
    { dataDir },
    async (_app, api) => {
      const view = await ok<{ secrets: { apiKey: { set: boolean; hint: string } } }>(
        api,
        'settings.update',
        { apiKey: key },
      );
      assert.equal(view.secrets.apiKey.set, true);
      assert.ok(!JSON.stringify(view).includes(key), 'the answer holds a hint, not the key');
      const file = join(dataDir, 'secrets.json');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      // Stored base64-encoded (not encrypted: the file's mode is the protection here).
      assert.ok(readFileSync(file, 'utf8').includes(Buffer.from(key).toString('base64')));
      assert.ok(!readFileSync(join(dataDir, 'nightshift.json'), 'utf8').includes(key));
    },
    dataDir,
  );
});

test('credential and configuration folders in the home folder are refused as projects, with the reason', async () => {
  const home = mkdtempSync(join(tmpdir(), 'ns-credhome-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-cred-data-'));
  for (const d of ['.ssh', '.aws', '.gnupg', join('.config', 'gh'), '.docker', '.kube'])
    mkdirSync(join(home, d, 'inner'), { recursive: true });
  mkdirSync(join(home, 'code', 'app'), { recursive: true });
  await withServer(
    { dataDir, env: { HOME: home } },
    async (_app, api) => {
      for (const d of ['.ssh', '.aws', '.gnupg', join('.config', 'gh'), '.docker', '.kube']) {
        for (const path of [join(home, d), join(home, d, 'inner')]) {
          const r = await api.call('projects.add', {
            name: `p${Math.random().toString(36).slice(2, 8)}`,
            path,
          });
          assert.equal(r.ok, false, path);
          if (!r.ok) assert.match(r.error.message, /holds credentials or configuration/, path);
        }
      }
      assert.deepEqual(await ok<Project[]>(api, 'projects.list'), [], 'nothing was registered');
      // An ordinary folder in the same home is fine.
      await ok<Project>(api, 'projects.add', { name: 'app', path: join(home, 'code', 'app') });
    },
    home,
    dataDir,
  );
});

test('the token changes every time the server starts; the old one gets 401', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-token-'));
  let first = '';
  await withServer({ dataDir }, async (app) => {
    first = app.token;
    assert.match(first, /^[\w-]{20,}$/, 'a long random token');
  });
  await withServer(
    { dataDir },
    async (app) => {
      assert.notEqual(app.token, first);
      const stale = await fetch(`${app.origin}/api/info?token=${first}`);
      assert.equal(stale.status, 401);
      await assert.rejects(ApiClient.connect(app, { token: first }), /401/);
      const fresh = await fetch(`${app.origin}/?token=${app.token}`);
      assert.equal(fresh.status, 200);
    },
    dataDir,
  );
});

test('Settings’ session limit, attempts, claude path, base URL and key reach the agent at its start', async () => {
  await withProjectServer('ns-settings-agent-', async (api, projectDir) => {
    await ok(api, 'settings.update', {
      sessionTimeoutMinutes: 33,
      maxFeatureAttempts: 7,
      claudeExecutablePath: '/opt/claude/bin/claude',
      provider: { baseUrl: 'https://gateway.example.com/anthropic' },
      apiKey: 'sk-ant-provider-key-0123456789',
    });
    const { id, env } = await launchedEnv(api, 'limits', projectDir);
    assert.equal(env.NIGHTSHIFT_SESSION_TIMEOUT_MIN, '33');
    assert.equal(env.NIGHTSHIFT_MAX_ATTEMPTS, '7');
    assert.equal(env.NIGHTSHIFT_CLAUDE_PATH, '/opt/claude/bin/claude');
    // Settings → Provider: the base URL and the key reach the agent too.
    assert.equal(env.ANTHROPIC_BASE_URL, 'https://gateway.example.com/anthropic');
    assert.equal(env.ANTHROPIC_API_KEY, 'sk-ant-provider-key-0123456789');
    await ok(api, 'agent.stop', { id });
  });
});

test('Settings’ stall limits are checked (the second longer than the first) and the second reaches the agent at its start', async () => {
  await withProjectServer('ns-stall-agent-', async (api, projectDir) => {
    assert.deepEqual(await ok(api, 'ledger.prefs'), {
      stallWarnMinutes: 20,
      stallKillMinutes: 40,
    });
    const refused = await api.call('ledger.setPrefs', {
      stallWarnMinutes: 30,
      stallKillMinutes: 30,
    });
    assert.equal(refused.ok, false);
    assert.equal(refused.ok ? '' : refused.error.field, 'stallKillMinutes');
    assert.match(refused.ok ? '' : refused.error.message, /must be longer than/);
    const bad = await api.call('ledger.setPrefs', { stallWarnMinutes: 0, stallKillMinutes: 5 });
    assert.equal(bad.ok, false, 'zero minutes is refused by the contract');
    assert.deepEqual(await ok(api, 'ledger.prefs'), {
      stallWarnMinutes: 20,
      stallKillMinutes: 40,
    });
    await ok(api, 'ledger.setPrefs', { stallWarnMinutes: 25, stallKillMinutes: 55 });
    const { id, env } = await launchedEnv(api, 'stalls', projectDir);
    assert.equal(env.NIGHTSHIFT_STALL_KILL_MIN, '55');
    // …and the agent reads it as its stall limit.
    assert.equal(readAgentTuning(env).stallKillMs, 55 * 60_000);
    await ok(api, 'agent.stop', { id });
  });
});

test('scheduler state (a skipped next window) survives a restart in scheduler-state.json', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-sched-restart-'));
  const projectDir = mkdtempSync(join(tmpdir(), 'ns-sched-project-'));
  // A window that opens in three hours, every day: there is always a next one to skip.
  const later = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(11, 16);
  let projectId = '';
  await withServer({ dataDir }, async (_app, api) => {
    const p = await ok<Project>(api, 'projects.add', { name: 'skippy', path: projectDir });
    projectId = p.id;
    await ok(api, 'schedules.add', {
      id: p.id,
      schedule: {
        days: [1, 2, 3, 4, 5, 6, 7],
        startTime: later,
        timeZone: 'UTC',
        durationMinutes: 60,
        enabled: true,
        run: {},
      },
    });
    const skipped = await ok<ScheduleStatus[]>(api, 'schedules.skipNext', { id: p.id, skip: true });
    assert.equal(skipped.find((s) => s.projectId === p.id)?.skipNext, true);
  });
  assert.ok(existsSync(join(dataDir, 'scheduler-state.json')), 'the state file is in the data dir');
  await withServer(
    { dataDir },
    async (_app, api) => {
      const status = await ok<ScheduleStatus[]>(api, 'schedules.status');
      assert.equal(
        status.find((s) => s.projectId === projectId)?.skipNext,
        true,
        'still skipped after the restart',
      );
    },
    dataDir,
    projectDir,
  );
});

test('disabling a schedule stops the run it started; Skip next window for all skips every project', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-disable-'));
  const dirs = [1, 2].map(() => mkdtempSync(join(tmpdir(), 'ns-disable-project-')));
  await withServer(
    { dataDir },
    async (_app, api) => {
      const [a, b] = [
        await ok<Project>(api, 'projects.add', { name: 'now', path: dirs[0] }),
        await ok<Project>(api, 'projects.add', { name: 'later', path: dirs[1] }),
      ];
      const days = [1, 2, 3, 4, 5, 6, 7];
      const nowUtc = new Date().toISOString().slice(11, 16);
      const fields = {
        days,
        startTime: nowUtc,
        timeZone: 'UTC',
        durationMinutes: 120,
        enabled: true,
        run: {},
      };
      const s = await ok<{ id: string }>(api, 'schedules.add', { id: a.id, schedule: fields });
      await until(
        async () => (await ok<AgentState>(api, 'agent.status', { id: a.id })).status === 'running',
        'the schedule to start the agent',
      );
      const pid = (await ok<AgentState>(api, 'agent.status', { id: a.id })).pid as number;
      await ok(api, 'schedules.update', {
        id: a.id,
        scheduleId: s.id,
        schedule: { ...fields, enabled: false },
      });
      await until(
        async () => (await ok<AgentState>(api, 'agent.status', { id: a.id })).status === 'stopped',
        'the disabled schedule’s run to stop',
      );
      assert.equal(isAlive(pid), false);

      // Both projects get a later window; "skip next" without a project skips them all.
      const later = new Date(Date.now() + 3 * 3_600_000).toISOString().slice(11, 16);
      for (const p of [a, b])
        await ok(api, 'schedules.add', { id: p.id, schedule: { ...fields, startTime: later } });
      const all = await ok<ScheduleStatus[]>(api, 'schedules.skipNext', { skip: true });
      for (const p of [a, b])
        assert.equal(all.find((x) => x.projectId === p.id)?.skipNext, true, p.name);
    },
    dataDir,
    ...dirs,
  );
});

interface Launch {
  pid: number;
  argv: string[];
  env: Record<string, string>;
}

/** Every launch the scripted fixture agent recorded in `projectDir`, oldest first. */
function launches(projectDir: string): Launch[] {
  const file = join(projectDir, '.fixture', 'launches.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Launch);
}

/** Adds `projectDir` as project `name`, starts its agent and answers the environment it got. */
async function launchedEnv(
  api: ApiClient,
  name: string,
  projectDir: string,
): Promise<{ id: string; env: Record<string, string> }> {
  const p = await ok<Project>(api, 'projects.add', { name, path: projectDir });
  await ok<AgentState>(api, 'agent.start', { id: p.id });
  await until(() => launches(projectDir).length > 0, 'the agent to record its launch');
  return { id: p.id, env: launches(projectDir)[0]!.env };
}

/** A daily window that is open now (UTC) and lasts two hours. */
const openNow = (run: Record<string, unknown> = {}) => ({
  days: [1, 2, 3, 4, 5, 6, 7],
  startTime: new Date().toISOString().slice(11, 16),
  timeZone: 'UTC',
  durationMinutes: 120,
  enabled: true,
  run,
});

const statusOf = async (api: ApiClient, id: string) =>
  (await ok<ScheduleStatus[]>(api, 'schedules.status')).find((s) => s.projectId === id);

test('a schedule’s run settings fall back to the project’s, then the global defaults, at the agent’s launch', async () => {
  await withProjectServer('ns-fallback-', async (api, projectDir) => {
    // Global: every field set; the project overrides two; the schedule one of those.
    await ok(api, 'settings.update', {
      defaults: {
        model: 'claude-haiku-4-5-20251001',
        yolo: true,
        codingAgents: 2,
        regressionAgents: 3,
      },
    });
    const p = await ok<Project>(api, 'projects.add', {
      name: 'layers',
      path: projectDir,
      overrides: { model: 'claude-sonnet-4-6', codingAgents: 4 },
    });
    await ok(api, 'schedules.add', { id: p.id, schedule: openNow({ codingAgents: 5 }) });
    await until(() => launches(projectDir).length === 1, 'the window to launch the agent');
    const argv = (launches(projectDir)[0] as { argv: string[] }).argv;
    const flag = (name: string) => argv[argv.indexOf(name) + 1];
    assert.equal(flag('--concurrency'), '5', 'the schedule’s own value');
    assert.equal(
      flag('--model'),
      'claude-sonnet-4-6',
      'the project’s, where the schedule has none',
    );
    assert.equal(flag('--regression-agents'), '3', 'the global default, where neither has one');
    assert.ok(argv.includes('--yolo'), 'the global YOLO default');
    const state = await ok<AgentState>(api, 'agent.status', { id: p.id });
    assert.equal(state.origin, 'schedule');
    assert.deepEqual(state.settings, {
      model: 'claude-sonnet-4-6',
      yolo: true,
      codingAgents: 5,
      regressionAgents: 3,
    });
  });
});

test('Nightshift launched inside an open window starts the agent at once (a quit is not a manual stop)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-inside-'));
  const projectDir = mkdtempSync(join(tmpdir(), 'ns-inside-project-'));
  let id = '';
  await withServer({ dataDir }, async (_app, api) => {
    const p = await ok<Project>(api, 'projects.add', { name: 'inside', path: projectDir });
    id = p.id;
    await ok(api, 'schedules.add', { id: p.id, schedule: openNow() });
    await until(() => launches(projectDir).length === 1, 'the window to start the agent');
  });
  // The quit stopped the agent (Settings' default); the window is still open.
  const first = launches(projectDir)[0] as { pid: number };
  assert.equal(isAlive(first.pid), false, 'the quit stopped the first run');
  await withServer(
    { dataDir },
    async (_app, api) => {
      await until(() => launches(projectDir).length === 2, 'the relaunch to start the agent');
      await until(
        async () => (await ok<AgentState>(api, 'agent.status', { id })).status === 'running',
        'the agent to run',
      );
      const state = await ok<AgentState>(api, 'agent.status', { id });
      assert.equal(state.origin, 'schedule');
      assert.equal(state.pid, (launches(projectDir)[1] as { pid: number }).pid);
      assert.equal((await statusOf(api, id))?.manualStopUntil, null, 'no hold from the quit');
    },
    dataDir,
    projectDir,
  );
});

test('scheduler state survives a restart: a manual stop’s hold and the crash retry count', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-sched-hold-'));
  const held = mkdtempSync(join(tmpdir(), 'ns-sched-held-'));
  const crashy = mkdtempSync(join(tmpdir(), 'ns-sched-crashy-'));
  // This project's agent crashes 300 ms into every run.
  writeFileSync(
    join(crashy, 'fixture-script.json'),
    JSON.stringify({ exitCode: 1, exitAfterMs: 300 }),
  );
  const ids = { held: '', crashy: '' };
  let holdUntil: number | null = null;
  await withServer({ dataDir }, async (_app, api) => {
    const h = await ok<Project>(api, 'projects.add', { name: 'held', path: held });
    const c = await ok<Project>(api, 'projects.add', { name: 'crashy', path: crashy });
    ids.held = h.id;
    ids.crashy = c.id;
    await ok(api, 'schedules.add', { id: h.id, schedule: openNow() });
    await ok(api, 'schedules.add', { id: c.id, schedule: openNow() });
    // The launch is recorded by the agent itself: a stop before that would leave no trace.
    await until(() => launches(held).length === 1, 'the window to start the held project');
    await ok(api, 'agent.stop', { id: h.id });
    holdUntil = (await statusOf(api, h.id))?.manualStopUntil ?? null;
    assert.ok(holdUntil && holdUntil > Date.now(), 'the manual stop holds until the window ends');
    await until(
      async () => (await statusOf(api, c.id))?.crashRetries === 1,
      'the first crash to be counted',
    );
  });
  assert.equal(launches(held).length, 1);
  assert.equal(launches(crashy).length, 1);
  await withServer(
    { dataDir },
    async (_app, api) => {
      // Launched inside the window, the crashed project starts again at once; the held one not.
      await until(() => launches(crashy).length === 2, 'the crashed project to start again');
      await until(
        async () => (await statusOf(api, ids.crashy))?.crashRetries === 2,
        'the second crash to be counted on from the first',
      );
      const status = await statusOf(api, ids.held);
      assert.equal(status?.manualStopUntil, holdUntil, 'the hold is the same after the restart');
      // Watch a while: the held project stays stopped in its window.
      await new Promise((r) => setTimeout(r, 1_500));
      assert.equal(launches(held).length, 1, 'the held project was not started');
      assert.equal((await ok<AgentState>(api, 'agent.status', { id: ids.held })).status, 'stopped');
      assert.equal((await statusOf(api, ids.crashy))?.crashRetries, 2);
    },
    dataDir,
    held,
    crashy,
  );
});

test('Stop asks gracefully, then forces an agent that ignores SIGTERM after the default 10 s', async () => {
  let signals = '';
  await withProjectServer(
    'ns-stop-force-',
    async (api, projectDir) => {
      const p = await ok<Project>(api, 'projects.add', { name: 'stubborn', path: projectDir });
      const started = await ok<AgentState>(api, 'agent.start', { id: p.id });
      const pid = started.pid as number;
      // The fixture installs its SIGTERM handler in the same turn as its first lines: until a
      // line has arrived, a SIGTERM would end it at once (node's default), proving nothing.
      await until(
        async () =>
          (await ok<{ text: string }[]>(api, 'agent.logs', { id: p.id })).some((l) =>
            l.text.includes('from fixture'),
          ),
        'the agent to work',
      );
      const asked = Date.now();
      const stopped = await ok<AgentState>(api, 'agent.stop', { id: p.id });
      const answered = Date.now();
      assert.equal(stopped.status, 'stopped');
      assert.equal(isAlive(pid), false);
      const lines = readFileSync(signals, 'utf8').trim().split('\n');
      assert.equal(lines.length, 1, 'one SIGTERM (SIGKILL cannot be caught: it shows as gone)');
      const termAt = Number((lines[0] as string).split(' ')[0]);
      assert.match(lines[0] as string, / SIGTERM$/);
      assert.ok(termAt - asked < 2_000, 'SIGTERM came first, at once');
      // Recorded figures: the kill followed SIGTERM by the 10 s grace period, not before.
      const graceMs = answered - termAt;
      assert.ok(graceMs >= 9_950, `forced after ${graceMs} ms, before the 10 s grace ended`);
      assert.ok(graceMs < 20_000, `forced after ${graceMs} ms, long after the 10 s grace`);
      const logs = await ok<{ text: string }[]>(api, 'agent.logs', { id: p.id });
      assert.ok(
        logs.some((l) => /did not stop within 10 s; forcing it/.test(l.text)),
        'the log says it was forced after 10 s',
      );
      assert.ok(logs.some((l) => /fixture agent ignores SIGTERM/.test(l.text)));
    },
    (dataDir) => {
      signals = join(dataDir, 'signals.log');
      // No stop-grace setting anywhere: the app's own default applies.
      return {
        env: {
          NIGHTSHIFT_AGENT_COMMAND: JSON.stringify(fixtureAgentCommand('chatty')),
          FIXTURE_IGNORE_TERM: '1',
          FIXTURE_SIGNAL_LOG: signals,
        },
      };
    },
  );
});

test('the data directory rules for macOS and Windows (their paths checked here as logic: this machine runs Linux)', () => {
  const cases: [string, NodeJS.Platform, NodeJS.ProcessEnv, string, string][] = [
    ['/Users/ada', 'darwin', {}, '/Users/ada/Library/Application Support/Nightshift', 'macOS'],
    [
      '/Users/ada',
      'darwin',
      { XDG_CONFIG_HOME: '/x' },
      '/Users/ada/Library/Application Support/Nightshift',
      'XDG is a Linux rule',
    ],
    ['C:\\Users\\ada', 'win32', { APPDATA: 'D:\\Roaming' }, 'D:\\Roaming\\Nightshift', '%APPDATA%'],
    [
      'C:\\Users\\ada',
      'win32',
      { APPDATA: '' },
      'C:\\Users\\ada\\AppData\\Roaming\\Nightshift',
      'an empty APPDATA counts as unset',
    ],
    ['/home/ada', 'linux', { XDG_CONFIG_HOME: '' }, '/home/ada/.config/nightshift', 'Linux'],
  ];
  for (const [home, platform, env, expected, why] of cases)
    assert.equal(defaultDataDir(home, platform, env), expected, why);
  // The app passes this machine's own platform and environment.
  assert.equal(
    defaultDataDir('/home/ada'),
    defaultDataDir('/home/ada', process.platform, process.env),
  );
});
