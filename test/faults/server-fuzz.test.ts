import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, startServe } from '../helpers/serve.ts';
import { runFuzz } from './fuzz.ts';

const hashOf = (path: string): string =>
  existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent';

test('5,000 malformed HTTP requests and 5,000 malformed WebSocket messages (seed 9): the server stays up, answers 4xx or a Result error, and changes no file', async () => {
  const project = mkdtempSync(join(tmpdir(), 'nightshift-fuzz-proj-'));
  const app = await startServe();
  try {
    const client = await ApiClient.connect(app);
    const added = await client.call('projects.add', { name: 'fuzzed', path: project });
    assert.equal(added.ok, true);
    const saved = await client.call('settings.update', {
      windowEndGraceMinutes: 7,
      apiKey: 'sk-fuzz-secret',
    });
    assert.equal(saved.ok, true, JSON.stringify(saved));
    client.close();
    const files = ['nightshift.json', 'secrets.json', 'scheduler-state.json'].map((f) =>
      join(app.dataDir, f),
    );
    const before = files.map(hashOf);

    const figures = await runFuzz({
      origin: app.origin,
      token: app.token,
      seed: 9,
      requests: 5_000,
      messages: 5_000,
    });
    console.log(
      `fuzz seed ${figures.seed}: ${figures.requests} requests (${figures.requestsWithToken} with the token): ${figures.status4xx} answered 4xx, ${figures.closedWithoutAnswer} closed without an answer, ${figures.otherStatus.length} other; ${figures.messages} messages (${figures.messagesWithoutToken} without the token, all refused at the upgrade: ${figures.refusedUpgrades}): ${figures.resultErrors} Result errors, ${figures.unexpected.length} unexpected; ${figures.ms} ms`,
    );
    assert.equal(figures.requests, 5_000);
    assert.ok(figures.requestsWithToken > 1_000, 'many requests carried the right token');
    assert.deepEqual(figures.otherStatus, [], 'no answer other than a 4xx');
    assert.equal(
      figures.status4xx + figures.closedWithoutAnswer,
      5_000,
      'every request was refused',
    );
    assert.ok(figures.status4xx > 4_500, 'nearly all got a status line, not just a closed socket');
    assert.equal(figures.messages, 5_000);
    assert.deepEqual(figures.unexpected, [], 'every message got a Result error');
    assert.equal(figures.resultErrors + figures.refusedUpgrades, 5_000);

    assert.equal(app.child.exitCode, null, 'the server is still running');
    const health = await fetch(`${app.origin}/api/health`, {
      headers: { authorization: `Bearer ${app.token}` },
    });
    assert.equal(health.status, 200, 'and still answers');
    assert.deepEqual(files.map(hashOf), before, 'registry, settings and secrets byte-identical');
    assert.doesNotMatch(app.output(), /failed unexpectedly/, 'no guard had to catch a throw');
  } finally {
    await app.stop();
    rmSync(project, { recursive: true, force: true });
  }
});
