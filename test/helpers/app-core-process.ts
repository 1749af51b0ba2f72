/**
 * The app core (createNodeApp, as `nightshift serve` builds it, without the HTTP shell) in a
 * plain Node process standing in for Electron's main, driven over stdin/stdout with one JSON
 * line per command: `{"id":1,"name":"agent.start","input":{…}}` → `{"id":1,"result":{…}}`.
 * Started by test/helpers/app-core-trial.ts, which SIGKILLs it mid-run.
 *
 *   node test/helpers/app-core-process.ts <data dir>
 */
import { createInterface } from 'node:readline';
import { createNodeApp } from '../../main/server/node-app.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('Usage: app-core-process.ts <data dir>');
const app = await createNodeApp({ dataDir });
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { id, name, input } = JSON.parse(line) as { id: number; name: string; input: unknown };
  void app.dispatch(name, input).then((result) => {
    process.stdout.write(`${JSON.stringify({ id, result })}\n`);
  });
});
lines.on('close', () => {
  void app.shutdown('stop-agents').then(() => process.exit(0));
});
