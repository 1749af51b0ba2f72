/**
 * Checkpoint creation time on a repository with 10,000 files: a committed tree, then 50 edited
 * and 20 untracked files (a session's usual leftovers). Prints the time of each checkpoint.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheckpoint } from '../core/checkpoints.ts';

const FILES = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'ns-bench-cp-'));
const git = (...args: string[]): void => {
  execFileSync('git', args, {
    cwd: dir,
    stdio: 'ignore',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  });
};
try {
  git('init', '-q');
  for (let i = 0; i < FILES; i++) {
    const sub = join(dir, 'src', `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, `f${i}.ts`), `export const v${i} = ${i};\n`);
  }
  git('add', '-A');
  git('commit', '-qm', 'base');
  console.log(
    `repository: ${FILES} files; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`,
  );
  const times: number[] = [];
  for (let attempt = 1; attempt <= 5; attempt++) {
    for (let i = 0; i < 50; i++)
      writeFileSync(join(dir, 'src', `d${i}`, `f${i * 100}.ts`), `export const v = ${attempt};\n`);
    for (let i = 0; i < 20; i++) writeFileSync(join(dir, `new-${attempt}-${i}.txt`), 'x\n');
    const t0 = performance.now();
    const r = await createCheckpoint(dir, { runId: 'bench', featureId: 1, attempt });
    const ms = performance.now() - t0;
    if (!r.ok) throw new Error(r.message);
    times.push(ms);
    console.log(`checkpoint ${attempt}: ${ms.toFixed(0)} ms`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `median ${sorted[2]!.toFixed(0)} ms, max ${sorted[4]!.toFixed(0)} ms (50 edited + 20 untracked files each)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
