/**
 * Runs git in a test's repository with a fixed identity (the machine may have none), and
 * answers its output trimmed. Throws when git fails, so a test sees why.
 */
import { execFileSync } from 'node:child_process';

export const testGitIdentity = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@t',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@t',
};

export const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...testGitIdentity },
  }).trim();
