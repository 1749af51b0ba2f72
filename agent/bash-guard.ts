/**
 * The Bash pre-tool guard: decides, without running anything, whether a Bash call may run.
 * It parses the command line like a shell (bash-parse.ts) and checks every simple command it
 * would execute, including those in `$(...)`, backticks, subshells, `bash -c` strings, and the
 * commands run by `xargs`, `env`, `timeout`, `nohup` and `find -exec`.
 *
 * Invariants:
 * - A command name must be written out (no `$CMD`, no `$(...)` in command position) and be on
 *   the allowlist; a path-qualified name must be the same file the session's PATH gives for
 *   that name, or an executable of the project's own node_modules/.bin.
 * - PATH may only be extended with the project's node_modules/.bin; loader and shell start-up
 *   variables (LD_PRELOAD, BASH_ENV, GIT_CONFIG_*, ...) are never set.
 * - `kill` may signal only explicit positive pids that descend from this agent (the
 *   `isOwnDescendant` port); `pkill` and `killall` are refused (they match by name).
 * - No destructive git over the whole tree, no history rewrite, no `git config` writes.
 * - `rm` only inside the project (or the temp folder), never the project root itself.
 * - Nothing writes `.claude/settings*.json`, `.nightshift/`, `.git/hooks` or `.git/config`.
 * Anything it cannot parse is refused with a sentence. This is a second line behind the OS
 * sandbox: `node -e`, `npx` and scripts still run arbitrary code by design.
 */
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { parseShell, type SimpleCommand, type Word } from './bash-parse.ts';
import { isProtectedPath } from './protected-paths.ts';

/** Shell builtins and keywords: no executable to resolve. */
const BUILTINS = new Set([
  'cd',
  'echo',
  'printf',
  'pwd',
  'test',
  '[',
  '[[',
  '((',
  'true',
  'false',
  'export',
  'source',
  '.',
  'kill',
  'command',
  'set',
  'read',
  'wait',
]);

/** Commands that only read the paths they are given. */
const READ_ONLY = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'grep',
  'rg',
  'diff',
  'stat',
  'file',
  'du',
  'realpath',
  'basename',
  'dirname',
  'test',
  '[',
  '[[',
  'echo',
  'printf',
  'which',
  'jq',
  'cd',
  'git',
]);

/**
 * Every command an agent may run: the read-only ones, the shell builtins, and these others (whose
 * path arguments are checked against the protected paths, as they are not known to only read).
 */
export const ALLOWED_COMMANDS = new Set([
  ...READ_ONLY,
  ...BUILTINS,
  // files and text
  'find',
  'cp',
  'mv',
  'rm',
  'mkdir',
  'rmdir',
  'touch',
  'chmod',
  'ln',
  'sed',
  'awk',
  'sort',
  'uniq',
  'cut',
  'tr',
  'tee',
  'date',
  'sleep',
  'xargs',
  'tar',
  'unzip',
  'gzip',
  'nohup',
  // toolchains
  'node',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'deno',
  'tsc',
  'tsx',
  'eslint',
  'prettier',
  'vite',
  'vitest',
  'jest',
  'playwright',
  'python',
  'python3',
  'pip',
  'pip3',
  'uv',
  'pytest',
  'go',
  'cargo',
  'make',
  'sh',
  'bash',
  'init.sh',
  // processes and network (local dev servers)
  'ps',
  'lsof',
  'curl',
  'wget',
  'timeout',
  'env',
  'printenv',
]);

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'while',
  'until',
  'do',
  'done',
  '!',
  '{',
  '}',
  'time',
]);

/** Variables whose value changes what runs or how: never set by an agent. */
const DANGEROUS_VARS =
  /^(LD_[A-Z_]+|DYLD_[A-Z_]+|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PROMPT_COMMAND|PS4|IFS|CDPATH|GIT_CONFIG[A-Z_]*|GIT_SSH[A-Z_]*|GIT_EXEC_PATH|GIT_DIR|GIT_WORK_TREE|GIT_ASKPASS|SSH_ASKPASS|NODE_OPTIONS|PYTHONSTARTUP|PYTHONPATH|PERL5OPT|RUBYOPT)$/;

export interface GuardContext {
  projectDir: string;
  home: string;
  /** The session's temp folder (deleting in it is fine). */
  tmpDir: string;
  /** The session's normal PATH lookup: the absolute path of `name`, or null. */
  which(name: string): string | null;
  /** The canonical path (symlinks resolved), or null when nothing exists there. */
  realpath(path: string): string | null;
  /** True when `pid` is a live descendant of this agent process (not the agent itself). */
  isOwnDescendant(pid: number): boolean;
}

export const REFUSAL = {
  parse: (why: string): string =>
    `Could not parse the command (${why}); write it more simply, one command per line.`,
  computedName:
    'The command name must be written out, not computed from $VAR, $(...) or backticks.',
  notAllowed: (name: string): string =>
    `The command '${name}' is not on Nightshift's allowlist for agents. Use an allowed tool instead.`,
  notOnPath: (word: string, name: string): string =>
    `'${word}' is not the ${name} on the session's PATH; run allowed commands by name (or from the project's node_modules/.bin).`,
  initSh: 'Run the project setup script as ./init.sh.',
  pathVar:
    "Changing PATH is refused: commands run from the session's PATH (adding the project's node_modules/.bin is fine).",
  dangerousVar: (name: string): string => `Setting ${name} is refused: it changes which code runs.`,
  pkill: (name: string): string =>
    `${name} is refused: it matches processes by name and can stop processes that are not this session's (even Nightshift). Stop a process you started with kill <pid>.`,
  killTarget: (t: string): string =>
    `kill ${t} is refused: kill only explicit process ids of processes this session started (never -1, 0 or a process group).`,
  killComputed:
    'kill with a computed process id ($(...), $VAR, backticks) is refused: kill only explicit process ids of processes this session started.',
  killNotOwn: (pid: number): string =>
    `kill ${pid} is refused: process ${pid} was not started by this session.`,
  killNoTarget: 'kill needs an explicit process id of a process this session started.',
  chmod: 'chmod may only add execute permission (chmod +x <file>).',
  rmOutside: (target: string): string =>
    `rm of '${target}' is refused: agents only delete inside the project.`,
  rmRoot: (target: string): string =>
    `rm -r of '${target}' is refused: it would delete the whole project.`,
  rmDynamic: (target: string): string =>
    `rm -r of '${target}' is refused: write the path out literally (no variables or substitutions) so it can be checked.`,
  rmUnknownCwd:
    'rm -r with a relative path after a cd to a computed folder is refused: use a path relative to the project.',
  rmXargs: 'rm -r with paths from xargs or find -exec is refused: name the paths literally.',
  protectedWrite: (path: string): string =>
    `Changing '${path}' is refused: agents cannot change .claude/settings*.json, .nightshift/, .git/hooks or .git/config.`,
  devTcp: 'Redirecting to /dev/tcp or /dev/udp is refused.',
  git: (what: string, instead: string): string =>
    `git ${what} is refused: several agents share this working tree and it would destroy work. ${instead}`,
  gitHistory: (what: string): string =>
    `git ${what} is refused: it rewrites history on the shared branch. Make a new commit instead.`,
  gitConfigOverride:
    'git -c and --config-env are refused: configuration overrides can run arbitrary programs.',
  gitConfigWrite:
    'Changing git configuration is refused (it lives in .git/config); reading it with --get or --list is fine.',
  gitTreeOverride: 'git --git-dir and --work-tree are refused: work in the project repository.',
  caseUnsupported: 'case statements are not supported by the guard; use if/elif instead.',
  dynamicScript: 'sh -c / bash -c needs a literal command string so it can be checked.',
} as const;

/** Decides one Bash call: null when it may run, or the sentence the agent receives. */
export function checkBashCommand(command: string, ctx: GuardContext): string | null {
  return new Checker(ctx).check(command, 0);
}

const MAX_SCRIPT_DEPTH = 4;

class Checker {
  /** The shell's working directory as far as the guard can tell (null: unknown). */
  private cwd: string | null;

  private readonly ctx: GuardContext;

  constructor(ctx: GuardContext) {
    this.ctx = ctx;
    this.cwd = resolve(ctx.projectDir);
  }

  check(command: string, depth: number): string | null {
    if (depth > MAX_SCRIPT_DEPTH) return REFUSAL.parse('nested shells go too deep');
    const vars: Record<string, string> = { HOME: this.ctx.home };
    if (this.cwd) vars.PWD = this.cwd;
    const parsed = parseShell(command, vars);
    if (!parsed.ok)
      return parsed.reason.startsWith('case')
        ? REFUSAL.caseUnsupported
        : REFUSAL.parse(parsed.reason);
    for (const cmd of parsed.commands) {
      const refusal = this.simple(cmd, depth);
      if (refusal) return refusal;
    }
    return null;
  }

  private simple(cmd: SimpleCommand, depth: number): string | null {
    for (const a of cmd.assignments) {
      const r = this.assignment(a.name, a.value);
      if (r) return r;
    }
    for (const r of cmd.redirects) {
      if (!r.target || r.target.dynamic) continue;
      if (/^\/dev\/(tcp|udp)\//.test(r.target.value)) return REFUSAL.devTcp;
      if (r.op.includes('>') && this.protectedWord(r.target))
        return REFUSAL.protectedWrite(r.target.value);
    }
    let words = cmd.words;
    while (words.length > 0 && !words[0]!.quoted && KEYWORDS.has(words[0]!.value))
      words = words.slice(1);
    if (words.length === 0) return null;
    const head = words[0]!;
    if (!head.quoted && (head.value === 'for' || head.value === 'select')) return null;
    if (!head.quoted && head.value === 'case') return REFUSAL.caseUnsupported;
    if (!head.quoted && head.value === 'function') {
      // `function name { body` : the body's first command follows the name and `{`.
      let rest = words.slice(2);
      if (rest[0]?.value === '()') rest = rest.slice(1);
      if (rest[0]?.value === '{') rest = rest.slice(1);
      return rest.length ? this.invocation(rest, depth, false) : null;
    }
    const r = this.invocation(words, depth, false);
    // A cd inside a subshell leaves the caller's folder alone; which one follows is unknown here.
    if (cmd.subshell && words[0]?.value === 'cd') this.cwd = null;
    return r;
  }

  private assignment(name: string, value: Word): string | null {
    if (name === 'PATH') return this.pathValue(value) ? null : REFUSAL.pathVar;
    if (DANGEROUS_VARS.test(name)) return REFUSAL.dangerousVar(name);
    return null;
  }

  /** PATH may keep $PATH and add the project's node_modules/.bin, nothing else. */
  private pathValue(value: Word): boolean {
    const binDir = join(resolve(this.ctx.projectDir), 'node_modules', '.bin');
    // The parser leaves $PATH unexpanded (unknown), so entries read literally.
    return value.value.split(':').every((entry) => {
      if (entry === '$PATH' || entry === '${PATH}') return true;
      if (entry.includes('$')) return false;
      const abs = this.cwd ? resolve(this.cwd, entry) : null;
      return abs === binDir;
    });
  }

  /** Resolves a literal path against the tracked cwd (null when unknown or computed). */
  private abs(w: Word): string | null {
    if (w.dynamic) return null;
    let v = w.value;
    if (w.tilde) {
      if (v === '~' || v.startsWith('~/')) v = this.ctx.home + v.slice(1);
      else return null; // ~user
    }
    if (isAbsolute(v)) return normalize(v);
    return this.cwd ? resolve(this.cwd, v) : null;
  }

  private protectedWord(w: Word): boolean {
    const p = this.abs(w);
    return p !== null && isProtectedPath(p, this.ctx.projectDir, this.ctx.realpath);
  }

  private inside(path: string, dir: string): boolean {
    const d = resolve(dir);
    return path === d || path.startsWith(d.endsWith(sep) ? d : d + sep);
  }

  /**
   * One command with its arguments. `fromStdin`: more arguments arrive at run time (xargs,
   * find -exec), so targets cannot be proven.
   */
  private invocation(words: Word[], depth: number, fromStdin: boolean): string | null {
    const head = words[0]!;
    if (head.dynamic) return REFUSAL.computedName;
    const resolved = this.commandName(head);
    if (!resolved.ok) return resolved.reason;
    const name = resolved.name;
    const args = words.slice(1);
    if (name === 'init.sh') return null;
    if (name === 'pkill' || name === 'killall') return REFUSAL.pkill(name);
    if (!ALLOWED_COMMANDS.has(name)) return REFUSAL.notAllowed(name);

    if (!READ_ONLY.has(name)) {
      for (const a of args) if (this.protectedWord(a)) return REFUSAL.protectedWrite(a.value);
    }
    switch (name) {
      case 'cd':
        this.cd(args);
        return null;
      case 'export':
        for (const a of args) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(a.value);
          if (!m) continue;
          const r = this.assignment(m[1]!, { ...a, value: a.value.slice(m[0].length) });
          if (r) return r;
        }
        return null;
      case 'kill':
        return fromStdin ? REFUSAL.killNoTarget : this.kill(args);
      case 'chmod':
        return args.some((a) => a.value.startsWith('-')) ||
          !/^[ugoa]*\+x$/.test(args[0]?.value ?? '') ||
          args.length < 2
          ? REFUSAL.chmod
          : null;
      case 'rm':
        return this.rm(args, fromStdin);
      case 'git':
        return this.git(args);
      case 'sh':
      case 'bash':
        return this.shell(args, depth);
      case 'env':
        return this.envWrapper(args, depth, fromStdin);
      case 'timeout':
        return this.wrapped(
          skipOptions(args, ['-s', '--signal', '-k', '--kill-after'], 1),
          depth,
          fromStdin,
        );
      case 'nohup':
        return this.wrapped(args, depth, fromStdin);
      case 'command':
        return args[0]?.value === '-v' || args[0]?.value === '-V'
          ? null
          : this.wrapped(skipOptions(args, [], 0), depth, fromStdin);
      case 'xargs':
        return this.wrapped(
          skipOptions(args, ['-n', '-I', '-P', '-L', '-d', '-E', '-s', '-a'], 0),
          depth,
          true,
        );
      case 'find':
        return this.find(args, depth);
      default:
        return null;
    }
  }

  private commandName(w: Word): { ok: true; name: string } | { ok: false; reason: string } {
    const word = w.value;
    if (!word.includes('/')) {
      if (w.tilde) return { ok: false, reason: REFUSAL.computedName };
      return { ok: true, name: word };
    }
    const base = word.slice(word.lastIndexOf('/') + 1);
    if (base === 'pkill' || base === 'killall') return { ok: false, reason: REFUSAL.pkill(base) };
    if (base === 'init.sh') {
      if (word === './init.sh' && this.cwd === resolve(this.ctx.projectDir))
        return { ok: true, name: 'init.sh' };
      return { ok: false, reason: REFUSAL.initSh };
    }
    const abs = this.abs(w);
    if (!abs) return { ok: false, reason: REFUSAL.notOnPath(word, base) };
    const binDir = join(resolve(this.ctx.projectDir), 'node_modules', '.bin');
    if (abs.startsWith(binDir + sep) && !abs.slice(binDir.length + 1).includes(sep)) {
      if (this.ctx.realpath(abs) !== null) return { ok: true, name: base };
      return { ok: false, reason: REFUSAL.notOnPath(word, base) };
    }
    if (BUILTINS.has(base) || !ALLOWED_COMMANDS.has(base))
      return ALLOWED_COMMANDS.has(base)
        ? { ok: false, reason: REFUSAL.notOnPath(word, base) }
        : { ok: false, reason: REFUSAL.notAllowed(base) };
    const onPath = this.ctx.which(base);
    const real = this.ctx.realpath(abs);
    if (onPath && real && (this.ctx.realpath(onPath) ?? onPath) === real)
      return { ok: true, name: base };
    return { ok: false, reason: REFUSAL.notOnPath(word, base) };
  }

  private cd(args: Word[]): void {
    const target = args.find((a) => !a.value.startsWith('-') || a.value === '-');
    if (!target) {
      this.cwd = resolve(this.ctx.home);
      return;
    }
    if (target.value === '-') {
      this.cwd = null;
      return;
    }
    this.cwd = this.abs(target);
  }

  private kill(args: Word[]): string | null {
    let i = 0;
    let signalSeen = false;
    const targets: Word[] = [];
    for (; i < args.length; i++) {
      const a = args[i]!;
      if (a.value === '--') {
        targets.push(...args.slice(i + 1));
        break;
      }
      if (a.value === '-l' || a.value === '-L') return null; // lists signal names
      if (!signalSeen && (a.value === '-s' || a.value === '-n')) {
        signalSeen = true;
        i++;
        continue;
      }
      if (!signalSeen && /^-([A-Za-z][A-Za-z0-9+-]*|\d+)$/.test(a.value) && !a.dynamic) {
        signalSeen = true;
        continue;
      }
      targets.push(a);
    }
    if (targets.length === 0) return REFUSAL.killNoTarget;
    for (const t of targets) {
      if (t.dynamic) return REFUSAL.killComputed;
      if (!/^\d+$/.test(t.value)) return REFUSAL.killTarget(t.value);
      const pid = Number(t.value);
      if (pid <= 1) return REFUSAL.killTarget(t.value);
      if (!this.ctx.isOwnDescendant(pid)) return REFUSAL.killNotOwn(pid);
    }
    return null;
  }

  private rm(args: Word[], fromStdin: boolean): string | null {
    let recursive = false;
    const targets: Word[] = [];
    let optionsDone = false;
    for (const a of args) {
      if (!optionsDone && a.value === '--') {
        optionsDone = true;
        continue;
      }
      if (!optionsDone && !a.dynamic && /^-[A-Za-z]+$/.test(a.value)) {
        if (/[rR]/.test(a.value)) recursive = true;
        continue;
      }
      if (!optionsDone && a.value.startsWith('--')) {
        if (a.value === '--recursive') recursive = true;
        continue;
      }
      targets.push(a);
    }
    if (recursive && fromStdin) return REFUSAL.rmXargs;
    const project = resolve(this.ctx.projectDir);
    for (const t of targets) {
      if (t.dynamic) {
        if (recursive) return REFUSAL.rmDynamic(t.value);
        continue;
      }
      const abs = this.abs(t);
      if (!abs) {
        if (t.tilde) return REFUSAL.rmOutside(t.value);
        if (recursive) return REFUSAL.rmUnknownCwd;
        continue;
      }
      // A glob deletes within the folder before its first wildcard: judge that folder.
      const fixed = t.glob ? globBase(abs) : abs;
      const inProject = this.inside(fixed, project);
      const inTmp = this.inside(fixed, this.ctx.tmpDir) && fixed !== resolve(this.ctx.tmpDir);
      if (!inProject && !inTmp) return REFUSAL.rmOutside(t.value);
      if (inProject && recursive && (fixed === project || (t.glob && globBase(abs) === project)))
        return REFUSAL.rmRoot(t.value);
      if (inProject && fixed === project) return REFUSAL.rmRoot(t.value);
    }
    return null;
  }

  private git(args: Word[]): string | null {
    let i = 0;
    // Global options before the subcommand.
    for (; i < args.length; i++) {
      const v = args[i]!.value;
      if (v === '-c' || v.startsWith('--config-env')) return REFUSAL.gitConfigOverride;
      if (v.startsWith('--git-dir') || v.startsWith('--work-tree')) return REFUSAL.gitTreeOverride;
      if (v === '-C') {
        i++;
        continue;
      }
      if (v.startsWith('-')) continue;
      break;
    }
    const sub = args[i]?.value ?? '';
    const rest = args.slice(i + 1).map((w) => w.value);
    const has = (...flags: string[]): boolean => rest.some((r) => flags.includes(r));
    const shortFlag = (letter: string): boolean =>
      rest.some((r) => /^-[A-Za-z]+$/.test(r) && r.includes(letter));
    const wholeTree = (): boolean =>
      rest.some(
        (r) => r === '.' || r === ':/' || r === '*' || r === './' || r === ':/:' || r === '-A',
      );
    switch (sub) {
      case 'reset':
        if (has('--hard', '--merge', '--keep'))
          return REFUSAL.git(
            `reset ${rest.find((r) => r.startsWith('--'))}`,
            'Commit or stash your own changes instead.',
          );
        return null;
      case 'checkout':
        if (has('-f', '--force'))
          return REFUSAL.git('checkout --force', 'Check out specific files by name.');
        if (wholeTree())
          return REFUSAL.git('checkout of the whole tree', 'Check out specific files by name.');
        return null;
      case 'switch':
        if (has('-f', '--force', '--discard-changes'))
          return REFUSAL.git('switch --discard-changes', 'Commit your work first.');
        return null;
      case 'restore':
        if (wholeTree())
          return REFUSAL.git('restore of the whole tree', 'Restore specific files by name.');
        return null;
      case 'clean':
        if (shortFlag('f') || has('--force'))
          return REFUSAL.git('clean -f', 'Delete specific files by name.');
        return null;
      case 'push':
        if (
          shortFlag('f') ||
          rest.some(
            (r) =>
              r.startsWith('--force') ||
              r === '--mirror' ||
              r === '--delete' ||
              r === '-d' ||
              /^\+/.test(r) ||
              /^:/.test(r),
          )
        )
          return REFUSAL.git(
            'push --force',
            'Push without force; never delete or overwrite remote branches.',
          );
        return null;
      case 'branch':
        if (
          has('-D') ||
          (has('-d', '--delete') && (shortFlag('f') || has('--force'))) ||
          has('-M', '-C')
        )
          return REFUSAL.git('branch -D', 'Leave branches to the humans.');
        return null;
      case 'stash':
        if (rest[0] === 'drop' || rest[0] === 'clear')
          return REFUSAL.git(`stash ${rest[0]}`, 'Leave stashes as they are.');
        return null;
      case 'rebase':
        if (has('--abort')) return null;
        return REFUSAL.gitHistory('rebase');
      case 'filter-branch':
      case 'filter-repo':
      case 'replace':
        return REFUSAL.gitHistory(sub);
      case 'commit':
        if (has('--amend')) return REFUSAL.gitHistory('commit --amend');
        return null;
      case 'reflog':
        if (rest[0] === 'expire' || rest[0] === 'delete')
          return REFUSAL.gitHistory(`reflog ${rest[0]}`);
        return null;
      case 'update-ref':
        return REFUSAL.gitHistory('update-ref');
      case 'config': {
        if (
          has('--get', '--get-all', '--get-regexp', '--list', '-l') ||
          rest[0] === 'get' ||
          rest[0] === 'list'
        )
          return null;
        const positional = rest.filter((r) => !r.startsWith('-'));
        if (
          positional.length <= 1 &&
          !has(
            '--unset',
            '--unset-all',
            '--add',
            '--replace-all',
            '--edit',
            '-e',
            '--remove-section',
            '--rename-section',
          )
        )
          return null;
        return REFUSAL.gitConfigWrite;
      }
      default:
        return null;
    }
  }

  private shell(args: Word[], depth: number): string | null {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (/^-[A-Za-z]*c[A-Za-z]*$/.test(a.value)) {
        const script = args[i + 1];
        if (!script) return null;
        if (script.dynamic) return REFUSAL.dynamicScript;
        const saved = this.cwd;
        const r = this.check(script.value, depth + 1);
        this.cwd = saved;
        return r;
      }
      if (!a.value.startsWith('-')) {
        if (a.value === 'init.sh' || a.value === './init.sh') return null;
        return null; // a script file: its contents are the sandbox's to contain
      }
    }
    return null;
  }

  private envWrapper(args: Word[], depth: number, fromStdin: boolean): string | null {
    let i = 0;
    for (; i < args.length; i++) {
      const v = args[i]!.value;
      if (v === '-u' || v === '--unset' || v === '-C' || v === '--chdir') {
        i++;
        continue;
      }
      if (v.startsWith('-')) continue;
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(v);
      if (m) {
        const r = this.assignment(m[1]!, { ...args[i]!, value: v.slice(m[0].length) });
        if (r) return r;
        continue;
      }
      break;
    }
    const rest = args.slice(i);
    return rest.length ? this.invocation(rest, depth, fromStdin) : null;
  }

  private wrapped(rest: Word[], depth: number, fromStdin: boolean): string | null {
    return rest.length ? this.invocation(rest, depth, fromStdin) : null;
  }

  private find(args: Word[], depth: number): string | null {
    const project = resolve(this.ctx.projectDir);
    const starts = args.filter((a, i) => i < firstExprIndex(args));
    for (let i = 0; i < args.length; i++) {
      const v = args[i]!.value;
      if (v === '-delete') {
        for (const s of starts.length
          ? starts
          : [{ value: '.', dynamic: false, glob: false, tilde: false, quoted: false }]) {
          const abs = this.abs(s);
          if (!abs || !this.inside(abs, project)) return REFUSAL.rmOutside(s.value);
        }
      }
      if (v === '-exec' || v === '-execdir' || v === '-ok' || v === '-okdir') {
        const end = args.findIndex((w, j) => j > i && (w.value === ';' || w.value === '+'));
        const inner = args.slice(i + 1, end < 0 ? args.length : end);
        if (inner.length) {
          const r = this.invocation(inner, depth, true);
          if (r) return r;
        }
        i = end < 0 ? args.length : end;
      }
    }
    return null;
  }
}

function firstExprIndex(args: Word[]): number {
  const i = args.findIndex((a) => /^[-(!]/.test(a.value));
  return i < 0 ? args.length : i;
}

/** Drops leading options (and the values of `withValue` options) and `positional` more words. */
function skipOptions(args: Word[], withValue: string[], positional: number): Word[] {
  let i = 0;
  while (i < args.length && args[i]!.value.startsWith('-') && args[i]!.value !== '-') {
    if (args[i]!.value === '--') {
      i++;
      break;
    }
    i += withValue.includes(args[i]!.value) ? 2 : 1;
  }
  return args.slice(i + positional);
}

/** The folder a glob path expands within: the path up to the segment with the first wildcard. */
function globBase(abs: string): string {
  const parts = abs.split(sep);
  const k = parts.findIndex((p) => /[*?[{]/.test(p));
  if (k < 0) return abs;
  return parts.slice(0, k).join(sep) || sep;
}
