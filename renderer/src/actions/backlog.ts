/**
 * The backlog's write path: components call these; they call the API, say what happened in the
 * backlog store's notice, and refresh the feature list (main owns it).
 */
import type {
  BacklogChange,
  BacklogFormat,
  FeatureText,
  FeatureView,
  Result,
} from '../../../contract/index.ts';
import { getApi } from '../api.ts';
import { byPriority, stepTarget } from '../lib/backlog-filter.ts';
import { useBacklog, type BacklogUi } from '../stores/backlog.ts';
import { useFeatures } from '../stores/features.ts';
import { refreshFeaturesNow } from '../stores/sync.ts';

const patch = (projectId: string, p: Partial<BacklogUi>): void =>
  useBacklog.getState().patch(projectId, p);

export const setBacklogUi = patch;

async function apply(projectId: string, call: Promise<Result<BacklogChange>>): Promise<boolean> {
  const result = await call;
  patch(projectId, {
    notice: result.ok
      ? { kind: 'ok', text: result.value.message }
      : { kind: 'error', text: result.error.message },
  });
  await refreshFeaturesNow(projectId);
  const selected = useBacklog.getState().ui[projectId]?.details?.featureId;
  if (selected !== undefined) void loadDetails(projectId, selected);
  return result.ok;
}

export const textOf = (f: FeatureView): FeatureText => ({
  category: f.category,
  name: f.name,
  description: f.description,
  steps: f.steps,
});

export async function addFeature(
  projectId: string,
  feature: FeatureText & { dependencies: number[] },
): Promise<boolean> {
  const ok = await apply(projectId, getApi().call['backlog.add']({ id: projectId, feature }));
  if (ok) patch(projectId, { editor: null });
  return ok;
}

export async function editFeature(
  projectId: string,
  seen: FeatureView,
  changes: Partial<FeatureText>,
): Promise<boolean> {
  const ok = await apply(
    projectId,
    getApi().call['backlog.edit']({
      id: projectId,
      featureId: seen.id,
      expected: textOf(seen),
      changes,
    }),
  );
  if (ok) patch(projectId, { editor: null });
  return ok;
}

export function deleteFeature(projectId: string, featureId: number): Promise<boolean> {
  patch(projectId, { selectedId: null, details: null });
  return apply(projectId, getApi().call['backlog.remove']({ id: projectId, featureId }));
}

/** Moves a feature to just before another one (null: last), from what the user saw. */
export function moveBefore(
  projectId: string,
  feature: FeatureView,
  beforeId: number | null,
): Promise<boolean> {
  return apply(
    projectId,
    getApi().call['backlog.move']({
      id: projectId,
      featureId: feature.id,
      beforeId,
      expectedPriority: feature.priority,
    }),
  );
}

const stepQueues = new Map<string, Promise<boolean>>();

/**
 * One step up or down in priority order (keyboard reordering). Steps are queued per project and
 * each reads the list as refreshed after the previous one, so quick key presses do not race
 * their own stale priorities.
 */
export function moveStep(
  projectId: string,
  featureId: number,
  direction: -1 | 1,
): Promise<boolean> {
  const step = async (): Promise<boolean> => {
    const list = useFeatures.getState().entries[projectId]?.list?.features ?? [];
    const ordered = [...list].sort(byPriority);
    const feature = ordered.find((f) => f.id === featureId);
    if (!feature) return false;
    const target = stepTarget(ordered, featureId, direction);
    if (target === undefined) {
      patch(projectId, {
        notice: {
          kind: 'ok',
          text: `#${featureId} is already ${direction < 0 ? 'first' : 'last'}.`,
        },
      });
      return false;
    }
    return moveBefore(projectId, feature, target);
  };
  const next = (stepQueues.get(projectId) ?? Promise.resolve(true)).then(step, step);
  stepQueues.set(projectId, next);
  return next;
}

export function setDependencies(
  projectId: string,
  feature: FeatureView,
  dependencies: number[],
): Promise<boolean> {
  return apply(
    projectId,
    getApi().call['backlog.setDependencies']({
      id: projectId,
      featureId: feature.id,
      dependencies,
      expected: feature.dependencies,
    }),
  );
}

export function skipFeature(projectId: string, featureId: number, skip: boolean): Promise<boolean> {
  return apply(projectId, getApi().call['backlog.skip']({ id: projectId, featureId, skip }));
}

export function retestFeature(projectId: string, featureId: number): Promise<boolean> {
  return apply(projectId, getApi().call['backlog.retest']({ id: projectId, featureId }));
}

export function resetAttempts(projectId: string, featureId: number): Promise<boolean> {
  return apply(projectId, getApi().call['backlog.resetAttempts']({ id: projectId, featureId }));
}

export async function loadDetails(projectId: string, featureId: number): Promise<void> {
  const current = useBacklog.getState().ui[projectId]?.details;
  if (current?.featureId !== featureId)
    patch(projectId, { details: { featureId, value: null, error: null } });
  const result = await getApi().call['backlog.details']({ id: projectId, featureId });
  if (useBacklog.getState().ui[projectId]?.selectedId !== featureId) return;
  patch(projectId, {
    details: result.ok
      ? { featureId, value: result.value, error: null }
      : { featureId, value: null, error: result.error.message },
  });
}

export function selectFeature(projectId: string, featureId: number | null): void {
  patch(projectId, { selectedId: featureId, details: null });
  if (featureId !== null) void loadDetails(projectId, featureId);
}

/** Asks main for the export and hands the text to the browser as a download. */
export async function exportBacklog(projectId: string, format: BacklogFormat): Promise<void> {
  const result = await getApi().call['backlog.export']({ id: projectId, format });
  if (!result.ok) {
    patch(projectId, { notice: { kind: 'error', text: result.error.message } });
    return;
  }
  const url = URL.createObjectURL(new Blob([result.value.text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = result.value.fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  patch(projectId, { notice: { kind: 'ok', text: `Exported ${result.value.fileName}.` } });
}

export async function importBacklog(
  projectId: string,
  format: BacklogFormat,
  text: string,
): Promise<void> {
  const result = await getApi().call['backlog.import']({ id: projectId, format, text });
  patch(projectId, {
    notice: result.ok
      ? { kind: 'ok', text: result.value.message }
      : { kind: 'error', text: result.error.message },
  });
  await refreshFeaturesNow(projectId);
}
