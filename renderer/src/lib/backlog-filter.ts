/**
 * Pure search, filter and ordering for the backlog views (board and list), kept free of React so
 * bench/backlog.ts can time it on 10,000 features. The index is built once per fetched list;
 * filtering is one pass over precomputed lower-case text (no per-keystroke allocation per row
 * beyond the result array).
 */
import { FeatureState, type FeatureView } from '../../../contract/index.ts';

/** Board columns, in reading order: the contract's states as it lists them. */
export const boardColumns: readonly FeatureState[] = FeatureState.options;

export interface BacklogFilter {
  text: string;
  /** null: every state. */
  states: ReadonlySet<FeatureState> | null;
  /** null: every category. */
  categories: ReadonlySet<string> | null;
}

export const emptyFilter: BacklogFilter = { text: '', states: null, categories: null };

export interface BacklogIndex {
  /** In priority order (the order a reorder acts on). */
  features: readonly FeatureView[];
  haystacks: readonly string[];
  categories: readonly string[];
}

export const byPriority = (a: FeatureView, b: FeatureView): number =>
  a.priority - b.priority || a.id - b.id;

export function indexBacklog(features: readonly FeatureView[]): BacklogIndex {
  const sorted = [...features].sort(byPriority);
  const categories = new Set<string>();
  const haystacks = sorted.map((f) => {
    categories.add(f.category);
    return `#${f.id} ${f.name}\n${f.category}\n${f.description}`.toLowerCase();
  });
  return { features: sorted, haystacks, categories: [...categories].sort() };
}

/**
 * The search index of a project's backlog, rebuilt only when the backlog's content changed: the
 * feature list is fetched again every couple of seconds while agents work, and most refreshes
 * bring back the same features as new objects.
 */
export interface BacklogIndexer {
  index(features: readonly FeatureView[]): BacklogIndex;
  /** How many times the index was built (for tests). */
  readonly rebuilds: number;
}

const sameList = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Field by field, without serialising: a refresh of 10,000 features is compared in a few ms. */
function sameFeature(a: FeatureView, b: FeatureView): boolean {
  return (
    a.id === b.id &&
    a.priority === b.priority &&
    a.state === b.state &&
    a.name === b.name &&
    a.category === b.category &&
    a.description === b.description &&
    a.blockedReason === b.blockedReason &&
    a.attempts === b.attempts &&
    a.lastError === b.lastError &&
    sameList(a.steps, b.steps) &&
    sameList(a.dependencies, b.dependencies) &&
    (a.humanInput === b.humanInput || JSON.stringify(a.humanInput) === JSON.stringify(b.humanInput))
  );
}

export function backlogIndexer(): BacklogIndexer {
  let last: { features: readonly FeatureView[]; index: BacklogIndex } | null = null;
  let rebuilds = 0;
  return {
    index(features) {
      if (
        last &&
        (last.features === features ||
          (last.features.length === features.length &&
            last.features.every((f, i) => sameFeature(f, features[i]!))))
      ) {
        last = { ...last, features };
        return last.index;
      }
      rebuilds++;
      last = { features, index: indexBacklog(features) };
      return last.index;
    },
    get rebuilds() {
      return rebuilds;
    },
  };
}

/** Every whitespace-separated word of the text must occur (case-insensitive); "#12" finds #12. */
export function filterBacklog(index: BacklogIndex, filter: BacklogFilter): FeatureView[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const exactIds = words.filter((w) => /^#\d+$/.test(w));
  const out: FeatureView[] = [];
  const { features, haystacks } = index;
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    if (filter.states && !filter.states.has(f.state)) continue;
    if (filter.categories && !filter.categories.has(f.category)) continue;
    if (exactIds.length > 0 && !exactIds.every((w) => w === `#${f.id}`)) continue;
    const hay = haystacks[i]!;
    let all = true;
    for (const w of words) {
      if (w.startsWith('#') && exactIds.includes(w)) continue;
      if (!hay.includes(w)) {
        all = false;
        break;
      }
    }
    if (all) out.push(f);
  }
  return out;
}

/** Features per board column, each column in priority order. */
export function groupByState(features: readonly FeatureView[]): Map<FeatureState, FeatureView[]> {
  const groups = new Map<FeatureState, FeatureView[]>(boardColumns.map((s) => [s, []]));
  for (const f of features) groups.get(f.state)!.push(f);
  return groups;
}

/**
 * Where a one-step move puts a feature in priority order: the id it goes before (null: last),
 * or undefined when it is already at that end.
 */
export function stepTarget(
  ordered: readonly FeatureView[],
  featureId: number,
  direction: -1 | 1,
): number | null | undefined {
  const i = ordered.findIndex((f) => f.id === featureId);
  if (i < 0) return undefined;
  if (direction === -1) return i === 0 ? undefined : ordered[i - 1]!.id;
  if (i >= ordered.length - 1) return undefined;
  return i + 2 < ordered.length ? ordered[i + 2]!.id : null;
}
