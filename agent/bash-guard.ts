/**
 * The Bash pre-tool hook: every command in a Bash call must be on an allowlist, with a few extra
 * checks (pkill only dev-server processes, chmod only +x, no rm of / or ~).
 *
 * This is a guard against mistakes, NOT a security boundary. Shell is too expressive to police
 * by parsing: `bash -c`, `node -e`, `npx <anything>` and many other forms run arbitrary code
 * and are allowed because agents need them. Real isolation needs the OS sandbox, a container or
 * a VM. What this does is stop an agent from casually running `sudo`, `shutdown`, `dd`,
 * `rm -rf ~` and the like.
 */

export const ALLOWED_COMMANDS = new Set([
  // files and text
  'ls',
  'cat',
  'head',
  'tail',
  'wc',
  'grep',
  'rg',
  'find',
  'cp',
  'mv',
  'rm',
  'mkdir',
  'rmdir',
  'touch',
  'chmod',
  'pwd',
  'cd',
  'echo',
  'printf',
  'sed',
  'awk',
  'sort',
  'uniq',
  'diff',
  'cut',
  'tr',
  'tee',
  'basename',
  'dirname',
  'realpath',
  'which',
  'test',
  '[',
  'true',
  'false',
  'date',
  'sleep',
  'xargs',
  'jq',
  'tar',
  'unzip',
  'stat',
  'du',
  'file',
  // toolchains
  'node',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'deno',
  'tsc',
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
  'git',
  'docker',
  'sh',
  'bash',
  'init.sh',
  // processes and network (local dev servers)
  'ps',
  'lsof',
  'kill',
  'pkill',
  'curl',
  'wget',
  'timeout',
  'env',
  'export',
  'source',
  '.',
]);

const PKILL_TARGETS = new Set([
  'node',
  'npm',
  'npx',
  'vite',
  'next',
  'pnpm',
  'yarn',
  'bun',
  'tsx',
  'python',
  'python3',
  'uvicorn',
]);
const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'in',
  '!',
  '{',
  '}',
  '(',
  ')',
  'function',
  'select',
  'time',
]);

/** Splits a command line into simple commands (token lists), honouring quotes. */
export function splitCommands(command: string): string[][] | null {
  const commands: string[][] = [];
  let tokens: string[] = [];
  let current = '';
  let hasToken = false;
  let quote: '"' | "'" | null = null;
  const endToken = (): void => {
    if (hasToken) tokens.push(current);
    current = '';
    hasToken = false;
  };
  const endCommand = (): void => {
    endToken();
    if (tokens.length > 0) commands.push(tokens);
    tokens = [];
  };
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      hasToken = true;
    } else if (c === '\\' && i + 1 < command.length) {
      current += command[++i];
      hasToken = true;
    } else if (c === ' ' || c === '\t') {
      endToken();
    } else if (
      c === '\n' ||
      c === ';' ||
      c === '|' ||
      c === '&' ||
      c === '(' ||
      c === ')' ||
      c === '`'
    ) {
      endCommand();
    } else if (c === '$' && command[i + 1] === '(') {
      endCommand();
      i++;
    } else if (c === '#' && !hasToken) {
      while (i < command.length && command[i] !== '\n') i++;
      endCommand();
    } else {
      current += c;
      hasToken = true;
    }
  }
  if (quote) return null;
  endCommand();
  return commands;
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** Returns null when the command may run, or the reason it may not. */
export function checkBashCommand(command: string): string | null {
  const commands = splitCommands(command);
  if (!commands) return 'Could not parse the command (unbalanced quotes).';
  if (commands.length === 0) return null;
  for (const tokens of commands) {
    let i = 0;
    while (
      i < tokens.length &&
      (KEYWORDS.has(tokens[i]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[i]!))
    )
      i++;
    if (i >= tokens.length) continue;
    const word = tokens[i]!;
    if (/^[<>]|^\d*>/.test(word)) continue; // a bare redirection
    const name = basename(word);
    const args = tokens.slice(i + 1);
    if (name === 'init.sh') {
      if (word !== './init.sh' && word !== 'init.sh')
        return 'Run the project setup script as ./init.sh.';
      continue;
    }
    if (!ALLOWED_COMMANDS.has(name))
      return `The command '${name}' is not on Nightshift's allowlist for agents (a guard against mistakes). Use an allowed tool instead.`;
    if (name === 'pkill') {
      const targets = args.filter((a) => !a.startsWith('-'));
      const target = targets[targets.length - 1]?.split(' ')[0];
      if (!target || !PKILL_TARGETS.has(basename(target)))
        return `pkill may only stop dev-server processes (${[...PKILL_TARGETS].join(', ')}).`;
    }
    if (name === 'chmod') {
      if (
        args.some((a) => a.startsWith('-')) ||
        !/^[ugoa]*\+x$/.test(args[0] ?? '') ||
        args.length < 2
      )
        return 'chmod may only add execute permission (chmod +x <file>).';
    }
    if (name === 'rm') {
      for (const a of args) {
        if (
          a === '/' ||
          a === '/*' ||
          a === '~' ||
          a.startsWith('~/') ||
          a === '$HOME' ||
          a === '..' ||
          a.startsWith('../')
        )
          return `rm of '${a}' is refused: agents only delete inside the project.`;
      }
    }
  }
  return null;
}
