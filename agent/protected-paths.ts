/**
 * Paths inside a project that no session may write: they would widen later sessions (Claude
 * Code settings and hooks, git hooks and config) or tamper with Nightshift's own state (lock,
 * run logs, drain flag). Shared by the Bash guard, the Write/Edit hook and the sandbox's
 * denyWrite list, so the three agree. Invariant: a path is judged after resolving symlinks of
 * its nearest existing ancestor too, so a link into a protected folder does not get around it.
 */
import { basename, dirname, join, resolve, sep } from 'node:path';

/** The protected files and folders of a project (absolute). */
export function protectedProjectPaths(projectDir: string): string[] {
  const p = resolve(projectDir);
  return [
    join(p, '.claude', 'settings.json'),
    join(p, '.claude', 'settings.local.json'),
    join(p, '.nightshift'),
    join(p, '.git', 'hooks'),
    join(p, '.git', 'config'),
  ];
}

const within = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

function lexicallyProtected(path: string, project: string): boolean {
  if (protectedProjectPaths(project).some((p) => within(path, p))) return true;
  // Replacing the folder that holds them (rm -r .git, mv .claude x) reaches them as well.
  if (path === join(project, '.claude') || path === join(project, '.git')) return true;
  const parent = dirname(path);
  return parent === join(project, '.claude') && /^settings.*\.json$/.test(basename(path));
}

/**
 * True when writing `absPath` would touch a protected path of `projectDir`. `realpath` returns
 * the canonical path or null where nothing exists.
 */
export function isProtectedPath(
  absPath: string,
  projectDir: string,
  realpath: (p: string) => string | null,
): boolean {
  const path = resolve(absPath);
  const project = realpath(resolve(projectDir)) ?? resolve(projectDir);
  if (lexicallyProtected(path, resolve(projectDir)) || lexicallyProtected(path, project))
    return true;
  // Resolve the deepest existing ancestor and re-append the rest.
  let existing = path;
  let rest = '';
  while (existing !== dirname(existing)) {
    const real = realpath(existing);
    if (real !== null) return lexicallyProtected(rest ? join(real, rest) : real, project);
    rest = rest ? join(basename(existing), rest) : basename(existing);
    existing = dirname(existing);
  }
  return false;
}
