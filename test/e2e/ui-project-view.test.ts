/**
 * The renderer against a scripted `window.nightshift` (what the Electron preload would provide):
 * the built UI in Chromium, with data the server cannot produce on demand yet — live agent cards,
 * a rate limit, blocked features, a human-input request, a crash, a recovered settings file — and
 * the commands the UI sends in answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import type {
  AgentState,
  FeatureView,
  Project,
  RunView,
  SettingsView,
} from '../../contract/index.ts';
import {
  defaultSettings,
  formatAgentEventLine,
  knownModels,
  parseAgentEventLine,
  type AgentEvent,
  type AgentEventInput,
} from '../../contract/index.ts';
import { reduceRunView, runViewFromEvents } from '../../main/services/run-view.ts';
import {
  removeDirs,
  shot,
  startUi,
  stopUi,
  type LaunchedBrowser,
  type Served,
} from './ui-harness.ts';

const now = Date.now();
const project: Project = {
  id: 'p1',
  name: 'shop',
  path: '/home/dev/shop',
  createdAt: new Date(now - 86_400_000).toISOString(),
  overrides: { codingAgents: 3 },
  schedules: [],
};
const other: Project = {
  ...project,
  id: 'p2',
  name: 'blog',
  path: '/home/dev/blog',
  overrides: {},
};
// ≈ $0.18 on Opus 4.6: 12k × $5 + 3.4k × $25 + 1k × $6.25 + 50k × $0.50, per million.
const usage = {
  inputTokens: 12_000,
  outputTokens: 3_400,
  cacheReadTokens: 50_000,
  cacheWriteTokens: 1_000,
  costUsd: 0,
};
const running: AgentState = {
  projectId: 'p1',
  status: 'running',
  pauseKind: null,
  pid: 4242,
  runId: 'r1',
  startedAt: new Date(now - 125_000).toISOString(),
  origin: 'schedule',
  adopted: false,
  settings: { model: 'claude-opus-4-6', yolo: false, codingAgents: 3, regressionAgents: 1 },
  exit: null,
  canFreeze: true,
  message: 'Agent started by the schedule “Nights”.',
};
const crashed: AgentState = {
  ...running,
  projectId: 'p2',
  status: 'crashed',
  pid: null,
  origin: null,
  startedAt: null,
  exit: {
    code: 1,
    signal: null,
    at: new Date(now - 60_000).toISOString(),
    lastLines: ['Traceback: boom', 'Error: out of cheese'],
  },
  message: 'The agent crashed.',
};
/** Agent events as the agent would write them, at given times. */
const at = (ts: number, e: AgentEventInput): AgentEvent =>
  parseAgentEventLine(formatAgentEventLine(e, ts))!;
const runEvents: AgentEvent[] = [
  at(now - 125_000, { type: 'run-state', phase: 'starting', message: 'Starting' }),
  at(now - 120_000, { type: 'run-state', phase: 'working', message: '' }),
  at(now - 65_000, {
    type: 'agent-started',
    agentId: 'coding-1',
    role: 'coding',
    featureId: 13,
    featureName: 'Checkout form',
  }),
  at(now - 5_000, {
    type: 'agent-started',
    agentId: 'regression-1',
    role: 'regression',
    featureId: 4,
    featureName: 'Login',
  }),
  at(now - 4_000, {
    type: 'activity',
    agentId: 'coding-1',
    kind: 'tool',
    summary: 'Editing src/checkout.tsx',
  }),
  at(now - 3_000, {
    type: 'activity',
    agentId: 'regression-1',
    kind: 'tool',
    summary: 'Running the browser test',
  }),
  // Live tokens carry no cost; $3.17 is what the sessions that already ended cost.
  at(now - 2_000, {
    type: 'cost',
    agentId: 'coding-1',
    usage,
    runTotal: { ...usage, costUsd: 3.17 },
  }),
  at(now - 1_000, {
    type: 'progress',
    progress: { total: 40, passing: 12, inProgress: 2, underTest: 1, blocked: 1, needsHuman: 1 },
  }),
  at(now - 500, {
    type: 'rate-limit',
    state: 'hold',
    until: now + 45 * 60_000,
    message: 'Rate-limited.',
  }),
];
// The view main derives from those events for a run on Opus 4.6.
const runView: RunView = runViewFromEvents('p1', runEvents, 'claude-opus-4-6');

const feature = (
  id: number,
  state: FeatureView['state'],
  patch: Partial<FeatureView> = {},
): FeatureView => ({
  id,
  priority: id,
  category: 'shop',
  name: `Feature ${id}`,
  description: `Does thing ${id}.`,
  steps: ['Open the page', 'Click the button'],
  dependencies: [],
  state,
  blockedReason: null,
  attempts: 0,
  lastError: null,
  humanInput: null,
  ...patch,
});
const features: FeatureView[] = [
  feature(1, 'passing'),
  feature(2, 'pending'),
  feature(3, 'blocked', { blockedReason: 'Waits for #9, which needs your input.' }),
  feature(9, 'needs-human', {
    name: 'Payment provider',
    humanInput: {
      prompt: 'Which payment provider should checkout use?',
      fields: [
        {
          id: 'provider',
          label: 'Provider',
          type: 'select',
          options: ['Stripe', 'Adyen'],
          required: true,
        },
        { id: 'sandbox', label: 'Use the sandbox', type: 'boolean' },
      ],
    },
  }),
  feature(13, 'in-progress'),
];
const settings: SettingsView = {
  ...defaultSettings,
  secrets: { apiKey: { set: true, hint: 'sk-a…wxyz' }, authToken: { set: false, hint: '' } },
  recoveredFrom: '/home/dev/.config/nightshift/settings.json.broken-1',
};

interface Fixture {
  projects: Project[];
  agents: AgentState[];
  runViews: RunView[];
  features: FeatureView[];
  settings: SettingsView;
  models: { id: string; name: string; custom: boolean }[];
}

/** Runs in the page before the app: a scripted `window.nightshift` that records every call. */
function installFakeApi(fx: Fixture): void {
  type Handler = (payload: unknown) => void;
  const handlers = new Map<string, Set<Handler>>();
  const calls: { command: string; input: unknown }[] = [];
  const w = window as unknown as Record<string, unknown>;
  w.__calls = calls;
  w.__emit = (event: string, payload: unknown) => {
    for (const h of handlers.get(event) ?? []) h(payload);
  };
  const ok = (value: unknown) => ({ ok: true, value });
  const answers: Record<string, (input: Record<string, unknown>) => unknown> = {
    'app.info': () =>
      ok({
        version: '0.1.0',
        shell: 'electron',
        platform: 'linux',
        dataDir: '/d',
        canPickFolder: true,
      }),
    'projects.list': () => ok(fx.projects),
    'agent.statusAll': () => ok(fx.agents),
    'settings.get': () => ok(fx.settings),
    'settings.models': () => ok(fx.models),
    'agent.runView': (i) => {
      const v = fx.runViews.find((r) => r.projectId === i.id);
      return ok(
        v ?? {
          projectId: i.id,
          model: null,
          phase: null,
          phaseMessage: null,
          progress: null,
          agents: [],
          runTotal: null,
          endedWithoutCost: { usd: 0, estimated: false, unknownSessions: 0 },
          runCost: null,
          rateLimitedUntil: null,
          lastError: null,
        },
      );
    },
    'agent.logs': (i) =>
      ok(
        i.id === 'p1'
          ? Array.from({ length: 300 }, (_, n) => ({
              seq: n,
              ts: Date.now(),
              text: `history line ${n}`,
              agent: n % 2 ? 'coding-1' : 'regression-1',
            }))
          : [],
      ),
    'features.list': () => ok({ features: fx.features, dbPath: '/home/dev/shop/features.db' }),
    'features.resolveHumanInput': (i) => ok({ featureId: i.featureId }),
    'spec.get': () => ok({ text: 'Build a shop.', path: '/home/dev/shop/app_spec.txt' }),
    'spec.save': () => ok({ path: '/home/dev/shop/app_spec.txt' }),
    'projects.remove': () => ({
      ok: false,
      error: { code: 'busy', message: 'Stop the agent of shop before removing the project.' },
    }),
    'projects.update': (i) => {
      const p = fx.projects.find((x) => x.id === i.id);
      return ok({ ...p, ...i });
    },
    'settings.update': (i) =>
      'windowEndGraceMinutes' in i && (i.windowEndGraceMinutes as number) > 240
        ? {
            ok: false,
            error: {
              code: 'invalid-input',
              message: 'windowEndGraceMinutes: The grace period is 0 to 240 minutes.',
              field: 'windowEndGraceMinutes',
            },
          }
        : ok({ ...fx.settings, ...i, recoveredFrom: null }),
    'schedules.status': () => ok([]),
    'containment.status': () =>
      ok({
        sandbox: 'on',
        reason: null,
        allowUnsandboxed: false,
        canStart: true,
        project: {
          extraDomains: [],
          extraWritePaths: [],
          extraEnv: [],
          trustProjectSettings: false,
        },
      }),
  };
  const call = new Proxy(
    {},
    {
      get:
        (_t, command: string) =>
        (input: Record<string, unknown> = {}) => {
          calls.push({ command, input });
          const answer = answers[command];
          return Promise.resolve(
            answer
              ? answer(input)
              : { ok: false, error: { code: 'unsupported', message: `No fake for ${command}.` } },
          );
        },
    },
  );
  w.nightshift = {
    call,
    on: (event: string, handler: Handler) => {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
  };
}

let served: Served;
let launched: LaunchedBrowser | undefined;
let page: Page;
let problems: string[] = [];

const calls = (command: string) =>
  page.evaluate(
    (c) =>
      ((window as unknown as { __calls: { command: string; input: unknown }[] }).__calls ?? [])
        .filter((x) => x.command === c)
        .map((x) => x.input),
    command,
  );

before(async () => {
  const ui = await startUi([]);
  ({ served, launched, page, problems } = ui);
  const fixture: Fixture = {
    projects: [project, other],
    agents: [running, crashed],
    runViews: [runView],
    features,
    settings,
    models: knownModels.map((m) => ({ ...m, custom: false })),
  };
  await page.addInitScript(installFakeApi, fixture);
  await page.goto(served.url);
});

after(async () => {
  await stopUi(launched, served);
  removeDirs(served.dataDir);
});

test('the sidebar shows each project with its status in words and its progress', async () => {
  const nav = page.getByRole('navigation', { name: 'Projects' });
  await expect(
    nav.getByRole('button', { name: /shop Status: Running 12 of 40 passing/ }),
  ).toBeVisible();
  await expect(
    nav.getByRole('button', { name: /^blog Status: Crashed \(exit code 1\)$/ }),
  ).toBeVisible();
  await expect(nav.getByText('12/40')).toBeVisible();
});

test('the run shows its origin, agent cards with ticking time, cost and the rate limit', async () => {
  await expect(page.getByTestId('status-badge')).toHaveText('Running');
  await expect(page.getByText('Started by schedule')).toBeVisible();
  const cards = page.getByRole('list', { name: 'Agents working now' }).getByRole('listitem');
  await expect(cards).toHaveCount(2);
  await expect(cards.first()).toContainText('Coding');
  await expect(cards.first()).toContainText('#13 Checkout form');
  await expect(cards.first()).toContainText('Editing src/checkout.tsx');
  // Live: tokens and an estimate marked as such, while the regression agent has reported nothing.
  await expect(cards.first()).toContainText('66k tokens · ≈ $0.18');
  await expect(cards.nth(1)).toContainText('No usage reported yet');
  const elapsed = cards.nth(1).locator('.agent-elapsed');
  const first = await elapsed.innerText();
  await expect.poll(() => elapsed.innerText(), { timeout: 3000 }).not.toBe(first);
  await expect(page.getByText(/Rate-limited until \d\d:\d\d/)).toBeVisible();
  await expect(page.getByText('new sessions resume by themselves')).toBeVisible();
  await expect(page.getByText('12/40', { exact: true }).last()).toBeVisible();
  // The run total: ended sessions' $3.17 plus the live estimate.
  await expect(page.locator('.run-cost')).toHaveText('≈ $3.35');
  // coding-1's session ends: the SDK's figure replaces the estimate, on the card and in the total.
  const exact = { ...usage, costUsd: 0.21 };
  const settled = reduceRunView(
    runView,
    at(Date.now(), {
      type: 'cost',
      agentId: 'coding-1',
      usage: exact,
      runTotal: { ...usage, costUsd: 3.17 + 0.21 },
    }),
  );
  await page.evaluate(
    (v) =>
      (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit('agent.runView', v),
    settled,
  );
  await expect(cards.first()).toContainText('66k tokens · $0.21');
  await expect(cards.first()).not.toContainText('≈');
  await expect(page.locator('.run-cost')).toHaveText('$3.38');
  await expect(page.getByRole('progressbar', { name: 'Features passing' })).toHaveAttribute(
    'aria-valuenow',
    '12',
  );
  await shot(page, 'project-running');
});

test('the log hydrates from history, appends a batch, and filters by agent', async () => {
  await expect(page.locator('.log-count')).toHaveText('300 lines');
  await page.evaluate(() => {
    const emit = (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit;
    emit('agent.log', {
      projectId: 'p1',
      lines: [
        { seq: 300, ts: Date.now(), text: 'fresh line A', agent: 'coding-2' },
        { seq: 301, ts: Date.now(), text: 'fresh line B', agent: 'coding-2' },
      ],
    });
  });
  await expect(page.locator('.log-count')).toHaveText('302 lines');
  await expect(page.getByText('fresh line B')).toBeVisible();
  await page.getByLabel('Show').selectOption('coding-2');
  await expect(page.locator('.log-count')).toHaveText('2 lines');
  await page.getByLabel('Show').selectOption('');
  // Scrolling up stops following and offers a way back.
  await page.getByRole('log', { name: 'Log lines' }).evaluate((el) => (el.scrollTop = 0));
  await expect(page.getByRole('button', { name: 'Jump to latest' })).toBeVisible();
  await page.getByRole('button', { name: 'Jump to latest' }).click();
  await expect(page.getByText('fresh line B')).toBeVisible();
});

test('features are grouped by state; blocked say why; a human answers an input request', async () => {
  await page.getByRole('tab', { name: /Features/ }).click();
  await expect(page.getByRole('heading', { name: /Needs human input/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Blocked/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /In progress/ })).toBeVisible();
  await expect(page.getByText('Blocked: Waits for #9, which needs your input.')).toBeVisible();
  const form = page.getByRole('form', { name: 'Input for feature 9' });
  await expect(form.getByText('Which payment provider should checkout use?')).toBeVisible();
  await form.getByRole('button', { name: 'Send to the agent' }).click();
  await expect(form.getByRole('alert')).toContainText('Provider');
  assert.equal(
    (await calls('features.resolveHumanInput')).length,
    0,
    'nothing sent without the required field',
  );
  await form.getByLabel('Provider').selectOption('Stripe');
  await form.getByLabel('Use the sandbox').check();
  await form.getByRole('button', { name: 'Send to the agent' }).click();
  // shop's run is held by the rate limit, so that is when the answer is used.
  await expect(form.getByRole('status')).toHaveText(
    'Sent. The feature is back in the queue; the agent picks it up when the rate limit resets.',
  );
  await shot(page, 'features');
  assert.deepEqual(await calls('features.resolveHumanInput'), [
    { id: 'p1', featureId: 9, values: { provider: 'Stripe', sandbox: true } },
  ]);
});

test('with no run active, an answer is said to wait for the next run', async () => {
  await page.getByRole('navigation').getByRole('button', { name: /^blog/ }).click();
  await page.getByRole('tab', { name: /Features/ }).click();
  const form = page.getByRole('form', { name: 'Input for feature 9' });
  await form.getByLabel('Provider').selectOption('Adyen');
  await form.getByRole('button', { name: 'Send to the agent' }).click();
  await expect(form.getByRole('status')).toHaveText(
    'Sent. The feature is queued for the next run; no agent is running now.',
  );
  await page.getByRole('navigation').getByRole('button', { name: /^shop/ }).click();
});

test('the spec loads and saves, and says where it went', async () => {
  await page.getByRole('tab', { name: 'Spec' }).click();
  const editor = page.getByRole('textbox', { name: 'Spec' });
  await expect(editor).toHaveValue('Build a shop.');
  await editor.fill('Build a shop with a cart.');
  await page.getByRole('button', { name: 'Save spec' }).click();
  await expect(page.getByText('Saved to /home/dev/shop/app_spec.txt.')).toBeVisible();
  assert.deepEqual(await calls('spec.save'), [{ id: 'p1', text: 'Build a shop with a cart.' }]);
});

test('the schedules tab mounts the schedule editor', async () => {
  await page.getByRole('tab', { name: 'Schedules' }).click();
  await expect(page.getByRole('tabpanel')).not.toBeEmpty();
  await expect(page.getByRole('tabpanel')).not.toContainText('No fake for');
  await shot(page, 'schedules');
});

test('Start sends the run settings prefilled from the project over the defaults', async () => {
  // The crashed project: shows how it ended, and Start is the way on.
  await page.getByRole('navigation').getByRole('button', { name: /^blog/ }).click();
  await expect(page.getByTestId('status-badge')).toHaveText('Crashed (exit code 1)');
  await expect(page.getByLabel('Last lines before the crash')).toContainText(
    'Error: out of cheese',
  );
  await shot(page, 'crashed');
  await expect(page.getByRole('button', { name: 'Start', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
  await page.getByRole('navigation').getByRole('button', { name: /^shop/ }).click();
  await expect(page.getByLabel('Coding agents')).toHaveValue('3');
  await expect(page.getByLabel('Regression agents')).toHaveValue('1');
});

test('edit sends overrides; remove shows the server’s refusal', async () => {
  await page.getByRole('button', { name: 'Edit project' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit shop' });
  await expect(dialog).toBeVisible();
  await shot(page, 'edit-dialog');
  // Focus stays inside: Tab from the last control wraps to the first, Shift+Tab back.
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await dialog.getByRole('button', { name: 'Save changes' }).focus();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Save changes' })).toBeFocused();
  await dialog.getByLabel('Regression agents').selectOption('2');
  await dialog.getByLabel('Coding agents').selectOption({ label: 'Use global default (1)' });
  await dialog.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog).toHaveCount(0);
  assert.deepEqual(await calls('projects.update'), [
    { id: 'p1', name: 'shop', path: '/home/dev/shop', overrides: { regressionAgents: 2 } },
  ]);

  await page.getByRole('button', { name: 'Remove project' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove shop?' });
  await expect(remove).toContainText('The files on disk are kept');
  await remove.getByRole('button', { name: 'Remove project' }).click();
  await expect(remove.getByRole('alert')).toHaveText(
    'Stop the agent of shop before removing the project.',
  );
  await page.keyboard.press('Escape');
  await expect(remove).toHaveCount(0);
});

test('settings: recovered-file notice, secret hints, and an error next to its field', async () => {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await expect(page.getByText('settings.json.broken-1')).toBeVisible();
  await expect(page.getByText('sk-a…wxyz')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Replace API key' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Set Auth token' })).toBeVisible();
  const grace = page.getByLabel('Grace at a window’s end');
  await grace.fill('500');
  await page.getByRole('button', { name: 'Save run limits' }).click();
  await expect(grace).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The grace period is 0 to 240 minutes.')).toBeVisible();
  await shot(page, 'settings-error');
  await grace.fill('20');
  await page.getByRole('button', { name: 'Save run limits' }).click();
  await expect(page.getByText('Run limits saved.')).toBeVisible();
  assert.deepEqual(problems, [], 'no errors in the page');
});

test('in the desktop app notifications stay with the OS; app.navigate opens the project', async () => {
  const emit = (event: string, payload: unknown) =>
    page.evaluate(
      ([e, p]) => (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit(e, p),
      [event, payload] as const,
    );
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await emit('app.notification', {
    kind: 'agent-crashed',
    title: 'blog: the agent crashed',
    body: 'It exited with code 1.',
    projectId: 'p2',
  });
  await emit('app.navigate', { projectId: 'nope' });
  await expect(page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await emit('app.navigate', { projectId: 'p2' });
  await expect(page.getByRole('heading', { level: 1, name: 'blog' })).toBeVisible();
  await expect(page.getByRole('navigation').getByRole('button', { name: /^blog/ })).toHaveAttribute(
    'aria-current',
    'page',
  );
  // Main showed a desktop notification; the page does not show it a second time.
  await expect(page.getByText('blog: the agent crashed')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Open project' })).toHaveCount(0);
  assert.deepEqual(problems, [], 'no errors in the page');
});
