/**
 * Containment of a real session, end to end: the real Claude Agent SDK and the bundled Claude
 * Code executable against the local fake Anthropic server, whose scripted "model" runs shell
 * commands through the Bash tool. What the commands print comes back as tool results, which the
 * test reads from the requests the fake server received.
 *
 * The session's environment is built by sessionEnvFrom from an environment full of secrets, and
 * its sandbox by sandboxSettingsFor, exactly as the agent does. The sandbox test skips (saying
 * why) on a machine where the OS sandbox cannot start.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  callTool,
  lastToolResults,
  startFakeAnthropic,
  text,
  toolResultText,
  type FakeAnthropic,
  type MessagesRequest,
} from '../fixtures/fake-anthropic-server.ts';
import { runSession, type SessionResult } from '../../agent/session.ts';
import { sessionEnvFrom } from '../../agent/env-allowlist.ts';
import { readRulesFor, sandboxSettingsFor } from '../../agent/containment.ts';
import { probeSandbox } from '../../core/sandbox-probe.ts';
import { defaultRunContainment } from '../../contract/containment.ts';
import type { SessionContainment } from '../../agent/session-guard.ts';

const KEY = 'sk-ant-test-dummy-key-containment-0001';
const SECRETS: Record<string, string> = {
  GITHUB_TOKEN: 'ghp_faketoken0000000000000000',
  GH_TOKEN: 'gho_faketoken111111111111111',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-fake-2222',
  AWS_ACCESS_KEY_ID: 'AKIAFAKE3333',
  GOOGLE_APPLICATION_CREDENTIALS: '/fake/gcp.json',
  AZURE_CLIENT_SECRET: 'azure-fake-4444',
  GITLAB_TOKEN: 'glpat-fake-5555',
  NPM_TOKEN: 'npm_fake_6666',
  SSH_AUTH_SOCK: '/tmp/fake-ssh-agent.sock',
  NIGHTSHIFT_RUN_LOG: '/tmp/run-secret-7777.jsonl',
};
const PRIVATE_KEY_TEXT = 'FAKE-PRIVATE-KEY-TEXT-8888';

let fake: FakeAnthropic;
let root: string;
let home: string;
let project: string;
let outside: string;
let sessionTmp: string;
let script: string[] = [];
/** After the Bash steps, one call of another tool (e.g. Write), or none. */
let fileScript: Record<string, Record<string, unknown>> | null = null;

/** Runs `script` one Bash call per turn, then ends the session. */
function brain(request: MessagesRequest) {
  const step = request.messages.filter((m) => m.role === 'assistant').length;
  const command = script[step];
  if (command !== undefined) return callTool('Bash', { command, description: `step ${step}` });
  const extra = fileScript ? Object.entries(fileScript)[step - script.length] : undefined;
  if (extra) return callTool(extra[0], extra[1]);
  return text('Done.');
}

/** The tool result text of each step, in order. */
function results(): string[] {
  const out: string[] = [];
  for (const r of fake.requests) {
    const last = lastToolResults(r);
    if (last.length > 0)
      out[r.messages.filter((m) => m.role === 'assistant').length - 1] = last
        .map(toolResultText)
        .join('\n');
  }
  return out;
}

before(async () => {
  fake = await startFakeAnthropic(brain);
  root = mkdtempSync(join(tmpdir(), 'ns-contain-'));
  home = join(root, 'home');
  project = join(root, 'home', 'work', 'app');
  outside = join(root, 'elsewhere');
  sessionTmp = join(root, 'session-tmp');
  for (const d of [project, outside, sessionTmp, join(home, '.ssh')])
    mkdirSync(d, { recursive: true });
  writeFileSync(join(home, '.ssh', 'id_ed25519'), `${PRIVATE_KEY_TEXT}\n`);
  writeFileSync(join(outside, 'notes.txt'), 'outside\n');
});

after(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
});

function agentProcessEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    TMPDIR: sessionTmp,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: KEY,
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    ...SECRETS,
  };
}

async function session(
  containment: SessionContainment,
  tools: string[] = ['Bash'],
): Promise<SessionResult> {
  fake.requests.length = 0;
  return runSession({
    role: 'coding',
    prompt: 'Run the commands.',
    systemAppend: '',
    model: 'claude-sonnet-4-5',
    cwd: project,
    mcpServers: {},
    allowedTools: tools,
    builtinTools: tools,
    env: sessionEnvFrom(agentProcessEnv()),
    containment,
    claudePath: null,
    maxTurns: 20,
    timeoutMs: 90_000,
    signal: new AbortController().signal,
    onActivity: () => undefined,
    onLog: (line) => {
      if (process.env.NS_TEST_VERBOSE) console.log(line);
    },
  });
}

const inputs = () =>
  ({
    projectDir: project,
    home,
    tmpDir: sessionTmp,
    providerHost: '127.0.0.1',
    cloudProvider: null,
    containment: defaultRunContainment(),
  }) as const;
const sandboxed = (): SessionContainment => ({
  sandbox: sandboxSettingsFor(inputs()),
  readRules: readRulesFor(inputs()),
  trustProjectSettings: false,
  home,
  tmpDir: sessionTmp,
  pathVar: process.env.PATH ?? '',
});

test('the environment is an allowlist: env, printenv and $ANTHROPIC_API_KEY show no key and no denied variable', async () => {
  script = ['env', 'printenv', 'echo "key=[$ANTHROPIC_API_KEY] token=[$ANTHROPIC_AUTH_TOKEN]"'];
  const probe = probeSandbox();
  const result = await session(probe.available ? sandboxed() : { ...sandboxed(), sandbox: null });
  assert.equal(result.end, 'completed', result.message);
  const [env, printenv, echo] = results();
  for (const out of [env, printenv]) {
    assert.ok(out && /\bPATH=/.test(out), `the command ran and printed the environment: ${out}`);
    assert.ok(!out.includes(KEY), "the provider key is not in the commands' environment");
    for (const [name, value] of Object.entries(SECRETS)) {
      assert.ok(!out.includes(`${name}=`), `${name} is not passed`);
      assert.ok(!out.includes(value), `the value of ${name} is not passed`);
    }
  }
  assert.match(echo ?? '', /^key=\[\] token=\[\]\n/);
});

test('the sandbox: a write outside the project and a read of a key file fail, a write in the project succeeds', async (t) => {
  const probe = probeSandbox();
  if (!probe.available) {
    t.skip(`the OS sandbox cannot start here: ${probe.reason}`);
    return;
  }
  script = [
    'echo inside > inside.txt && echo wrote-inside',
    `echo pwned > ${join(outside, 'outside.txt')} ; echo "exit=$?"`,
    `cat ${join(home, '.ssh', 'id_ed25519')} ; echo "exit=$?"`,
    // The guard would refuse `> .nightshift/flag`; `tee` via a computed name gets past it, not the sandbox.
    `d=.nights; tee "\${d}hift/flag" < /dev/null ; echo "exit=$?"`,
  ];
  // The Read tool runs in Claude Code, outside the OS sandbox: the read hook keeps it out.
  fileScript = { Read: { file_path: join(home, '.ssh', 'id_ed25519') } };
  const result = await session(sandboxed(), ['Bash', 'Read']);
  fileScript = null;
  assert.equal(result.end, 'completed', result.message);
  const [inside, writeOutside, readKey, nightshift, readTool] = results();
  assert.match(readTool ?? '', /Reading '.*id_ed25519' is refused/);
  assert.ok(!(readTool ?? '').includes(PRIVATE_KEY_TEXT), 'the Read tool did not read the key');
  if (process.env.NS_TEST_VERBOSE) console.log({ inside, writeOutside, readKey, nightshift });
  assert.match(inside ?? '', /wrote-inside/);
  assert.equal(readFileSync(join(project, 'inside.txt'), 'utf8'), 'inside\n');
  assert.ok(
    !existsSync(join(outside, 'outside.txt')),
    `nothing was written outside: ${writeOutside}`,
  );
  assert.match(writeOutside ?? '', /exit=[1-9]/);
  assert.ok(!(readKey ?? '').includes(PRIVATE_KEY_TEXT), `the key file was not read: ${readKey}`);
  assert.match(readKey ?? '', /exit=[1-9]/);
  assert.ok(
    !existsSync(join(project, '.nightshift', 'flag')),
    `the sandbox denies .nightshift/: ${nightshift}`,
  );
  assert.match(nightshift ?? '', /exit=[1-9]/);
});

test('project .claude settings load only when trusted, and no file tool may rewrite them', async () => {
  const marker = join(root, 'hook-ran');
  mkdirSync(join(project, '.claude'), { recursive: true });
  const settings = JSON.stringify({
    hooks: {
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: `touch ${marker}` }] }],
    },
  });
  writeFileSync(join(project, '.claude', 'settings.json'), settings);
  const probe = probeSandbox();
  const base = probe.available ? sandboxed() : { ...sandboxed(), sandbox: null };
  script = ['echo untrusted'];
  fileScript = {
    // A new file: Claude Code asks to read an existing one first, before any hook runs.
    Write: { file_path: join(project, '.claude', 'settings.local.json'), content: '{"hooks":{}}' },
  };
  const untrusted = await session(base, ['Bash', 'Write']);
  assert.equal(untrusted.end, 'completed', untrusted.message);
  assert.equal(existsSync(marker), false, 'an untrusted project hook never runs');
  const writeResult = results()[1] ?? '';
  assert.match(writeResult, /Writing '.*\.claude\/settings\.local\.json' is refused/);
  assert.equal(existsSync(join(project, '.claude', 'settings.local.json')), false);
  assert.equal(readFileSync(join(project, '.claude', 'settings.json'), 'utf8'), settings);

  script = ['echo trusted'];
  fileScript = null;
  const trusted = await session({ ...base, trustProjectSettings: true });
  assert.equal(trusted.end, 'completed', trusted.message);
  assert.equal(existsSync(marker), true, 'a trusted project hook runs');
});
