/**
 * Composition root: builds the services from ports and answers every contract command. Both
 * shells (Electron IPC and the browser shell's WebSocket) call `dispatch`, so they share one
 * validation and one behaviour.
 */
import { posix, win32 } from 'node:path';
import {
  type CommandName,
  type Result,
  commands,
  err,
  messageOf,
  ok,
  parseInput,
  resolveRunSettings,
} from '../contract/index.ts';
import { agentCommands } from './commands/agent.ts';
import { featureCommands } from './commands/features.ts';
import type { Handlers } from './commands/handlers.ts';
import { projectCommands } from './commands/projects.ts';
import { settingsCommands } from './commands/settings.ts';
import { specCommands } from './commands/spec.ts';
import { type Clock, systemClock } from './services/clock.ts';
import type { Diagnostics } from './services/diagnostics.ts';
import { EventBus } from './services/event-bus.ts';
import { Registry } from './services/registry.ts';
import { storedFolderProblem } from './services/project-folder-rules.ts';
import type { Secrets } from './services/secrets.ts';
import { SettingsService } from './services/settings-service.ts';
import type { LoadedDocument, Store } from './services/store.ts';
import { AgentSupervisor } from './services/supervisor.ts';
import { FeaturesService } from './services/features-service.ts';
import { createBacklogService } from './services/backlog-service.ts';
import { expandHandler } from './services/expand-service.ts';
import { featureSessions } from './services/ledger/queries.ts';
import { RunViewFeed } from './services/run-view-feed.ts';
import { type NotificationPort, logNotificationPort } from './services/notifier.ts';
import { type Scheduling, createScheduling } from './services/unattended.ts';
import { ContainmentService } from './services/containment-service.ts';
import { CheckpointService } from './services/checkpoint-service.ts';
import { type LedgerArea, createLedgerArea } from './services/ledger/ledger-area.ts';

export interface AppPorts {
  shell: 'electron' | 'browser';
  /** Check every answer and event against the contract (on in the test suites). */
  verifyContract?: boolean;
  version: string;
  dataDir: string;
  openStore(): Promise<{ store: Store } & LoadedDocument>;
  secrets: Secrets;
  diagnostics: Diagnostics;
  /** How to run the agent program (the launch flags are appended by the supervisor). */
  agentCommand(): { command: string; args: string[] };
  /** What the agent program needs in a project before it starts (see core/run-preflight.ts). */
  preflight?(projectDir: string): string | null;
  /** Extra environment every agent gets (e.g. ELECTRON_RUN_AS_NODE). */
  baseAgentEnv?: Record<string, string>;
  pickFolder?: () => Promise<string | null>;
  clock?: Clock;
  stopGraceMs?: number;
  /** Desktop notifications (Electron's); the browser shell logs them and emits app.notification. */
  notifications?: NotificationPort;
  /** Brings the app forward when a notification is clicked. */
  focusApp?: (projectId: string | null) => void;
}

export interface NightshiftApp {
  bus: EventBus;
  registry: Registry;
  settings: SettingsService;
  supervisor: AgentSupervisor;
  /** Scheduler, schedule commands and notifier (tray, power and menus use it). */
  scheduling: Scheduling;
  /** Run ledger, budgets, inbox and reports. */
  ledger: LedgerArea;
  diagnostics: Diagnostics;
  dataDir: string;
  dispatch(name: string, input: unknown): Promise<Result<unknown>>;
  /** Quits: stops agents or leaves them running, per the setting (or the given mode). */
  shutdown(mode?: 'stop-agents' | 'leave-running'): Promise<void>;
}

export async function createApp(ports: AppPorts): Promise<NightshiftApp> {
  const { diagnostics } = ports;
  const clock = ports.clock ?? systemClock;
  const verifyContract = ports.verifyContract ?? process.env.NIGHTSHIFT_VERIFY_CONTRACT === '1';
  const bus = new EventBus(verifyContract);
  const loaded = await ports.openStore();
  const storageProblem = loaded.recoveredFrom
    ? `The settings file could not be read (${loaded.problem ?? 'unknown problem'}); it was kept aside as ${loaded.recoveredFrom} and defaults are in use.`
    : loaded.problem;
  if (storageProblem) diagnostics.log('warn', storageProblem);
  const secretsProblem = ports.secrets.problem?.();
  if (secretsProblem) diagnostics.log('warn', secretsProblem);
  const registry = new Registry(loaded.store, loaded.doc, bus, { dataDir: ports.dataDir });
  for (const problem of registry.folderProblems()) diagnostics.log('warn', problem);
  const settings = new SettingsService(
    registry,
    ports.secrets,
    bus,
    loaded.recoveredFrom,
    storageProblem,
  );

  const baseEnv = (): Record<string, string> => ({
    ...inheritedEnv(),
    ...(ports.baseAgentEnv ?? {}),
    ...settings.agentEnvironment(),
  });
  const containment = new ContainmentService({
    registry,
    secrets: ports.secrets,
    agentEnv: baseEnv,
  });
  const projectPreflight = ports.preflight;
  // Built after the scheduler; the supervisor and the scheduler reach it lazily.
  let ledgerArea: LedgerArea | null = null;
  const supervisor = new AgentSupervisor({
    lookup: (id) => registry.get(id),
    agentCommand: ports.agentCommand,
    // Every start, scheduled ones included, re-checks the stored folder first; the real
    // orchestrator also needs credentials and a sandbox (or leave to run without one).
    preflight: (dir) =>
      storedFolderProblem(dir, { dataDir: ports.dataDir }) ??
      (projectPreflight ? (projectPreflight(dir) ?? containment.startRefusal()) : null),
    agentEnv: (project) => ({
      ...baseEnv(),
      ...containment.agentEnv(project.id),
      ...(ledgerArea?.agentEnv() ?? {}),
    }),
    secrets: () => ports.secrets.all(),
    diagnostics,
    ...(ports.stopGraceMs !== undefined ? { stopGraceMs: ports.stopGraceMs } : {}),
  });
  registry.isAgentActive = (id) => supervisor.isActive(id);
  registry.onRemoved((project) => supervisor.forget(project.id));

  supervisor.onState((state) => bus.emit('agent.status', state));
  supervisor.onLog((projectId, lines) => bus.emit('agent.log', { projectId, lines }));
  // The live project view, derived in main from the agent's events so late viewers see it.
  const runViews = new RunViewFeed({ clock, send: (view) => bus.emit('agent.runView', view) });
  supervisor.onAgentEvent((projectId, event) => runViews.onAgentEvent(projectId, event));
  supervisor.onState((state, previous) => runViews.onState(state, previous));
  registry.onRemoved((project) => runViews.forget(project.id));

  supervisor.adoptExisting(registry.list());
  for (const project of registry.list()) {
    const model = supervisor.state(project.id).settings?.model ?? null;
    runViews.replay(project.id, supervisor.replayedEvents(project.id), model);
  }
  const features = new FeaturesService({ projectDir: (id) => registry.get(id)?.path ?? null });
  const backlog = createBacklogService({
    projectDir: (id) => registry.get(id)?.path ?? null,
    // The ledger is built below; details read it once it is there.
    ledgerSessions: (id, featureId) =>
      ledgerArea ? featureSessions(ledgerArea.ledger.db, id, featureId) : null,
  });

  const scheduling = createScheduling({
    canStart: (id, now) => ledgerArea?.budgets.canStartScheduled(id, now) ?? null,
    clock,
    bus,
    registry,
    settings,
    agents: supervisor,
    dataDir: ports.dataDir,
    notifications: ports.notifications ?? logNotificationPort((m) => diagnostics.log('info', m)),
    ...(ports.focusApp ? { focusApp: ports.focusApp } : {}),
    log: (level, message) => diagnostics.log(level, message),
  });
  const ledger = createLedgerArea({
    dataDir: ports.dataDir,
    clock,
    bus,
    projects: () => registry.list(),
    agents: supervisor,
    features,
    schedules: scheduling.scheduler,
    notify: (n) => scheduling.notifier.notify(n),
    log: (level, message) => diagnostics.log(level, message),
  });
  ledgerArea = ledger;
  const checkpoints = new CheckpointService({
    registry,
    agents: supervisor,
    clock,
    log: (level, message) => diagnostics.log(level, message),
  });
  scheduling.onSchedulerEvent((e) => ledger.onSchedulerEvent(e));

  const handlers: Handlers = {
    'app.info': () =>
      ok({
        version: ports.version,
        shell: ports.shell,
        platform: process.platform,
        dataDir: ports.dataDir,
        canPickFolder: Boolean(ports.pickFolder),
      }),
    ...projectCommands({
      registry,
      removeProject: (id) => scheduling.removeProject(id),
      ...(ports.pickFolder ? { pickFolder: ports.pickFolder } : {}),
    }),
    ...settingsCommands(settings),
    ...agentCommands({
      registry,
      settings,
      supervisor,
      runViews,
      noteManualStop: (id) => scheduling.scheduler.noteManualStop(id),
      folderRefusal: (id) => registry.startRefusal(id),
      startRefusal: (id, model) => ledger.budgets.canStart(id, model),
    }),
    ...featureCommands(features),
    ...specCommands(features),
    ...scheduling.handlers,
    ...backlog.handlers,
    'backlog.expand': expandHandler({
      projectDir: (id) => registry.get(id)?.path ?? null,
      isActive: (id) => supervisor.isActive(id),
      now: () => clock.now(),
      // The same checks as a start by hand: the folder, the budget, then the supervisor's own.
      startExpansion: (id) => {
        const project = registry.get(id);
        if (!project) return Promise.resolve(err('not-found', 'That project is not registered.'));
        const folder = registry.startRefusal(id);
        if (folder) return Promise.resolve(folder);
        const run = resolveRunSettings(settings.get().defaults, project.overrides);
        const refusal = ledger.budgets.canStart(id, run.model);
        if (refusal) return Promise.resolve(err('conflict', refusal.message));
        return supervisor.start(id, { settings: run, origin: 'manual', mode: 'expand' });
      },
    }),
    ...containment.handlers(),
    ...checkpoints.handlers(),
    ...ledger.handlers,
  };
  ledger.start();
  checkpoints.start();
  scheduling.start();

  async function dispatch(name: string, raw: unknown): Promise<Result<unknown>> {
    if (!Object.hasOwn(commands, name))
      return err('invalid-input', `Nightshift has no command called ${JSON.stringify(name)}.`);
    const command = name as CommandName;
    const parsed = parseInput(commands[command].input, raw ?? undefined);
    if (!parsed.ok) return parsed;
    try {
      const handler = handlers[command] as (
        input: unknown,
      ) => Promise<Result<unknown>> | Result<unknown>;
      const result = await handler(parsed.value);
      if (verifyContract && result.ok) {
        const checked = commands[command].output.safeParse(result.value);
        if (!checked.success) {
          diagnostics.log('error', `The answer to ${command} breaks the contract`, checked.error);
          return err(
            'internal',
            `Nightshift's answer to ${command} breaks its own contract: ${checked.error.message}`,
          );
        }
      }
      return result;
    } catch (error) {
      diagnostics.log('error', `Command ${command} failed`, error);
      return err('internal', `Nightshift could not do that: ${messageOf(error)}`);
    }
  }

  let shut = false;
  return {
    bus,
    registry,
    settings,
    supervisor,
    scheduling,
    ledger,
    diagnostics,
    dataDir: ports.dataDir,
    dispatch,
    async shutdown(mode) {
      if (shut) return;
      shut = true;
      // Stops planning first: agents stopped for the quit are not "stopped by hand".
      scheduling.dispose();
      runViews.flush();
      runViews.dispose();
      await supervisor.shutdown(mode ?? settings.get().quitBehavior);
      ledger.dispose();
      checkpoints.dispose();
    },
  };
}

/** Keep PATH, HOME and locale for the agent; drop our own runtime's variables. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('ELECTRON_') || k.startsWith('npm_') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return env;
}

/**
 * The OS's app-data folder for Nightshift. `platform` and `env` are parameters so the macOS and
 * Windows rules can be checked on any machine; the app passes its own. An empty variable counts
 * as unset (the XDG spec says so; a relative '' would mean the cwd).
 */
export function defaultDataDir(
  home: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (platform === 'darwin')
    return posix.join(home, 'Library', 'Application Support', 'Nightshift');
  if (platform === 'win32')
    return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'Nightshift');
  return posix.join(env.XDG_CONFIG_HOME || posix.join(home, '.config'), 'nightshift');
}
