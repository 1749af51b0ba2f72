/**
 * Checks a folder before it becomes a project, and again whenever a stored project is loaded or
 * started: absolute, existing, a directory, and not a folder agents must not work in (system
 * trees, the home folder itself, credential and keyring folders, Nightshift's own data directory
 * or a folder holding it, the temp directory itself). Paths are compared canonically (realpath),
 * so a symlink cannot smuggle a refused folder in.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { err, ok, type Result } from '../../contract/result.ts';
import { notRegistered } from './not-registered.ts';

/** Where the check runs: injectable so tests can use a home folder of their own. */
export interface PathContext {
  /** Nightshift's data directory (registry, settings, secrets): never a project, nor inside one. */
  dataDir?: string;
  home?: string;
  tmp?: string;
}

/** System trees: neither they nor anything inside them may be a project. */
const posixSystem = [
  '/etc',
  '/var',
  '/usr',
  '/bin',
  '/sbin',
  '/boot',
  '/proc',
  '/sys',
  '/dev',
  '/lib',
  '/lib32',
  '/lib64',
  '/run',
  '/System',
  '/Library',
  '/private',
  '/cores',
];
/**
 * Folders that must not be a project themselves but whose sub-folders legitimately hold code:
 * /opt/work/app, an external drive under /Volumes or /mnt, root's own home below /root.
 */
const posixContainers = [
  '/',
  '/opt',
  '/Volumes',
  '/mnt',
  '/media',
  '/home',
  '/Users',
  '/srv',
  '/root',
];
/** Credential, keyring and agent-configuration folders under the home folder: refused whole. */
const homeSensitive = [
  '.ssh',
  '.aws',
  '.azure',
  '.gnupg',
  '.docker',
  '.kube',
  '.terraform',
  '.terraform.d',
  '.nightshift',
  '.claude',
  '.password-store',
  '.local/share/keyrings',
  '.config/gh',
  '.config/gcloud',
  '.config/hub',
  '.config/op',
  '.config/rclone',
  '.config/doctl',
  '.config/nightshift',
  'Library/Keychains',
];
/** Folders under the home folder that hold those: refused themselves, sub-folders allowed. */
const homeContainers = ['.config', '.local', '.local/share', 'Library'];

function windowsSystem(): string[] {
  const drive = process.env.SystemDrive ?? 'C:';
  return [
    `${drive}\\`,
    `${drive}\\Windows`,
    `${drive}\\Program Files`,
    `${drive}\\Program Files (x86)`,
    `${drive}\\ProgramData`,
    `${drive}\\System Volume Information`,
    `${drive}\\$Recycle.Bin`,
    `${drive}\\Recovery`,
  ];
}

const within = (path: string, root: string): boolean => {
  const a = process.platform === 'win32' ? path.toLowerCase() : path;
  const b = process.platform === 'win32' ? root.toLowerCase() : root;
  return a === b || a.startsWith(b.endsWith(sep) ? b : b + sep);
};

/** Why a canonical POSIX path is a system folder, or null when it is not one. */
export function posixSystemFolder(path: string): string | null {
  // /tmp and /var/folders hold scratch projects legitimately; the others are system trees.
  const tmp = ['/tmp', '/var/tmp', '/var/folders', '/private/tmp', '/private/var/folders'];
  if (tmp.some((t) => within(path, t) && path !== t)) return null;
  if (posixContainers.includes(path) || posixSystem.some((s) => within(path, s))) {
    return `${path} is a system folder; agents must not work there.`;
  }
  return null;
}

const canonical = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return normalize(path);
  }
};

/** Returns the canonical path, or a sentence saying what is wrong. */
export function checkProjectPath(
  input: string,
  context: PathContext = {},
): { ok: true; path: string } | { ok: false; message: string } {
  const raw = input.trim();
  if (!isAbsolute(raw))
    return {
      ok: false,
      message: `Use a full path starting at the root, like ${join(homedir(), 'code', 'my-app')}.`,
    };
  let path: string;
  try {
    path = realpathSync(normalize(raw));
  } catch {
    return {
      ok: false,
      message: `The folder ${raw} does not exist. Create it first or pick another one.`,
    };
  }
  if (!statSync(path).isDirectory())
    return { ok: false, message: `${raw} is a file, not a folder.` };
  const refusal = refusedFolder(path, context);
  return refusal ? { ok: false, message: refusal } : { ok: true, path };
}

/** Why a canonical, existing folder must not be a project, or null when it may be one. */
export function refusedFolder(path: string, context: PathContext = {}): string | null {
  const home = canonical(context.home ?? homedir());
  if (path === home)
    return 'Your home folder itself cannot be a project; choose a folder inside it.';
  if (process.platform === 'win32') {
    const sys = windowsSystem();
    if (sys.some((s, i) => (i === 0 ? path.toLowerCase() === s.toLowerCase() : within(path, s)))) {
      return `${path} is a system folder; agents must not work there.`;
    }
  } else {
    const reason = posixSystemFolder(path);
    if (reason) return reason;
  }
  const tmp = canonical(context.tmp ?? tmpdir());
  if (path === tmp || ['/tmp', '/var/tmp', '/private/tmp'].includes(path))
    return `${path} is the temporary folder itself; make a folder inside it for the project.`;
  if (homeSensitive.some((d) => within(path, join(home, d)))) {
    return `${path} holds credentials or configuration; agents must not work there.`;
  }
  if (homeContainers.some((d) => path === join(home, d))) {
    return `${path} holds credentials and configuration of other programs; choose a folder of its own for the project.`;
  }
  if (context.dataDir) {
    const data = canonical(context.dataDir);
    if (within(path, data))
      return `${path} is inside Nightshift's own data folder (${data}), which holds its settings and secrets; agents must not work there.`;
    if (within(data, path))
      return `${path} contains Nightshift's own data folder (${data}), which holds its settings and secrets; choose a folder that does not.`;
  }
  return null;
}

/**
 * Why a stored project's folder cannot be used now (gone, no longer a folder, or refused by the
 * rules above), or null when it can. Nothing is changed or deleted: the caller shows the
 * sentence and refuses to start.
 */
export function storedFolderProblem(path: string, context: PathContext = {}): string | null {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return `The folder ${path} does not exist any more. Edit the project to point at its new place; nothing of the project was deleted.`;
  }
  if (!stat.isDirectory())
    return `${path} is no longer a folder. Edit the project to point at its folder; nothing of the project was deleted.`;
  const refusal = refusedFolder(canonical(path), context);
  return refusal
    ? `This project cannot run any more: ${refusal} Edit the project to point at another folder; nothing of it was deleted.`
    : null;
}

/**
 * The folder of a registered project (`path`, null when the id is not registered) when it still
 * exists, or the sentence why the project's files cannot be reached.
 */
export function reachableProjectFolder(path: string | null): Result<string> {
  if (!path) return notRegistered();
  if (!existsSync(path))
    return err(
      'not-found',
      `The project folder ${path} does not exist. Check that the drive is mounted, or edit the project's folder.`,
    );
  return ok(path);
}
