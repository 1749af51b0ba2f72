/**
 * How an agent's sessions are contained: the per-run settings the supervisor hands the agent in
 * one JSON environment variable (`NIGHTSHIFT_CONTAINMENT`), and the per-project fields the user
 * edits. One schema, parsed on both sides, so the launch protocol stays one variable wide.
 */
import { z } from 'zod';
import { ProjectRef } from './project-ref.ts';

/** A DNS name or `*.`-wildcard, as the SDK sandbox's network allowlist takes it. */
export const SandboxDomain = z
  .string()
  .trim()
  .max(253, 'A domain has at most 253 characters')
  .regex(
    /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i,
    'A domain is a host name like registry.example.com or *.example.com',
  );

export const SandboxWritePath = z
  .string()
  .trim()
  .min(1)
  .max(4096, 'That path is too long')
  .regex(/^(\/|~\/)/, 'An extra write path is absolute (/…) or under your home (~/…)')
  .refine((p) => !/(^|\/)\.\.(\/|$)/.test(p), 'An extra write path cannot contain ..')
  .refine((p) => p !== '/' && p !== '~/', 'Writing everywhere would switch the sandbox off');

/** An environment variable name the user lets through to a project's sessions. */
export const EnvName = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'A variable name is letters, digits and _');

/** Per-project containment choices (all optional in storage; defaults are the strictest). */
export const ProjectContainment = z
  .object({
    /** Extra network domains sandboxed commands may reach. */
    extraDomains: z.array(SandboxDomain).max(50).default([]),
    /** Extra folders sandboxed commands may write. */
    extraWritePaths: z.array(SandboxWritePath).max(50).default([]),
    /** Extra environment variables passed to sessions (e.g. a token the project's tests need). */
    extraEnv: z.array(EnvName).max(50).default([]),
    /** The user trusts this project's `.claude/` settings, hooks and permissions. */
    trustProjectSettings: z.boolean().default(false),
  })
  .strict();
export type ProjectContainment = z.infer<typeof ProjectContainment>;

export const defaultProjectContainment = (): ProjectContainment => ({
  extraDomains: [],
  extraWritePaths: [],
  extraEnv: [],
  trustProjectSettings: false,
});

/** What the agent process receives for one run. */
export const RunContainment = ProjectContainment.extend({
  /** The user allowed runs without the OS sandbox where it cannot start (Settings). */
  allowUnsandboxed: z.boolean().default(false),
}).strict();
export type RunContainment = z.infer<typeof RunContainment>;

export const containmentEnvName = 'NIGHTSHIFT_CONTAINMENT';

export const defaultRunContainment = (): RunContainment => ({
  ...defaultProjectContainment(),
  allowUnsandboxed: false,
});

/**
 * Reads the run's containment from its JSON env value. Absent means the defaults (strictest);
 * malformed is an error sentence, never a silent fallback to something looser.
 */
export function parseRunContainment(
  raw: string | undefined,
): { ok: true; value: RunContainment } | { ok: false; message: string } {
  if (raw === undefined || raw.trim() === '') return { ok: true, value: defaultRunContainment() };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, message: `${containmentEnvName} is not valid JSON.` };
  }
  const parsed = RunContainment.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `${containmentEnvName} is invalid: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown error'}.`,
    };
  }
  return { ok: true, value: parsed.data };
}

/** What the project view shows: "Sandbox: on" or "Sandbox: off: <reason>", and the choices. */
export const ContainmentStatus = z.object({
  sandbox: z.enum(['on', 'off']),
  /** Why the sandbox is off (null when on). */
  reason: z.string().nullable(),
  /** The user allowed runs without the sandbox (Settings). */
  allowUnsandboxed: z.boolean(),
  /** Where the sandbox is off and unsandboxed runs are not allowed, Start refuses. */
  canStart: z.boolean(),
  project: ProjectContainment,
});
export type ContainmentStatus = z.infer<typeof ContainmentStatus>;

/** One of the project's `.claude/` files, shown before the user trusts them. */
export const ProjectSettingsFile = z.object({
  /** Relative to the project folder. */
  path: z.string(),
  content: z.string(),
  /** Only the first 64 KiB are shown. */
  truncated: z.boolean(),
});
export type ProjectSettingsFile = z.infer<typeof ProjectSettingsFile>;

export const ContainmentUpdate = ProjectRef.extend({ containment: ProjectContainment });
export type ContainmentUpdate = z.input<typeof ContainmentUpdate>;

export const containmentCommands = {
  'containment.status': { input: ProjectRef, output: ContainmentStatus },
  /** The project's `.claude/` settings, hooks and agents files, to read before trusting them. */
  'containment.projectFiles': { input: ProjectRef, output: z.array(ProjectSettingsFile) },
  'containment.update': { input: ContainmentUpdate, output: ContainmentStatus },
} as const;

/** Start's answer when no credentials exist anywhere (the UI offers Settings → Provider). */
export const noCredentialsMessage =
  'No Claude credentials were found. Enter an API key in Settings → Provider (or set up Bedrock or Vertex), then press Start.';

/** The panel's words when the provider refused the credentials during a run (agent exit 3). */
export const credentialsRefusedMessage =
  'Stopped: the provider refused the credentials. Fix the API key or sign-in in Settings → Provider, then press Start.';

/** True when a message is about credentials: the UI shows the "Open Settings → Provider" button. */
export const isCredentialsMessage = (message: string | null | undefined): boolean =>
  message === noCredentialsMessage || message === credentialsRefusedMessage;
