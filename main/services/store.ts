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
 * Reads and migrates the document. On a corrupt file: keep it aside, start from defaults, and
 * say so. On a file that reads fine but cannot be written: run on it, refuse changes, say so.
 * `openStore` is called again after the bad file is moved, since conf/electron-store refuse to
 * open a file they cannot parse.
 */
export function loadDocument(
  path: string,
  openStore: () => Store,
): { store: Store } & LoadedDocument {
  let store: Store;
  let doc: StoredDocument;
  try {
    store = openStore();
    doc = migrate(store.read());
  } catch (error) {
    return recover(path, openStore, messageOf(error));
  }
  // Read fine; a failed write (read-only folder, full disk) keeps the document in memory, keeps
  // the file as it is, and says so: nothing is backed up or replaced because of it.
  try {
    store.write(doc);
  } catch (error) {
    return {
      store: unsavedStore(store, error),
      doc,
      recoveredFrom: null,
      problem: unwritable(path, error),
    };
  }
  return { store, doc, recoveredFrom: null, problem: null };
}

const unwritable = (path: string, error: unknown): string =>
  `Nightshift cannot save its settings to ${path} (${messageOf(error)}). It runs with what it read; changes are refused until the folder is writable again.`;

/** A store whose writes keep failing with a sentence instead of whatever the file system threw. */
function unsavedStore(store: Store, first: unknown): Store {
  return {
    path: store.path,
    read: () => store.read(),
    write: (doc) => {
      try {
        store.write(doc);
      } catch (error) {
        throw new Error(unwritable(store.path, error ?? first), { cause: error });
      }
    },
  };
}

function recover(
  path: string,
  openStore: () => Store,
  problem: string,
): { store: Store } & LoadedDocument {
  // The unreadable file is kept aside under a new name, never overwritten.
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
  const doc = emptyDocument();
  if (existsSync(path) && recoveredFrom === null) {
    // Neither moved nor copied: leave it alone and run on defaults in memory.
    return {
      store: memoryStore(path, `${problem} It could not be kept aside, so it was left untouched`),
      doc,
      recoveredFrom,
      problem,
    };
  }
  try {
    const store = openStore();
    store.write(doc);
    return { store, doc, recoveredFrom, problem };
  } catch (error) {
    return {
      store: memoryStore(path, unwritable(path, error)),
      doc,
      recoveredFrom,
      problem: `${problem}. ${unwritable(path, error)}`,
    };
  }
}

/** Refuses every write with the sentence: used when the file can be neither read nor replaced. */
function memoryStore(path: string, why: string): Store {
  return {
    path,
    read: () => emptyDocument(),
    write: () => {
      throw new Error(why);
    },
  };
}

/** What conf and electron-store (conf inside) both are: a file holding one JSON document. */
export interface ConfFile {
  readonly path: string;
  store: Record<string, unknown>;
}

/** Loads nightshift.json through a conf-like library (`open` creates it) into a Store. */
export function loadConfDocument(
  path: string,
  open: () => ConfFile,
): { store: Store } & LoadedDocument {
  return loadDocument(path, () => {
    // Conf refuses a file it cannot parse; make that a clear error for loadDocument.
    if (existsSync(path)) JSON.parse(readFileSync(path, 'utf8'));
    const conf = open();
    return {
      path: conf.path,
      read: () => conf.store,
      write: (doc) => {
        conf.store = doc as unknown as Record<string, unknown>;
      },
    };
  });
}

/** A `conf`-backed Store for plain Node (the browser shell and tests). */
export async function openConfStore(dataDir: string): Promise<{ store: Store } & LoadedDocument> {
  const { default: Conf } = await import('conf');
  return loadConfDocument(
    `${dataDir}/nightshift.json`,
    () =>
      new Conf<Record<string, unknown>>({
        cwd: dataDir,
        configName: 'nightshift',
        projectName: 'nightshift',
        clearInvalidConfig: false,
        watch: false,
      }),
  );
}
