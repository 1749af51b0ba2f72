/**
 * Composition root: builds the services from ports and answers every contract command. Both
 * shells (Electron IPC and the browser shell's WebSocket) call `dispatch`, so they share one
 * validation and one behaviour.
 */
import { join } from 'node:path';
import type { z } from 'zod';
import {
  type AgentState,
  type CommandName,
  type CommandOutput,
  type Result,
  type RunView,
  emptyRunView,
  commands,
  err,
  messageOf,
  ok,
  parseInput,
  resolveRunSettings,
} from '../contract/index.ts';
import { type Clock, systemClock } from './services/clock.ts';
import type { Diagnostics } from './services/diagnostics.ts';
import { EventBus } from './services/event-bus.ts';
import { Registry } from './services/registry.ts';
import type { Secrets } from './services/secrets.ts';
import { SettingsService } from './services/settings-service.ts';
import type { LoadedDocument, Store } from './services/store.ts';
import { AgentSupervisor } from './services/supervisor.ts';
import { FeaturesService } from './services/features-service.ts';
import { endLiveCards, reduceRunView, runViewFromEvents } from './services/run-view.ts';
import { type NotificationPort, logNotificationPort } from './services/notifier.ts';
import { type Scheduling, createScheduling } from './services/scheduling.ts';
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

type Handlers = {
  [K in CommandName]: (
    input: z.infer<(typeof commands)[K]['input']>,
  ) => Promise<Result<CommandOutput<K>>> | Result<CommandOutput<K>>;
};

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
  if (loaded.recoveredFrom || loaded.problem) {
    diagnostics.log(
      'warn',
      `The settings file could not be read (${loaded.problem ?? 'unknown problem'}); it was backed up to ${loaded.recoveredFrom ?? '(no copy could be made)'} and defaults are in use.`,
    );
  }
  const registry = new Registry(loaded.store, loaded.doc, bus);
  const settings = new SettingsService(registry, ports.secrets, bus, loaded.recoveredFrom);

  // Built after the scheduler; the supervisor and the scheduler reach it lazily.
  let ledgerArea: LedgerArea | null = null;
  const supervisor = new AgentSupervisor({
    lookup: (id) => registry.get(id),
    agentCommand: ports.agentCommand,
    ...(ports.preflight ? { preflight: ports.preflight } : {}),
    agentEnv: () => ({
      ...inheritedEnv(),
      ...(ports.baseAgentEnv ?? {}),
      ...settings.agentEnvironment(),
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
  const runViews = new Map<string, RunView>();
  const setRunView = (view: RunView) => {
    runViews.set(view.projectId, view);
    bus.emit('agent.runView', view);
  };
  supervisor.onAgentEvent((projectId, event) => {
    bus.emit('agent.events', { projectId, events: [event] });
    setRunView(reduceRunView(runViews.get(projectId) ?? emptyRunView(projectId), event));
  });
  supervisor.onState((state, previous) => {
    if (state.status === 'starting')
      setRunView(emptyRunView(state.projectId, state.settings?.model ?? null));
    else if (
      (state.status === 'stopped' || state.status === 'crashed') &&
      previous.status !== state.status
    ) {
      // Nothing runs any more: no live cards, no hold; progress and cost stay for reading.
      const view = runViews.get(state.projectId);
      if (view) setRunView({ ...endLiveCards(view), rateLimitedUntil: null });
    }
  });

  supervisor.adoptExisting(registry.list());
  for (const project of registry.list()) {
    const replayed = supervisor.replayedEvents(project.id);
    const model = supervisor.state(project.id).settings?.model ?? null;
    if (replayed.length) runViews.set(project.id, runViewFromEvents(project.id, replayed, model));
  }
  const features = new FeaturesService({ projectDir: (id) => registry.get(id)?.path ?? null });

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

  const agentOr = (id: string): Result<AgentState> =>
    registry.get(id)
      ? ok(supervisor.state(id))
      : err('not-found', 'That project is not registered any more.');

  const startAgent = async (
    id: string,
    overrides: z.infer<(typeof commands)['agent.start']['input']>['overrides'],
  ) => {
    const project = registry.get(id);
    if (!project) return err('not-found', 'That project is not registered any more.');
    const runSettings = resolveRunSettings(settings.get().defaults, project.overrides, overrides);
    const overBudget = ledger.budgets.canStart(id, runSettings.model);
    if (overBudget)
      return err('conflict', `${project.name} was not started: ${overBudget.message}`);
    return supervisor.start(id, { settings: runSettings, origin: 'manual' });
  };

  const forAll = async (action: (id: string) => Promise<Result<AgentState>>) => {
    await Promise.all(registry.list().map((p) => action(p.id)));
    return ok(registry.list().map((p) => supervisor.state(p.id)));
  };

  const handlers: Handlers = {
    'app.info': () =>
      ok({
        version: ports.version,
        shell: ports.shell,
        platform: process.platform,
        dataDir: ports.dataDir,
        canPickFolder: Boolean(ports.pickFolder),
      }),
    'projects.list': () => ok(registry.list()),
    'projects.add': (input) => registry.add(input),
    'projects.update': (input) => registry.update(input),
    'projects.remove': (input) => scheduling.removeProject(input.id),
    'projects.pickFolder': async () => ok(ports.pickFolder ? await ports.pickFolder() : null),
    'settings.get': () => ok(settings.view()),
    'settings.update': (input) => settings.update(input),
    'settings.models': () => ok(settings.models()),
    'agent.status': (input) => agentOr(input.id),
    'agent.statusAll': () => ok(registry.list().map((p) => supervisor.state(p.id))),
    'agent.start': (input) => startAgent(input.id, input.overrides),
    'agent.stop': (input) => {
      if (!registry.get(input.id)) return agentOr(input.id);
      // A stop by hand holds until the window ends and cancels a pending crash retry.
      scheduling.scheduler.noteManualStop(input.id);
      return supervisor.stop(input.id);
    },
    'agent.pause': (input) =>
      registry.get(input.id) ? supervisor.pause(input.id) : agentOr(input.id),
    'agent.resume': (input) =>
      registry.get(input.id) ? supervisor.resume(input.id) : agentOr(input.id),
    'agent.drain': (input) =>
      registry.get(input.id) ? supervisor.drain(input.id) : agentOr(input.id),
    'agent.logs': (input) =>
      registry.get(input.id)
        ? ok(supervisor.logs(input.id, input.limit))
        : err('not-found', 'That project is not registered any more.'),
    'agent.pauseAll': () =>
      forAll((id) =>
        supervisor.state(id).status === 'running'
          ? supervisor.pause(id)
          : Promise.resolve(ok(supervisor.state(id))),
      ),
    'agent.resumeAll': () =>
      forAll((id) =>
        supervisor.state(id).status === 'paused'
          ? supervisor.resume(id)
          : Promise.resolve(ok(supervisor.state(id))),
      ),
    'agent.stopAll': () =>
      forAll((id) => {
        scheduling.scheduler.noteManualStop(id);
        return supervisor.isActive(id)
          ? supervisor.stop(id)
          : Promise.resolve(ok(supervisor.state(id)));
      }),
    'agent.runView': (input) =>
      registry.get(input.id)
        ? ok(runViews.get(input.id) ?? emptyRunView(input.id))
        : err('not-found', 'That project is not registered any more.'),
    'features.list': (input) => features.list(input),
    'features.resolveHumanInput': (input) => features.resolveHumanInput(input),
    'spec.get': (input) => features.getSpec(input),
    'spec.save': (input) => features.saveSpec(input),
    ...scheduling.handlers,
    ...ledger.handlers,
  };
  ledger.start();
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
      await supervisor.shutdown(mode ?? settings.get().quitBehavior);
      ledger.dispose();
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

export const defaultDataDir = (home: string): string =>
  process.platform === 'darwin'
    ? join(home, 'Library', 'Application Support', 'Nightshift')
    : process.platform === 'win32'
      ? join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Nightshift')
      : join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'nightshift');
