/**
 * The whole API between the UI and the main process, as data. Both transports (Electron IPC and
 * the browser shell's WebSocket) are generated from these maps, and `NightshiftApi` is derived
 * from them, so the renderer cannot tell which one it talks to.
 */
import { z } from 'zod';
import { AgentStart, AgentState, LogLine, LogQuery } from './agent.ts';
import { FeatureList, HumanInputResolve, SpecRef, SpecSave } from './features.ts';
import { ModelInfo } from './models.ts';
import { ProjectRef } from './project-ref.ts';
import { Project, ProjectAdd, ProjectUpdate } from './projects.ts';
import type { Result } from './result.ts';
import { RunView } from './run-view.ts';
import { Schedule, ScheduleFields, ScheduleStatus } from './schedules.ts';
import { NotificationKind, SettingsUpdate, SettingsView } from './settings.ts';
import { backlogCommands } from './backlog.ts';
import { checkpointCommands } from './checkpoints.ts';
import { containmentCommands } from './containment.ts';
import { ledgerCommands, ledgerEvents } from './ledger.ts';
import { lockCommands } from './locks.ts';

const none = z.object({}).strict().optional();
const ScheduleAdd = z.object({ id: z.string().min(1), schedule: ScheduleFields }).strict();
/** One schedule of one project. */
const ScheduleRef = z.object({ id: z.string().min(1), scheduleId: z.string().min(1) }).strict();
const ScheduleEdit = ScheduleRef.extend({ schedule: ScheduleFields });
const SkipNext = z.object({ id: z.string().min(1).optional(), skip: z.boolean() }).strict();
const AppInfo = z.object({
  version: z.string(),
  shell: z.enum(['electron', 'browser']),
  platform: z.string(),
  dataDir: z.string(),
  canPickFolder: z.boolean(),
});

export const commands = {
  'app.info': { input: none, output: AppInfo },
  'projects.list': { input: none, output: z.array(Project) },
  'projects.add': { input: ProjectAdd, output: Project },
  'projects.update': { input: ProjectUpdate, output: Project },
  'projects.remove': {
    input: ProjectRef,
    // What happened, in words (e.g. that the run its schedule started was stopped).
    output: z.object({ id: z.string(), message: z.string().optional() }),
  },
  'projects.pickFolder': { input: none, output: z.string().nullable() },
  'settings.get': { input: none, output: SettingsView },
  'settings.update': { input: SettingsUpdate, output: SettingsView },
  'settings.models': { input: none, output: z.array(ModelInfo) },
  'agent.status': { input: ProjectRef, output: AgentState },
  'agent.statusAll': { input: none, output: z.array(AgentState) },
  'agent.start': { input: AgentStart, output: AgentState },
  'agent.stop': { input: ProjectRef, output: AgentState },
  'agent.pause': { input: ProjectRef, output: AgentState },
  'agent.resume': { input: ProjectRef, output: AgentState },
  'agent.drain': { input: ProjectRef, output: AgentState },
  'agent.logs': { input: LogQuery, output: z.array(LogLine) },
  'agent.runView': { input: ProjectRef, output: RunView },
  'features.list': { input: ProjectRef, output: FeatureList },
  'features.resolveHumanInput': {
    input: HumanInputResolve,
    output: z.object({ featureId: z.number() }),
  },
  'spec.get': { input: SpecRef, output: z.object({ text: z.string(), path: z.string() }) },
  'spec.save': { input: SpecSave, output: z.object({ path: z.string() }) },
  'schedules.add': { input: ScheduleAdd, output: Schedule },
  'schedules.update': { input: ScheduleEdit, output: Schedule },
  'schedules.remove': { input: ScheduleRef, output: z.object({ scheduleId: z.string() }) },
  'schedules.status': { input: none, output: z.array(ScheduleStatus) },
  'schedules.skipNext': { input: SkipNext, output: z.array(ScheduleStatus) },
  'agent.pauseAll': { input: none, output: z.array(AgentState) },
  'agent.resumeAll': { input: none, output: z.array(AgentState) },
  'agent.stopAll': { input: none, output: z.array(AgentState) },
  ...backlogCommands,
  ...checkpointCommands,
  ...containmentCommands,
  ...ledgerCommands,
  ...lockCommands,
} as const;

export type CommandName = keyof typeof commands;
export const commandNames = Object.keys(commands) as CommandName[];
export type CommandInput<K extends CommandName> = z.input<(typeof commands)[K]['input']>;
export type CommandOutput<K extends CommandName> = z.infer<(typeof commands)[K]['output']>;

export const events = {
  'agent.status': AgentState,
  'agent.log': z.object({ projectId: z.string(), lines: z.array(LogLine) }),
  'agent.runView': RunView,
  'projects.changed': z.array(Project),
  'settings.changed': SettingsView,
  'schedules.changed': z.array(ScheduleStatus),
  'app.navigate': z.object({ projectId: z.string() }),
  /** A desktop notification was shown (the browser shell has no OS notifications: show a toast). */
  'app.notification': z.object({
    kind: NotificationKind,
    title: z.string(),
    body: z.string(),
    projectId: z.string().nullable(),
  }),
  ...ledgerEvents,
} as const;

export type EventName = keyof typeof events;
export const eventNames = Object.keys(events) as EventName[];
export type EventPayload<E extends EventName> = z.infer<(typeof events)[E]>;

export type CommandFns = {
  [K in CommandName]: (
    ...args: undefined extends CommandInput<K>
      ? [input?: CommandInput<K>]
      : [input: CommandInput<K>]
  ) => Promise<Result<CommandOutput<K>>>;
};

export interface NightshiftApi {
  readonly call: CommandFns;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
}

/** Channel names on the IPC bus. */
export const commandChannel = (name: CommandName): string => `nightshift:cmd:${name}`;
export const eventChannel = (name: EventName): string => `nightshift:evt:${name}`;
