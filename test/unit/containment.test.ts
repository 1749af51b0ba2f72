/**
 * The pure halves of containment: which variables reach a session, what the sandbox settings
 * allow, which paths no agent may write, where credentials are found, and how the per-run
 * containment variable is read. The real-session proof is test/integration/session-containment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionEnvFrom } from '../../agent/env-allowlist.ts';
import {
  mayRead,
  providerHostOf,
  readRulesFor,
  sandboxSettingsFor,
} from '../../agent/containment.ts';
import { isProtectedPath } from '../../agent/protected-paths.ts';
import { guardHooks, realpathOrNull } from '../../agent/session-guard.ts';
import { findCredentials } from '../../core/credentials.ts';
import { defaultRunContainment, parseRunContainment } from '../../contract/containment.ts';

test('the session environment is an allowlist; a project may name extra variables', () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/u',
    LANG: 'C.UTF-8',
    LC_ALL: 'C',
    TERM: 'xterm',
    TMPDIR: '/tmp',
    NODE_OPTIONS: '--max-old-space-size=4096',
    ANTHROPIC_API_KEY: 'sk-ant-x',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    CLAUDE_CODE_MAX_RETRIES: '0',
    SSH_AUTH_SOCK: '/tmp/ssh.sock',
    AWS_SECRET_ACCESS_KEY: 'a',
    AWS_PROFILE: 'p',
    GOOGLE_APPLICATION_CREDENTIALS: '/g.json',
    AZURE_CLIENT_SECRET: 'z',
    GITHUB_TOKEN: 'ghp',
    GH_TOKEN: 'gho',
    GITLAB_TOKEN: 'glpat',
    NPM_TOKEN: 'npm',
    CLAUDE_CODE_OAUTH_REFRESH_TOKEN: 'r',
    NIGHTSHIFT_RUN_ID: 'run',
    MY_APP_SECRET_KEY: 's',
    STRIPE_API_KEY: 'k',
    RANDOM_THING: 'x',
    MY_TEST_TOKEN: 't',
  };
  const out = sessionEnvFrom(env, { extraNames: ['MY_TEST_TOKEN'], fixed: { TMPDIR: '/run/t' } });
  assert.deepEqual(Object.keys(out).sort(), [
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_BASE_URL',
    'CLAUDE_CODE_MAX_RETRIES',
    'HOME',
    'LANG',
    'LC_ALL',
    'MY_TEST_TOKEN',
    'NODE_OPTIONS',
    'PATH',
    'TERM',
    'TMPDIR',
  ]);
  assert.equal(out.TMPDIR, '/run/t');
  // Bedrock needs its cloud's variables, and only then.
  const bedrock = sessionEnvFrom({ ...env, CLAUDE_CODE_USE_BEDROCK: '1' });
  assert.equal(bedrock.AWS_SECRET_ACCESS_KEY, 'a');
  assert.equal(bedrock.GOOGLE_APPLICATION_CREDENTIALS, undefined);
});

test('the sandbox writes only the project, the run temp folder, caches and extras; home is hidden', () => {
  const s = sandboxSettingsFor({
    projectDir: '/home/u/proj',
    home: '/home/u',
    tmpDir: '/tmp/nightshift-run-1',
    providerHost: 'gateway.example.com',
    cloudProvider: null,
    containment: {
      ...defaultRunContainment(),
      extraDomains: ['api.example.org'],
      extraWritePaths: ['~/shared-cache'],
    },
  });
  assert.equal(s.enabled, true);
  assert.equal(s.failIfUnavailable, true);
  assert.equal(s.allowUnsandboxedCommands, false, 'commands cannot ask to leave the sandbox');
  const fs = s.filesystem!;
  assert.ok(fs.allowWrite!.includes('/home/u/proj'));
  assert.ok(fs.allowWrite!.includes('/tmp/nightshift-run-1'));
  assert.ok(fs.allowWrite!.includes('/home/u/.npm'));
  assert.ok(fs.allowWrite!.includes('/home/u/shared-cache'));
  assert.ok(!fs.allowWrite!.some((p) => p === '/tmp' || p === '/home/u'));
  assert.deepEqual(fs.denyWrite, [
    '/home/u/proj/.claude/settings.json',
    '/home/u/proj/.claude/settings.local.json',
    '/home/u/proj/.nightshift',
    '/home/u/proj/.git/hooks',
    '/home/u/proj/.git/config',
  ]);
  assert.ok(fs.denyRead!.includes('/home/u') && fs.denyRead!.includes('/home/u/.ssh'));
  assert.ok(fs.allowRead!.includes('/home/u/proj'));
  const domains = s.network!.allowedDomains!;
  for (const d of ['api.anthropic.com', 'gateway.example.com', 'registry.npmjs.org', 'pypi.org'])
    assert.ok(domains.includes(d), d);
  assert.ok(domains.includes('localhost') && domains.includes('api.example.org'));
  assert.equal(s.network!.strictAllowlist, true);
  assert.deepEqual(
    s.credentials!.envVars!.map((v) => [v.name, v.mode]),
    [
      ['ANTHROPIC_API_KEY', 'deny'],
      ['ANTHROPIC_AUTH_TOKEN', 'deny'],
      ['ANTHROPIC_CUSTOM_HEADERS', 'deny'],
      ['CLAUDE_CODE_OAUTH_TOKEN', 'deny'],
    ],
  );
  assert.equal(providerHostOf('https://gw.example.com:8443/v1'), 'gw.example.com');
  assert.equal(providerHostOf('not a url'), null);
});

test('protected paths: settings, .nightshift, git hooks and config, also through a symlink', () => {
  const project = mkdtempSync(join(tmpdir(), 'ns-protected-'));
  try {
    mkdirSync(join(project, '.git', 'hooks'), { recursive: true });
    symlinkSync(join(project, '.git', 'hooks'), join(project, 'innocent'));
    const is = (p: string) => isProtectedPath(join(project, p), project, realpathOrNull);
    for (const p of [
      '.claude/settings.json',
      '.claude/settings.local.json',
      '.claude/settings.backup.json',
      '.claude',
      '.nightshift/drain',
      '.git/hooks/pre-commit',
      '.git/config',
      '.git',
      'innocent/pre-commit',
    ])
      assert.equal(is(p), true, p);
    for (const p of ['src/a.ts', '.claude/agents/x.md', '.git/HEAD.lock', 'README.md'])
      assert.equal(is(p), false, p);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});

test('credentials are found in Settings, the environment, Bedrock/Vertex or Claude Code’s sign-in', () => {
  const home = mkdtempSync(join(tmpdir(), 'ns-cred-home-'));
  try {
    const base = { env: {}, storedSecret: false, home, platform: 'linux' as const };
    assert.equal(findCredentials(base), null);
    assert.equal(findCredentials({ ...base, storedSecret: true }), 'stored-key');
    assert.equal(findCredentials({ ...base, env: { ANTHROPIC_API_KEY: 'k' } }), 'env-key');
    assert.equal(findCredentials({ ...base, env: { ANTHROPIC_API_KEY: '  ' } }), null);
    assert.equal(findCredentials({ ...base, env: { CLAUDE_CODE_USE_BEDROCK: '1' } }), 'bedrock');
    assert.equal(findCredentials({ ...base, env: { CLAUDE_CODE_USE_VERTEX: '0' } }), null);
    writeFileSync(join(home, '.claude.json'), '{"oauthAccount":{"emailAddress":"a@b"}}');
    assert.equal(findCredentials(base), null, 'the keychain hint counts on macOS only');
    assert.equal(findCredentials({ ...base, platform: 'darwin' }), 'claude-sign-in');
    mkdirSync(join(home, '.claude'));
    writeFileSync(join(home, '.claude', '.credentials.json'), '{}');
    assert.equal(findCredentials(base), 'claude-sign-in');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('the run containment variable: absent means strictest, malformed is a sentence', () => {
  const none = parseRunContainment(undefined);
  assert.ok(none.ok && none.value.allowUnsandboxed === false);
  assert.ok(none.ok && none.value.trustProjectSettings === false);
  const broken = parseRunContainment('{');
  assert.deepEqual(broken, { ok: false, message: 'NIGHTSHIFT_CONTAINMENT is not valid JSON.' });
  const bad = parseRunContainment('{"extraDomains":["http://x"]}');
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.message, /extraDomains\.0: A domain is a host name/);
});

test('file tools read the project, toolchains and caches, never the rest of home or credentials', () => {
  const rules = readRulesFor({
    projectDir: '/home/u/proj',
    home: '/home/u',
    tmpDir: '/tmp/nightshift-run-1',
    providerHost: null,
    cloudProvider: null,
    containment: defaultRunContainment(),
  });
  for (const p of [
    '/home/u/proj/src/a.ts',
    '/home/u/.npm/_cacache/x',
    '/usr/lib/node/x.js',
    '/tmp/x',
  ])
    assert.equal(mayRead(p, rules), true, p);
  for (const p of [
    '/home/u/.ssh/id_ed25519',
    '/home/u/notes.txt',
    '/home/u/.aws/credentials',
    '/home/u/.cargo/credentials.toml',
    '/home/u/.config/nightshift/secrets.json',
  ])
    assert.equal(mayRead(p, rules), false, p);
});

test('WebFetch (outside the OS sandbox) reaches only the sandbox’s domains; the agent is told why', async () => {
  const sandbox = sandboxSettingsFor({
    projectDir: '/home/u/proj',
    home: '/home/u',
    tmpDir: '/tmp/nightshift-run-1',
    providerHost: 'llm.example.org',
    cloudProvider: 'bedrock',
    containment: { ...defaultRunContainment(), extraDomains: ['docs.example.com'] },
  });
  const hooks = guardHooks('/home/u/proj', {
    sandbox,
    trustProjectSettings: false,
    home: '/home/u',
    tmpDir: '/tmp/nightshift-run-1',
    pathVar: '/usr/bin',
  });
  const webFetch = hooks.find((h) => h.matcher === 'WebFetch')?.hooks[0];
  assert.ok(webFetch, 'a WebFetch hook is installed');
  const decide = async (url: unknown): Promise<string | undefined> => {
    const out = (await webFetch(
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'WebFetch',
        tool_input: { url, prompt: 'read it' },
        tool_use_id: 't1',
        session_id: 's',
        transcript_path: '/dev/null',
        cwd: '/home/u/proj',
      },
      't1',
      { signal: new AbortController().signal },
    )) as { hookSpecificOutput?: { permissionDecisionReason?: string } };
    return out.hookSpecificOutput?.permissionDecisionReason;
  };
  for (const ok of [
    'https://registry.npmjs.org/react',
    'http://localhost:5173/',
    'http://127.0.0.1:3000/x',
    'https://llm.example.org/v1',
    'https://bedrock-runtime.us-east-1.amazonaws.com/',
    'https://DOCS.example.com/page',
  ])
    assert.equal(await decide(ok), undefined, ok);
  for (const refused of [
    'https://evil.example.net/exfil?key=1',
    'https://registry.npmjs.org.evil.net/',
    'https://amazonaws.com.evil.net/',
    'file:///home/u/.ssh/id_ed25519',
    'not a url',
    42,
  ]) {
    const reason = await decide(refused);
    assert.match(
      reason ?? '',
      /^Fetching '.*' is refused: sessions reach only the provider/,
      String(refused),
    );
  }
  // Unsandboxed runs (the user allowed them) keep WebFetch as it is.
  const open = guardHooks('/home/u/proj', {
    sandbox: null,
    trustProjectSettings: false,
    home: '/home/u',
    tmpDir: '/tmp/x',
    pathVar: '/usr/bin',
  }).find((h) => h.matcher === 'WebFetch')?.hooks[0];
  assert.deepEqual(
    await open!(
      {
        hook_event_name: 'PreToolUse',
        tool_name: 'WebFetch',
        tool_input: { url: 'https://evil.example.net/' },
        tool_use_id: 't2',
        session_id: 's',
        transcript_path: '/dev/null',
        cwd: '/home/u/proj',
      },
      't2',
      { signal: new AbortController().signal },
    ),
    {},
  );
});
