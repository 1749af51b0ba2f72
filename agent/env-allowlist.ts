/**
 * The environment a Claude session (and every command it runs) gets: an allowlist, not the
 * agent's whole environment. Invariants:
 * - Only names on the allowlist (exact names or `PREFIX_*` families) or named by the project pass.
 * - Credential-shaped names (SSH agent, cloud, forge, registry tokens) and Nightshift's own
 *   variables never pass through a family rule; only an explicit per-project name lets one in
 *   (the agent adds NIGHTSHIFT_RUN_ID itself as a fixed value: it marks the run's processes).
 * - The provider's settings pass so Claude Code can talk to the model; the commands it runs do
 *   not see the key: the sandbox's credential rules unset it for them (containment.ts).
 */

/** Exact names that pass. */
const EXACT = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TERM',
  'COLORTERM',
  'NO_COLOR',
  'FORCE_COLOR',
  'TMPDIR',
  'TMP',
  'TEMP',
  'EDITOR',
  'PWD',
  // toolchains
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_EXTRA_CA_CERTS',
  'NVM_DIR',
  'VOLTA_HOME',
  'FNM_DIR',
  'PNPM_HOME',
  'BUN_INSTALL',
  'DENO_DIR',
  'GOPATH',
  'GOROOT',
  'GOCACHE',
  'GOMODCACHE',
  'GOFLAGS',
  'GOPROXY',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'JAVA_HOME',
  'VIRTUAL_ENV',
  'PYENV_ROOT',
  'PIP_INDEX_URL',
  'UV_CACHE_DIR',
  'PLAYWRIGHT_BROWSERS_PATH',
  'CI',
  // network set-up the toolchain needs behind a proxy
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  // X display for browser verification
  'DISPLAY',
  'WAYLAND_DISPLAY',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
]);

/** Families that pass (prefixes), unless the name is credential-shaped (DENY below). */
const PREFIXES = [
  'LC_',
  'npm_config_',
  'NPM_CONFIG_',
  'PYTHON',
  'RUST',
  'DEBUG',
  // Claude Code's own knobs (timeouts, retries, telemetry); tokens among them are DENIED below.
  'CLAUDE_CODE_',
  'DISABLE_',
  'ENABLE_',
  'MCP_',
  'BASH_DEFAULT_TIMEOUT',
  'BASH_MAX_TIMEOUT',
];

/**
 * Provider settings Claude Code needs to reach the model. The key and token are scrubbed from
 * the commands' environment by Claude Code and the sandbox; they are not scrubbed here, or
 * Claude Code itself could not authenticate.
 */
export const PROVIDER_NAMES = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_BASE_URL',
  'ANTHROPIC_MODEL',
  'ANTHROPIC_SMALL_FAST_MODEL',
  'ANTHROPIC_DEFAULT_OPUS_MODEL',
  'ANTHROPIC_DEFAULT_SONNET_MODEL',
  'ANTHROPIC_DEFAULT_HAIKU_MODEL',
  'ANTHROPIC_CUSTOM_HEADERS',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
  'DISABLE_TELEMETRY',
  'API_TIMEOUT_MS',
] as const;

/** The provider credentials commands must never see. */
export const PROVIDER_SECRET_NAMES = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'ANTHROPIC_CUSTOM_HEADERS',
  'CLAUDE_CODE_OAUTH_TOKEN',
] as const;

/**
 * Bedrock and Vertex sessions authenticate with cloud credentials: when the user chose one of
 * them, Claude Code needs that cloud's variables (and only that cloud's).
 */
const BEDROCK = /^AWS_/;
const VERTEX = /^(GOOGLE_|GCLOUD_|CLOUDSDK_|ANTHROPIC_VERTEX_)/;

/** Never passed by a family or default rule. */
export const DENIED = [
  /^SSH_/,
  /^GPG_/,
  /^AWS_/,
  /^GOOGLE_/,
  /^GCLOUD_/,
  /^CLOUDSDK_/,
  /^AZURE_/,
  /^ARM_/,
  /^GITHUB_/,
  /^GH_/,
  /^GITLAB_/,
  /^CI_JOB_TOKEN$/,
  /^BITBUCKET_/,
  /^NPM_TOKEN$/,
  /^NODE_AUTH_TOKEN$/,
  /_TOKEN$/i,
  /_SECRET/i,
  /_PASSWORD/i,
  /_API_KEY$/i,
  /^NIGHTSHIFT_/,
  /^DOCKER_/,
  /^KUBECONFIG$/,
  /^VAULT_/,
];

const truthy = (v: string | undefined): boolean => !!v && !/^(0|false|no|off)?$/i.test(v.trim());

export interface SessionEnvOptions {
  /** Names the user lets through for this project (exact names). */
  extraNames?: readonly string[];
  /** Settings Nightshift itself adds for Claude Code (not from the user's environment). */
  fixed?: Record<string, string>;
}

/** True when `name` may reach a session, without per-project permission. */
export function isAllowedByDefault(name: string, env: Record<string, string | undefined>): boolean {
  if ((PROVIDER_NAMES as readonly string[]).includes(name)) return true;
  if (truthy(env.CLAUDE_CODE_USE_BEDROCK) && BEDROCK.test(name)) return true;
  if (truthy(env.CLAUDE_CODE_USE_VERTEX) && VERTEX.test(name)) return true;
  if (DENIED.some((re) => re.test(name))) return false;
  return EXACT.has(name) || PREFIXES.some((p) => name.startsWith(p));
}

/** The session environment built from the agent's own environment. */
export function sessionEnvFrom(
  env: Record<string, string | undefined>,
  options: SessionEnvOptions = {},
): Record<string, string> {
  const extra = new Set(options.extraNames ?? []);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (extra.has(name) || isAllowedByDefault(name, env)) out[name] = value;
  }
  // Not CLAUDE_CODE_SUBPROCESS_ENV_SCRUB: that is Claude Code's CI hardening mode, which forces
  // the permission mode to "default" and binds /home, /root and /tmp writable into its sandbox.
  // The key is kept from commands by the sandbox's credential rules instead (containment.ts).
  return { ...out, ...options.fixed };
}
