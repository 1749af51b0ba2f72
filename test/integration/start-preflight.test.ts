/**
 * Start refuses, with a sentence and without spawning or locking anything, when Nightshift's
 * orchestrator would have nothing to work from: no spec and no features. A spec anywhere the
 * reference keeps one, an existing features database with rows, or autocoder's legacy JSON list
 * is enough.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentState, Result } from '../../contract/index.ts';
import { lockPath } from '../../core/run-log.ts';
import { orchestratorPreflight } from '../../core/run-preflight.ts';
import { createReferenceDb } from '../fixtures/reference-db.ts';
import { caller, createBrowserApp } from '../helpers/browser-app.ts';

const noSpec = /^There is no app spec yet\. Write one in the Spec tab/;

test('the orchestrator preflight: a spec, features or the legacy list let it start', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'ns-preflight-'));
    dirs.push(d);
    return d;
  };
  try {
    assert.match(orchestratorPreflight(dir()) ?? '', noSpec, 'an empty folder');
    const empty = dir();
    writeFileSync(join(empty, 'app_spec.txt'), '  \n');
    assert.match(orchestratorPreflight(empty) ?? '', noSpec, 'a blank spec is no spec');
    const withSpec = dir();
    writeFileSync(join(withSpec, 'app_spec.txt'), 'A notes app\n');
    assert.equal(orchestratorPreflight(withSpec), null);
    const prompts = dir();
    mkdirSync(join(prompts, '.autocoder', 'prompts'), { recursive: true });
    writeFileSync(join(prompts, '.autocoder', 'prompts', 'app_spec.txt'), 'A notes app\n');
    assert.equal(orchestratorPreflight(prompts), null, 'the reference keeps specs in prompts/');
    const noRows = dir();
    createReferenceDb(join(noRows, 'features.db'), []);
    assert.match(orchestratorPreflight(noRows) ?? '', noSpec, 'a database without features');
    const rows = dir();
    createReferenceDb(join(rows, '.autoforge', 'features.db'), [{ id: 1, name: 'Layout' }], {
      flavor: 'autoforge',
    });
    assert.equal(orchestratorPreflight(rows), null, 'an AutoForge backlog continues');
    const legacy = dir();
    writeFileSync(join(legacy, 'feature_list.json'), '[]');
    assert.equal(orchestratorPreflight(legacy), null);
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('Start without a spec answers with the sentence; nothing is locked or spawned', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ns-preflight-data-'));
  const project = mkdtempSync(join(tmpdir(), 'ns-preflight-project-'));
  const spawned = join(dataDir, 'spawned');
  // An agent that leaves a mark if it is ever started.
  const agent = join(dataDir, 'agent.mjs');
  writeFileSync(
    agent,
    `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(spawned)}, 'x');`,
  );
  const app = await createBrowserApp(dataDir, agent, undefined, orchestratorPreflight);
  try {
    const call = caller(app);
    const p = await call<{ id: string }>('projects.add', { name: 'blank', path: project });
    const r = (await app.dispatch('agent.start', { id: p.id })) as Result<AgentState>;
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.code, 'conflict');
      assert.match(r.error.message, noSpec);
    }
    assert.equal(app.supervisor.state(p.id).status, 'stopped');
    assert.equal(existsSync(lockPath(project)), false, 'no lock was taken');
    await new Promise((done) => setTimeout(done, 300));
    assert.equal(existsSync(spawned), false, 'no agent was spawned');

    writeFileSync(join(project, 'app_spec.txt'), 'A notes app\n');
    // The real orchestrator's other start checks: credentials, and a sandbox or leave to skip it.
    await call('settings.update', { apiKey: 'sk-ant-test-key', allowUnsandboxedRuns: true });
    const started = (await app.dispatch('agent.start', { id: p.id })) as Result<AgentState>;
    assert.equal(started.ok, true, started.ok ? '' : started.error.message);
    for (let i = 0; i < 100 && !existsSync(spawned); i++)
      await new Promise((d) => setTimeout(d, 50));
    assert.equal(existsSync(spawned), true, 'with a spec the agent starts');
  } finally {
    await app.shutdown('stop-agents');
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  }
});
