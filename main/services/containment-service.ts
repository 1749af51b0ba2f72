/**
 * Per-project containment in main: the sandbox status the project view shows, the project's
 * `.claude/` files the user reads before trusting them, the project's containment choices, the
 * one JSON variable that carries them to the agent (NIGHTSHIFT_CONTAINMENT), and the start
 * checks (credentials; a sandbox that cannot start) that run before anything is locked or spawned.
 */
import { messageOf } from '../../contract/result.ts';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import {
  type ContainmentStatus,
  type ContainmentUpdate,
  type ProjectSettingsFile,
  type Result,
  type RunContainment,
  containmentEnvName,
  defaultProjectContainment,
  noCredentialsMessage,
  ok,
} from '../../contract/index.ts';
import { findCredentials } from '../../core/credentials.ts';
import { type SandboxProbe, probeSandbox } from '../../core/sandbox-probe.ts';
import type { Registry } from './registry.ts';
import type { Secrets } from './secrets.ts';
import { notRegistered } from './not-registered.ts';

const MAX_FILE = 64 * 1024;

export interface ContainmentServiceOptions {
  registry: Registry;
  secrets: Secrets;
  /** The environment the agent gets (for the credentials check). */
  agentEnv(): Record<string, string | undefined>;
  probe?: () => SandboxProbe;
  home?: string;
  platform?: NodeJS.Platform;
}

export class ContainmentService {
  private readonly o: ContainmentServiceOptions;

  constructor(options: ContainmentServiceOptions) {
    this.o = options;
  }

  private probe(): SandboxProbe {
    return (this.o.probe ?? probeSandbox)();
  }

  status(id: string): Result<ContainmentStatus> {
    const project = this.o.registry.get(id);
    if (!project) return notRegistered();
    const probe = this.probe();
    const allowUnsandboxed = this.o.registry.settings().allowUnsandboxedRuns;
    return ok({
      sandbox: probe.available ? 'on' : 'off',
      reason: probe.available ? null : probe.reason,
      allowUnsandboxed,
      canStart: probe.available || allowUnsandboxed,
      project: project.containment ?? defaultProjectContainment(),
    });
  }

  update(input: ContainmentUpdate): Result<ContainmentStatus> {
    const project = this.o.registry.get(input.id);
    if (!project) return notRegistered();
    const updated = this.o.registry.update({
      id: input.id,
      containment: { ...defaultProjectContainment(), ...input.containment },
    });
    if (!updated.ok) return updated;
    return this.status(input.id);
  }

  /** `.claude/settings*.json` and the hook, command and agent files under `.claude/`. */
  projectFiles(id: string): Result<ProjectSettingsFile[]> {
    const project = this.o.registry.get(id);
    if (!project) return notRegistered();
    const dir = join(project.path, '.claude');
    const files: ProjectSettingsFile[] = [];
    const walk = (d: string, depth: number): void => {
      let entries: string[];
      try {
        entries = readdirSync(d).sort();
      } catch {
        return;
      }
      for (const name of entries) {
        const full = join(d, name);
        let st;
        try {
          st = statSync(full);
        } catch {
          continue;
        }
        if (st.isDirectory()) {
          if (depth < 3) walk(full, depth + 1);
          continue;
        }
        if (!st.isFile() || files.length >= 100) continue;
        let content: string;
        try {
          content = readFileSync(full, 'utf8').slice(0, MAX_FILE);
        } catch (error) {
          content = `(unreadable: ${messageOf(error)})`;
        }
        files.push({
          path: relative(project.path, full),
          content,
          truncated: st.size > MAX_FILE,
        });
      }
    };
    walk(dir, 0);
    const mcp = join(project.path, '.mcp.json');
    try {
      files.push({
        path: '.mcp.json',
        content: readFileSync(mcp, 'utf8').slice(0, MAX_FILE),
        truncated: statSync(mcp).size > MAX_FILE,
      });
    } catch {
      // none
    }
    return ok(files);
  }

  /** The agent's containment variable for a run of this project. */
  agentEnv(id: string): Record<string, string> {
    const project = this.o.registry.get(id);
    const value: RunContainment = {
      ...defaultProjectContainment(),
      ...(project?.containment ?? {}),
      allowUnsandboxed: this.o.registry.settings().allowUnsandboxedRuns,
    };
    return { [containmentEnvName]: JSON.stringify(value) };
  }

  /** Null when a run may start; else the sentence Start answers with (nothing locked or spawned). */
  startRefusal(): string | null {
    const credentials = findCredentials({
      env: this.o.agentEnv(),
      storedSecret: !!(this.o.secrets.get('apiKey') || this.o.secrets.get('authToken')),
      home: this.o.home ?? homedir(),
      platform: this.o.platform ?? process.platform,
    });
    if (!credentials) return noCredentialsMessage;
    const probe = this.probe();
    if (!probe.available && !this.o.registry.settings().allowUnsandboxedRuns)
      return `The OS sandbox cannot start here: ${probe.reason} Install it, or allow unsandboxed runs in Settings (agents then run without OS containment).`;
    return null;
  }

  handlers() {
    return {
      'containment.status': (input: { id: string }) => this.status(input.id),
      'containment.projectFiles': (input: { id: string }) => this.projectFiles(input.id),
      'containment.update': (input: ContainmentUpdate) => this.update(input),
    };
  }
}
