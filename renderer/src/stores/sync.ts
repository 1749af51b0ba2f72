/**
 * Feeds the stores: hydrate each cache with a query, then keep it current from events. Main owns
 * every piece of state; nothing here is persisted in the renderer.
 */
import type { NightshiftApi, Progress, RunView } from '../../../contract/index.ts';
import type { WsClient } from '../transport/ws-client.ts';
import { useApp } from './app.ts';
import { useFeatures } from './features.ts';
import { useLogs } from './logs.ts';
import { useProjects } from './projects.ts';
import { useSchedules } from './schedules.ts';
import { showsToasts } from './toast-queue.ts';
import { useToasts } from './toasts.ts';

/** At most one `features.list` per project per this many ms while progress moves. */
export const FEATURE_REFRESH_MS = 2000;
const LOG_HISTORY = 5000;

let api: NightshiftApi | null = null;
const featureTimers = new Map<string, ReturnType<typeof setTimeout>>();
const logLoads = new Set<string>();

function progressKey(p: Progress | null | undefined): string {
  if (!p) return '';
  return [p.total, p.passing, p.inProgress, p.underTest, p.blocked, p.needsHuman].join('/');
}

export async function refreshFeaturesNow(projectId: string): Promise<void> {
  if (!api) return;
  const { patch } = useFeatures.getState();
  patch(projectId, { loading: true, fetchedAt: Date.now() });
  const result = await api.call['features.list']({ id: projectId });
  if (result.ok) patch(projectId, { list: result.value, error: null, loading: false });
  else patch(projectId, { error: result.error.message, loading: false });
}

/** Refetches the feature list, at most once per FEATURE_REFRESH_MS (trailing call kept). */
export function refreshFeatures(projectId: string): void {
  if (featureTimers.has(projectId)) return;
  const entry = useFeatures.getState().entries[projectId];
  const since = Date.now() - (entry?.fetchedAt ?? 0);
  const wait = Math.max(0, FEATURE_REFRESH_MS - since);
  featureTimers.set(
    projectId,
    setTimeout(() => {
      featureTimers.delete(projectId);
      void refreshFeaturesNow(projectId);
    }, wait),
  );
}

export async function loadRunView(projectId: string): Promise<void> {
  if (!api) return;
  const result = await api.call['agent.runView']({ id: projectId });
  if (result.ok) useProjects.getState().setRunView(result.value);
}

/** Loads the log history of a project once (again after a reconnect). */
export async function loadLogs(projectId: string, force = false): Promise<void> {
  if (!api || logLoads.has(projectId)) return;
  const buffer = useLogs.getState().buffers[projectId];
  if (buffer?.hydrated && !force) return;
  logLoads.add(projectId);
  try {
    const result = await api.call['agent.logs']({ id: projectId, limit: LOG_HISTORY });
    if (result.ok) useLogs.getState().hydrate(projectId, result.value);
  } finally {
    logLoads.delete(projectId);
  }
}

/**
 * Shows a project, as a click on a desktop notification (`app.navigate`) or "Open project" on a
 * toast asks. An id that the loaded project list does not know is ignored.
 */
export function openProject(projectId: string): void {
  const { projects, loaded } = useProjects.getState();
  if (loaded && !projects.some((p) => p.id === projectId)) return;
  useApp.getState().select({ kind: 'project', id: projectId });
}

async function hydrateAll(): Promise<void> {
  if (!api) return;
  const a = api;
  const [info, projects, statuses, settings, models, schedules] = await Promise.all([
    a.call['app.info'](),
    a.call['projects.list'](),
    a.call['agent.statusAll'](),
    a.call['settings.get'](),
    a.call['settings.models'](),
    a.call['schedules.status'](),
  ]);
  const app = useApp.getState();
  const failures = [info, projects, statuses, settings, models, schedules].filter((r) => !r.ok);
  const first = failures[0];
  useApp.setState({
    info: info.ok ? info.value : app.info,
    settings: settings.ok ? settings.value : app.settings,
    models: models.ok ? models.value : app.models,
    loadError: first && !first.ok ? first.error.message : null,
  });
  // The desktop app shows its notifications itself; drop any that arrived before we knew.
  if (info.ok && !showsToasts(info.value)) useToasts.getState().clear();
  if (schedules.ok) useSchedules.getState().setStatuses(schedules.value);
  const store = useProjects.getState();
  if (statuses.ok) store.setAgents(statuses.value);
  if (projects.ok) {
    store.setProjects(projects.value);
    await Promise.all(projects.value.map((p) => loadRunView(p.id)));
    const view = useApp.getState().view;
    if (view.kind === 'none' && projects.value[0]) {
      useApp.getState().select({ kind: 'project', id: projects.value[0].id });
    }
  }
}

function onRunView(view: RunView): void {
  const store = useProjects.getState();
  const before = store.runViews[view.projectId];
  store.setRunView(view);
  const selected = useApp.getState().view;
  if (
    selected.kind === 'project' &&
    selected.id === view.projectId &&
    progressKey(before?.progress) !== progressKey(view.progress)
  ) {
    refreshFeatures(view.projectId);
  }
}

/** Subscribes to every event and hydrates; returns a function that undoes it. */
export function startSync(nightshift: NightshiftApi, ws: WsClient | null): () => void {
  api = nightshift;
  const offs = [
    nightshift.on('projects.changed', (projects) => {
      const store = useProjects.getState();
      const known = new Set(Object.keys(store.runViews));
      store.setProjects(projects);
      for (const p of projects) if (!known.has(p.id)) void loadRunView(p.id);
      const view = useApp.getState().view;
      if (view.kind === 'project' && !projects.some((p) => p.id === view.id)) {
        const first = projects[0];
        useApp.getState().select(first ? { kind: 'project', id: first.id } : { kind: 'none' });
      }
    }),
    nightshift.on('agent.status', (state) => useProjects.getState().setAgent(state)),
    nightshift.on('agent.runView', onRunView),
    nightshift.on('agent.log', ({ projectId, lines }) =>
      useLogs.getState().append(projectId, lines),
    ),
    nightshift.on('settings.changed', (settings) => useApp.setState({ settings })),
    nightshift.on('schedules.changed', (all) => useSchedules.getState().setStatuses(all)),
    nightshift.on('app.navigate', ({ projectId }) => openProject(projectId)),
    nightshift.on('app.notification', (notification) => {
      // Until app.info answers the shell is unknown: keep it (Electron's are cleared then).
      const info = useApp.getState().info;
      if (info === null || showsToasts(info)) useToasts.getState().push(notification);
    }),
  ];
  if (ws) {
    let seenOpen = false;
    let dropped = false;
    offs.push(
      ws.onConnection((connection) => {
        useApp.setState({ connection });
        if (connection.kind === 'open') {
          if (dropped) {
            // Events were missed while the socket was down: load everything again.
            void hydrateAll();
            const view = useApp.getState().view;
            if (view.kind === 'project') {
              void loadLogs(view.id, true);
              void refreshFeaturesNow(view.id);
            }
          }
          seenOpen = true;
          dropped = false;
        } else if (seenOpen) {
          dropped = true;
        }
      }),
    );
  }
  void hydrateAll();
  return () => {
    for (const off of offs) off();
    for (const t of featureTimers.values()) clearTimeout(t);
    featureTimers.clear();
  };
}
