/** Checks a folder before it becomes a project: absolute, existing, a directory, not a system folder. */
import { realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize, sep } from 'node:path';

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
const homeSensitive = [
  '.ssh',
  '.aws',
  '.gnupg',
  '.config/gh',
  '.docker',
  '.kube',
  '.terraform',
  '.nightshift',
];

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

/** Returns the canonical path, or a sentence saying what is wrong. */
export function checkProjectPath(
  input: string,
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
  const home = homedir();
  if (path === home)
    return {
      ok: false,
      message: 'Your home folder itself cannot be a project; choose a folder inside it.',
    };
  if (process.platform === 'win32') {
    const sys = windowsSystem();
    if (sys.some((s, i) => (i === 0 ? path.toLowerCase() === s.toLowerCase() : within(path, s)))) {
      return { ok: false, message: `${path} is a system folder; agents must not work there.` };
    }
  } else {
    const reason = posixSystemFolder(path);
    if (reason) return { ok: false, message: reason };
  }
  if (homeSensitive.some((d) => within(path, join(home, d)))) {
    return {
      ok: false,
      message: `${path} holds credentials or configuration; agents must not work there.`,
    };
  }
  return { ok: true, path };
}
