/**
 * The persisted document (registry + settings) behind a small Store port: electron-store in
 * Electron, `conf` (its base) in plain Node. One zod schema and our own versioned migrate()
 * (electron-store's migrations are documented as buggy). A corrupt or unreadable file is backed
 * up and replaced, and the recovery is reported instead of stopping the app.
 */
import { copyFileSync, existsSync, readFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import { Project, Settings, defaultSettings, messageOf } from '../../contract/index.ts';

export const CURRENT_VERSION = 2;

export const StoredDocument = z.object({
  version: z.literal(CURRENT_VERSION),
  projects: z.array(Project),
  settings: Settings,
});
export type StoredDocument = z.infer<typeof StoredDocument>;

/** What both electron-store and conf provide that we use. */
export interface Store {
  readonly path: string;
  read(): unknown;
  write(doc: StoredDocument): void;
}

type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * Migrations by the version they produce. v1 kept projects without schedules and a flat
 * `defaults`; v2 adds per-project schedules and overrides and fills new settings with defaults.
 */
const migrations: Record<number, Migration> = {
  1: (doc) => ({ ...doc, version: 1, projects: doc.projects ?? [], settings: doc.settings ?? {} }),
  2: (doc) => {
    const projects = Array.isArray(doc.projects) ? doc.projects : [];
    const settings = (doc.settings ?? {}) as Record<string, unknown>;
    return {
      version: 2,
      projects: projects.map((p: Record<string, unknown>) => ({
        overrides: {},
        schedules: [],
        createdAt: new Date(0).toISOString(),
        ...p,
      })),
      settings: {
        ...defaultSettings,
        ...settings,
        defaults: {
          ...defaultSettings.defaults,
          ...((settings.defaults as object | undefined) ?? {}),
        },
        provider: {
          ...defaultSettings.provider,
          ...((settings.provider as object | undefined) ?? {}),
        },
      },
    };
  },
};

export function migrate(raw: unknown): StoredDocument {
  let doc: Record<string, unknown> =
    raw && typeof raw === 'object' && !Array.isArray(raw)
      ? { ...(raw as Record<string, unknown>) }
      : {};
  const from = typeof doc.version === 'number' ? doc.version : 0;
  if (from > CURRENT_VERSION) {
    throw new Error(
      `The settings file was written by a newer Nightshift (format ${from}; this one reads ${CURRENT_VERSION}).`,
    );
  }
  for (let v = from + 1; v <= CURRENT_VERSION; v++) {
    const step = migrations[v];
    if (step) doc = step(doc);
  }
  return StoredDocument.parse(doc);
}

export const emptyDocument = (): StoredDocument => ({
  version: CURRENT_VERSION,
  projects: [],
  settings: structuredClone(defaultSettings),
});

export interface LoadedDocument {
  doc: StoredDocument;
  /** Where the unreadable file was backed up, if it was. */
  recoveredFrom: string | null;
  problem: string | null;
}

/**
 * Reads and migrates the document. On a corrupt file: copy it aside, start from defaults, and
 * say so. `openStore` is called again after the bad file is moved, since conf/electron-store
 * refuse to open a file they cannot parse.
 */
export function loadDocument(
  path: string,
  openStore: () => Store,
): { store: Store } & LoadedDocument {
  let problem: string;
  try {
    const store = openStore();
    const doc = migrate(store.read());
    store.write(doc);
    return { store, doc, recoveredFrom: null, problem: null };
  } catch (error) {
    problem = messageOf(error);
  }
  const backup = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  let recoveredFrom: string | null = null;
  if (existsSync(path)) {
    try {
      renameSync(path, backup);
      recoveredFrom = backup;
    } catch {
      try {
        copyFileSync(path, backup);
        recoveredFrom = backup;
      } catch {
        recoveredFrom = null;
      }
    }
  }
  const store = openStore();
  const doc = emptyDocument();
  store.write(doc);
  return { store, doc, recoveredFrom, problem };
}

/** A `conf`-backed Store for plain Node (the browser shell and tests). */
export async function openConfStore(dataDir: string): Promise<{ store: Store } & LoadedDocument> {
  const { default: Conf } = await import('conf');
  const path = `${dataDir}/nightshift.json`;
  return loadDocument(path, () => {
    // Conf refuses a file it cannot parse; make that a clear error for loadDocument.
    if (existsSync(path)) JSON.parse(readFileSync(path, 'utf8'));
    const conf = new Conf<Record<string, unknown>>({
      cwd: dataDir,
      configName: 'nightshift',
      projectName: 'nightshift',
      clearInvalidConfig: false,
      watch: false,
    });
    return {
      path: conf.path,
      read: () => conf.store,
      write: (doc) => {
        conf.store = doc as unknown as Record<string, unknown>;
      },
    };
  });
}
