import { z } from 'zod';
import { ProjectRef } from './project-ref.ts';
import { RunOverrides, RunSettings } from './run-settings.ts';

export const agentStatuses = [
  'stopped',
  'starting',
  'running',
  'draining',
  'paused',
  'stopping',
  'crashed',
] as const;
export const AgentStatus = z.enum(agentStatuses);
export type AgentStatus = z.infer<typeof AgentStatus>;

/** Why a paused agent is paused: its process tree is frozen, or it drained and sits idle. */
export const PauseKind = z.enum(['frozen', 'drained']);
export type PauseKind = z.infer<typeof PauseKind>;

/**
 * Who started the run. An adopted run keeps the origin its lock recorded (see `adopted`);
 * 'adopted' itself is only for records written before the lock carried an origin.
 */
export const RunOrigin = z.enum(['manual', 'schedule', 'adopted']);
export type RunOrigin = z.infer<typeof RunOrigin>;

export const ExitInfo = z.object({
  code: z.number().nullable(),
  signal: z.string().nullable(),
  at: z.string(),
  lastLines: z.array(z.string()),
});
export type ExitInfo = z.infer<typeof ExitInfo>;

export const AgentState = z.object({
  projectId: z.string(),
  status: AgentStatus,
  pauseKind: PauseKind.nullable(),
  pid: z.number().nullable(),
  runId: z.string().nullable(),
  startedAt: z.string().nullable(),
  origin: RunOrigin.nullable(),
  /** The run was started by an earlier session of the app and attached to after a restart. */
  adopted: z.boolean(),
  settings: RunSettings.nullable(),
  /** Set after a crash: how it ended and its last lines. */
  exit: ExitInfo.nullable(),
  /** Whether this platform can freeze a process tree (false on Windows: pause drains there). */
  canFreeze: z.boolean(),
  /** The last thing that happened, in words (shown under the status badge). */
  message: z.string().nullable(),
  /**
   * The project's agent lock names a process the OS does not confirm as its agent: why, in a
   * sentence. The panel offers `agent.clearLock`; Start is refused until then.
   */
  lockProblem: z.string().nullable().optional(),
});
export type AgentState = z.infer<typeof AgentState>;

export const AgentStart = ProjectRef.extend({ overrides: RunOverrides.optional() });
export type AgentStart = z.infer<typeof AgentStart>;

export const LogLine = z.object({
  seq: z.number(),
  ts: z.number(),
  text: z.string(),
  /** Which agent inside the run wrote it (e.g. "coding-1"), when known. */
  agent: z.string().optional(),
  level: z.enum(['info', 'warn', 'error']).optional(),
});
export type LogLine = z.infer<typeof LogLine>;

export const LogQuery = ProjectRef.extend({
  limit: z.number().int().min(1).max(5000).optional(),
});

/** The state of a project whose agent has never run in this session. */
export function stoppedAgentState(projectId: string, canFreeze = true): AgentState {
  return {
    projectId,
    status: 'stopped',
    pauseKind: null,
    pid: null,
    runId: null,
    startedAt: null,
    origin: null,
    adopted: false,
    settings: null,
    exit: null,
    canFreeze,
    message: null,
  };
}
