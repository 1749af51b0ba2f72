/**
 * A budget stops a real run: the real `nightshift serve`, the real agent (agent/cli.ts) with the
 * real Claude Agent SDK and Claude Code, against the fake Anthropic server, which reports usage
 * on every reply. The project's daily budget allows a few sessions of a ten-feature backlog: the
 * run drains and stops by itself, its end reason is the budget, its spend stays within it (the
 * SDK's maxBudgetUsd caps the last session), the stop is a notification and an inbox item, and
 * a new start is refused with the sentence why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboxItem, RunRecord, SessionRecord } from '../../contract/index.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { ApiClient, startServeWithRealAgent } from '../helpers/serve.ts';
import { addProject, appFolders } from '../helpers/app-folders.ts';

const LIMIT = 0.02;

test('a daily budget drains and stops a real run, caps its last session and refuses a new start', async (t) => {
  const { dataDir, project, remove } = appFolders('ns-budget-', 'todo-app');
  writeFileSync(
    join(project, 'app_spec.txt'),
    `Todo app\n${Array.from({ length: 10 }, (_, i) => `- Feature ${i + 1}`).join('\n')}\n`,
  );
  const served = await startServeWithRealAgent(scriptedBrain(), project, { dataDir });
  t.after(async () => {
    await served.stop();
    remove();
  });
  const api = await ApiClient.connect(served);
  try {
    const id = await addProject(api, 'todo-app', project);
    const set = await api.call('budgets.set', {
      scope: id,
      limits: {
        runUsd: null,
        dayUsd: LIMIT,
        monthUsd: null,
        runTokens: null,
        dayTokens: null,
        monthTokens: null,
      },
    });
    assert.ok(set.ok, JSON.stringify(set));
    const started = await api.call('agent.start', {
      id,
      overrides: { codingAgents: 1, regressionAgents: 0, yolo: true },
    });
    assert.ok(started.ok, JSON.stringify(started));

    let runs: RunRecord[] = [];
    const deadline = Date.now() + 150_000;
    for (;;) {
      const r = await api.call<RunRecord[]>('ledger.runs', { id });
      runs = r.ok ? r.value : [];
      if (runs[0]?.endedAt || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const run = runs[0]!;
    const sessions = await api.call<SessionRecord[]>('ledger.sessions', { id, runId: run.runId });
    assert.ok(sessions.ok);
    const detail = JSON.stringify(sessions.value.map((s) => [s.role, s.outcome, s.costUsd]));
    assert.equal(run.endReason, 'budget', `${run.endMessage} ${detail}`);
    assert.match(
      run.endMessage ?? '',
      /todo-app's budget for today \(\$0\.02\) (is spent|would be exceeded by the next session)/,
    );
    assert.ok(run.costUsd > 0, `the SDK reported a cost: ${detail}`);
    // Within the budget but for the last request of a capped session (Claude Code checks the
    // cap between requests).
    assert.ok(run.costUsd <= LIMIT + 0.002, `spent ${run.costUsd}: ${detail}`);
    assert.ok(run.passed < 10, `work was left undone: ${run.passed} passed`);

    const inbox = await api.call<InboxItem[]>('inbox.list', {});
    assert.ok(inbox.ok);
    assert.ok(
      inbox.value.some((i) => i.kind === 'budget' && i.projectId === id),
      JSON.stringify(inbox.value),
    );
    assert.ok(
      api.events.some(
        (e) =>
          e.event === 'app.notification' &&
          (e.payload as { kind: string }).kind === 'budget-stopped',
      ),
      'the stop was a notification',
    );
    const again = await api.call('agent.start', { id });
    assert.equal(again.ok, false);
    assert.match(again.ok ? '' : again.error.message, /todo-app was not started: .*budget/);
  } finally {
    api.close();
  }
});
