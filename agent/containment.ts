/**
 * The OS sandbox every session's commands run in (the Claude Agent SDK's `sandbox` option).
 * Invariants:
 * - Writes: only the project folder, the run's temp folder, the package caches the toolchain
 *   needs, and the extra paths the user added for this project. Never `.claude/settings*.json`,
 *   `.nightshift/`, `.git/hooks` or `.git/config` (nothing a session writes may widen a later one).
 * - Reads: the user's home is hidden except the project, toolchains, caches and the git config;
 *   well-known credential files stay hidden even inside re-allowed folders.
 * - Network: the provider, the package registries and localhost, plus the project's extra domains.
 * - The provider key is denied to commands (Claude Code itself still has it).
 * - Commands cannot ask to leave the sandbox (`allowUnsandboxedCommands: false`).
 */
import type { SandboxSettings } from '@anthropic-ai/claude-agent-sdk';
import { join, resolve } from 'node:path';
import type { RunContainment } from '../contract/containment.ts';
import { PROVIDER_SECRET_NAMES } from './env-allowlist.ts';
import { protectedProjectPaths } from './protected-paths.ts';

export const PACKAGE_REGISTRY_DOMAINS = [
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'repo.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'crates.io',
  'index.crates.io',
  'static.crates.io',
  'proxy.golang.org',
  'sum.golang.org',
  'rubygems.org',
  'repo.maven.apache.org',
] as const;

export const LOCALHOST_DOMAINS = ['localhost', '127.0.0.1', '::1'] as const;

/** Folders under $HOME the toolchain reads (and, for caches, writes). */
const HOME_TOOLCHAIN_READ = [
  '.nvm',
  '.volta',
  '.fnm',
  '.bun',
  '.deno',
  '.cargo',
  '.rustup',
  'go',
  '.pyenv',
  '.local',
  '.gitconfig',
  '.config/git',
] as const;
const HOME_CACHES_WRITE = [
  '.npm',
  '.cache',
  '.yarn',
  '.pnpm-store',
  '.local/share/pnpm',
  '.bun/install/cache',
  '.cargo/registry',
  '.cargo/git',
  'go/pkg/mod',
  '.deno',
] as const;

/** Credential files hidden even where their folder is readable. */
const HOME_SECRETS = [
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.config/glab-cli',
  '.docker/config.json',
  '.kube',
  '.netrc',
  '.npmrc',
  '.yarnrc.yml',
  '.pypirc',
  '.git-credentials',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.claude',
  '.claude.json',
  '.config/nightshift',
  '.config/Nightshift',
  'Library/Application Support/Nightshift',
  'Library/Keychains',
] as const;

export interface SandboxInputs {
  projectDir: string;
  home: string;
  /** The run's temp folder (TMPDIR of the sessions). */
  tmpDir: string;
  /** The provider's host (from ANTHROPIC_BASE_URL), or null for Anthropic's API. */
  providerHost: string | null;
  /** Bedrock / Vertex need their cloud endpoints. */
  cloudProvider: 'bedrock' | 'vertex' | null;
  containment: RunContainment;
}

const expandHome = (p: string, home: string): string =>
  p.startsWith('~/') ? join(home, p.slice(2)) : p;

export function providerDomains(
  providerHost: string | null,
  cloud: 'bedrock' | 'vertex' | null,
): string[] {
  const out = ['api.anthropic.com'];
  if (providerHost) out.push(providerHost);
  if (cloud === 'bedrock') out.push('*.amazonaws.com');
  if (cloud === 'vertex') out.push('*.googleapis.com');
  return out;
}

/** The SDK `sandbox` option for one session with the sandbox on. */
export function sandboxSettingsFor(input: SandboxInputs): SandboxSettings {
  const home = resolve(input.home);
  const project = resolve(input.projectDir);
  const extraWrite = input.containment.extraWritePaths.map((p) => expandHome(p, home));
  const inHome = (rel: readonly string[]): string[] => rel.map((r) => join(home, r));
  return {
    enabled: true,
    failIfUnavailable: true,
    autoAllowBashIfSandboxed: true,
    allowUnsandboxedCommands: false,
    filesystem: {
      allowWrite: [project, resolve(input.tmpDir), ...inHome(HOME_CACHES_WRITE), ...extraWrite],
      denyWrite: protectedProjectPaths(project),
      denyRead: [home, ...inHome(HOME_SECRETS)],
      allowRead: [
        project,
        ...inHome(HOME_TOOLCHAIN_READ),
        ...inHome(HOME_CACHES_WRITE),
        ...extraWrite,
      ],
    },
    network: {
      allowedDomains: [
        ...new Set([
          ...providerDomains(input.providerHost, input.cloudProvider),
          ...PACKAGE_REGISTRY_DOMAINS,
          ...LOCALHOST_DOMAINS,
          ...input.containment.extraDomains,
        ]),
      ],
      strictAllowlist: true,
      allowLocalBinding: true,
    },
    credentials: {
      envVars: PROVIDER_SECRET_NAMES.map((name) => ({ name, mode: 'deny' as const })),
    },
  };
}

export interface ReadRules {
  /** Hidden folders (the home folder, credential files). */
  deny: string[];
  /** Re-allowed inside `deny` (the project, toolchains, caches). */
  allow: string[];
  /** Hidden even inside `allow` (credential files). */
  secrets: string[];
}

/** What file tools (Read, Grep, Glob) may read: the sandbox's read rules, for tools it does not cover. */
export function readRulesFor(input: SandboxInputs): ReadRules {
  const fs = sandboxSettingsFor(input).filesystem!;
  const home = resolve(input.home);
  return {
    deny: fs.denyRead ?? [],
    allow: fs.allowRead ?? [],
    secrets: HOME_SECRETS.map((r) => join(home, r)),
  };
}

const within = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** True when a file tool may read `absPath` under `rules`. */
export function mayRead(absPath: string, rules: ReadRules): boolean {
  const p = resolve(absPath);
  if (rules.secrets.some((d) => within(p, d))) return false;
  if (!rules.deny.some((d) => within(p, d))) return true;
  return rules.allow.some((d) => within(p, d));
}

/**
 * May WebFetch (which runs in Claude Code, outside the OS sandbox) fetch `url`? The same domains
 * the sandbox lets commands reach: an exact host, or `*.example.com` for its subdomains. Only
 * http(s) URLs; anything unparsable is refused.
 */
export function mayFetch(url: string, allowedDomains: readonly string[]): boolean {
  let host: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (!host) return false;
  return allowedDomains.some((d) => {
    const domain = d.toLowerCase();
    return domain.startsWith('*.') ? host.endsWith(domain.slice(1)) : host === domain;
  });
}

/** The provider host from a base URL, or null (Anthropic's API, or an unparsable value). */
export function providerHostOf(baseUrl: string | undefined): string | null {
  if (!baseUrl) return null;
  try {
    return new URL(baseUrl).hostname.replace(/^\[|\]$/g, '') || null;
  } catch {
    return null;
  }
}
