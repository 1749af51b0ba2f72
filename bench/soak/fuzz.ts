/**
 * The long fuzz run: `node bench/soak/fuzz.ts [requests] [messages] [seed]` against a fresh
 * `nightshift serve` (built renderer required) that has a project, a changed setting and a
 * stored key first, so that "byte-identical" is about real files. Prints the figures; exits 1 on
 * any finding.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, startServe } from '../../test/helpers/serve.ts';
import { runFuzz } from '../../test/faults/fuzz.ts';

const [requests = 50_000, messages = 50_000, seed = 1] = process.argv.slice(2).map(Number);
const hashOf = (path: string): string =>
  existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent';

const app = await startServe();
const project = mkdtempSync(join(tmpdir(), 'nightshift-fuzz-proj-'));
let failed: boolean;
try {
  const client = await ApiClient.connect(app);
  const added = await client.call('projects.add', { name: 'fuzzed', path: project });
  const saved = await client.call('settings.update', {
    windowEndGraceMinutes: 7,
    apiKey: 'sk-fuzz-secret',
  });
  client.close();
  if (!added.ok || !saved.ok) throw new Error('The fuzz target could not be prepared.');
  const files = ['nightshift.json', 'secrets.json', 'scheduler-state.json'].map((f) =>
    join(app.dataDir, f),
  );
  const before = files.map(hashOf);
  const f = await runFuzz({ origin: app.origin, token: app.token, seed, requests, messages });
  const after = files.map(hashOf);
  const up = app.child.exitCode === null;
  console.log(`seed                      ${f.seed}`);
  console.log(`HTTP requests             ${f.requests} (${f.requestsWithToken} with the token)`);
  console.log(`  answered 4xx            ${f.status4xx}`);
  console.log(`  closed without answer   ${f.closedWithoutAnswer}`);
  console.log(`  other answers           ${f.otherStatus.length}`);
  console.log(
    `WebSocket messages        ${f.messages} (${f.messagesWithoutToken} without the token)`,
  );
  console.log(`  Result errors           ${f.resultErrors}`);
  console.log(`  refused upgrades        ${f.refusedUpgrades}`);
  console.log(`  unexpected              ${f.unexpected.length}`);
  console.log(`server crashes            ${up ? 0 : 1}`);
  console.log(
    `files byte-identical      ${before.every((h, i) => h === after[i])} (${files
      .filter((_, i) => before[i] !== 'absent')
      .map((p) => p.slice(app.dataDir.length + 1))
      .join(', ')})`,
  );
  console.log(`time                      ${(f.ms / 1000).toFixed(1)} s`);
  failed =
    !up ||
    f.otherStatus.length > 0 ||
    f.unexpected.length > 0 ||
    before.some((h, i) => h !== after[i]);
  for (const o of f.otherStatus.slice(0, 5)) console.log('other:', o);
  for (const u of f.unexpected.slice(0, 5)) console.log('unexpected:', u);
} finally {
  await app.stop();
  rmSync(project, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
