/**
 * Soak: features.db held locked by another process (BEGIN EXCLUSIVE) for 60 s in the middle of
 * a run, with the real agent against the fake Anthropic server. Prints how long the run took,
 * whether it completed with every attempt count at 0, and whether it said it waited.
 *
 *   node bench/soak/db-lock.ts [holdSeconds=60]
 */
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeaturesDb } from '../../core/features-db.ts';
import { startFakeAnthropic } from '../../test/fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../../test/fixtures/scripted-agent-brain.ts';
import { exitWithin, makeProject, startAgent } from '../../test/fixtures/agent-harness.ts';

const holdMs = Number(process.argv[2] ?? 60) * 1000;
const locker = resolve(fileURLToPath(import.meta.url), '../../../test/helpers/db-locker.ts');
const fake = await startFakeAnthropic(scriptedBrain({ slowOn: new Map([[1, 3]]) }));
const dir = makeProject('App\n');
const db = FeaturesDb.open(join(dir, 'features.db'));
db.createBulk(
  ['A', 'B', 'C'].map((name) => ({ category: 'c', name, description: name, steps: ['s'] })),
);
db.close();
const t0 = Date.now();
const run = startAgent({
  projectDir: dir,
  fakeUrl: fake.url,
  env: { NIGHTSHIFT_HEARTBEAT_MS: '500' },
});
let child: ReturnType<typeof spawn> | null = null;
try {
  await run.waitFor((e) => e.type === 'activity' && e.summary.includes('Implement it'), 180_000);
  child = spawn(process.execPath, [locker, join(dir, 'features.db'), String(holdMs)], {
    stdio: 'ignore',
  });
  const lockedAt = Date.now();
  const { code } = await exitWithin(run, holdMs + 300_000);
  const after = FeaturesDb.open(join(dir, 'features.db'));
  const rows = after.all();
  after.close();
  console.log(
    `lock held ${holdMs / 1000} s from ${((lockedAt - t0) / 1000).toFixed(1)} s into the run`,
  );
  console.log(`run ended with code ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  console.log(
    `features passing: ${rows.filter((f) => f.passes).length}/${rows.length}; attempts: ${rows.map((f) => f.attempts).join(',')}`,
  );
  console.log(
    `waited for the lock: ${run.lines.some((l) => l.includes('locked by another program'))}`,
  );
} finally {
  child?.kill('SIGKILL');
  run.killGroup();
  await fake.close();
}
