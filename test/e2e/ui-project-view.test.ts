/**
 * The project view against the real `nightshift serve`: real projects in temp folders with real
 * features.db files, agents started by the real supervisor (one by a real schedule) whose
 * events come from the scripted fixture agent (test/fixtures/agents/scripted.ts), and a data dir
 * with an unreadable settings file that the real store recovers from. Every assertion checks what
 * the real app said or wrote: the launch arguments the agent received, the answer stored in
 * features.db, the spec on disk, the registry's overrides, the server's refusals.
 *
 * One test keeps a scripted `window.nightshift`, named as such with its reason: the desktop
 * shell's notification behaviour needs `shell: 'electron'`, which `nightshift serve` never is.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import {
  defaultSettings,
  type AgentState,
  type Project,
  type SettingsView,
} from '../../contract/index.ts';
import { FeaturesDb } from '../../core/features-db.ts';
import { ApiClient } from '../helpers/serve.ts';
import { scheduleOpenNow } from '../fixtures/open-schedule.ts';
import {
  openPage,
  pidAlive,
  processesMentioning,
  removeDirs,
  shot,
  startInUi,
  startUi,
  stopUi,
  tempProject,
  waitUntil,
  type LaunchedBrowser,
  type Served,
} from '../helpers/ui-harness.ts';

// ≈ $0.18 on Opus 4.6: 12k × $5 + 3.4k × $25 + 1k × $6.25 + 50k × $0.50, per million.
const usage = {
  inputTokens: 12_000,
  outputTokens: 3_400,
  cacheReadTokens: 50_000,
  cacheWriteTokens: 1_000,
  costUsd: 0,
};

/** What shop's agent says when it starts: sessions at work, costs, progress and a rate limit. */
const shopScript = {
  lines: Array.from(
    { length: 300 },
    (_, n) => `[${n % 2 ? 'coding-1' : 'regression-1'}] history line ${n}`,
  ),
  events: [
    {
      inMs: -65_000,
      type: 'agent-started',
      agentId: 'coding-1',
      role: 'coding',
      featureId: 13,
      featureName: 'Checkout form',
    },
    {
      inMs: -5_000,
      type: 'agent-started',
      agentId: 'regression-1',
      role: 'regression',
      featureId: 4,
      featureName: 'Login',
    },
    { type: 'activity', agentId: 'coding-1', kind: 'tool', summary: 'Editing src/checkout.tsx' },
    {
      type: 'activity',
      agentId: 'regression-1',
      kind: 'tool',
      summary: 'Running the browser test',
    },
    // Live tokens carry no cost; $3.17 is what the sessions that already ended cost.
    { type: 'cost', agentId: 'coding-1', usage, runTotal: { ...usage, costUsd: 3.17 } },
    {
      type: 'progress',
      progress: { total: 40, passing: 12, inProgress: 2, underTest: 1, blocked: 1, needsHuman: 1 },
    },
    { type: 'rate-limit', state: 'hold', untilInMs: 45 * 60_000, message: 'Rate-limited.' },
  ],
};

const paymentQuestion = {
  prompt: 'Which payment provider should checkout use?',
  fields: [
    {
      id: 'provider',
      label: 'Provider',
      type: 'select' as const,
      options: ['Stripe', 'Adyen'],
      required: true,
    },
    { id: 'sandbox', label: 'Use the sandbox', type: 'boolean' as const },
  ],
};

/** A real features.db: 40 features, 12 passing, #9 waiting for a human, #3 waiting for #9. */
function writeFeatures(projectDir: string): void {
  const db = FeaturesDb.open(join(projectDir, 'features.db'));
  try {
    db.createBulk(
      Array.from({ length: 40 }, (_, n) => ({
        category: 'shop',
        name: n === 8 ? 'Payment provider' : `Feature ${n + 1}`,
        description: `Does thing ${n + 1}.`,
        steps: ['Open the page', 'Click the button'],
      })),
    );
    for (let id = 20; id < 32; id++) db.markPassing(id);
    db.setDependencies(3, [9]);
    db.requestHumanInput(9, paymentQuestion);
  } finally {
    db.close();
  }
}

const readFeature = (projectDir: string, id: number) => {
  const db = FeaturesDb.open(join(projectDir, 'features.db'), { create: false });
  try {
    return db.get(id);
  } finally {
    db.close();
  }
};

const launches = (projectDir: string): { argv: string[]; env: Record<string, string> }[] =>
  readFileSync(join(projectDir, '.fixture', 'launches.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string> });

const flagOf = (argv: string[], name: string) => argv[argv.indexOf(name) + 1];

let served: Served;
let launched: LaunchedBrowser | undefined;
let page: Page;
let problems: string[] = [];
let api: ApiClient | undefined;
let shop: Project;
let blog: Project;
const shopDir = tempProject('ns-ui-shop-');
const blogDir = tempProject('ns-ui-blog-');
// An unreadable settings file: the real store moves it aside and starts from defaults.
const dataDir = mkdtempSync(join(tmpdir(), 'ns-ui-data-'));
writeFileSync(join(dataDir, 'nightshift.json'), '{"version": 1, "projects": [ broken');

async function ok<T>(command: string, input?: unknown): Promise<T> {
  const r = await (api as ApiClient).call<T>(command, input);
  assert.ok(r.ok, `${command}: ${r.ok ? '' : r.error.message}`);
  return r.value;
}

async function statusOf(id: string): Promise<AgentState> {
  return ok<AgentState>('agent.status', { id });
}

async function waitForStatus(id: string, status: string): Promise<AgentState> {
  let last: AgentState | undefined;
  const start = Date.now();
  while (Date.now() - start < 20_000) {
    last = await statusOf(id);
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${id} to be ${status}; it is ${last?.status}`);
}

before(async () => {
  writeFeatures(shopDir);
  writeFeatures(blogDir);
  writeFileSync(join(shopDir, 'fixture-script.json'), JSON.stringify(shopScript));
  writeFileSync(
    join(blogDir, 'fixture-script.json'),
    JSON.stringify({ lines: ['Traceback: boom', 'Error: out of cheese'], exitCode: 1 }),
  );
  writeFileSync(join(shopDir, 'app_spec.txt'), 'Build a shop.');
  const ui = await startUi([], {}, { agent: 'scripted', dataDir });
  ({ served, launched, page, problems } = ui);
  const url = new URL(served.url);
  api = await ApiClient.connect({ origin: url.origin, token: url.searchParams.get('token') ?? '' });
  shop = await ok<Project>('projects.add', {
    name: 'shop',
    path: shopDir,
    overrides: { codingAgents: 3, model: 'claude-opus-4-6' },
  });
  blog = await ok<Project>('projects.add', { name: 'blog', path: blogDir });
  await ok('settings.update', { apiKey: 'sk-ant-e2e-0123456789wxyz' });
  // blog's agent exits with code 1 at once: a real crash.
  await ok('agent.start', { id: blog.id });
  await waitForStatus(blog.id, 'crashed');
  // shop's agent is started by a real schedule whose window is open now.
  await ok('schedules.add', { id: shop.id, schedule: scheduleOpenNow({ label: 'Nights' }) });
  await waitForStatus(shop.id, 'running');
  await page.goto(served.url);
});

after(async () => {
  api?.close();
  try {
    await stopUi(launched, served);
    await waitUntil(
      () => processesMentioning(shopDir).length + processesMentioning(blogDir).length === 0,
      10_000,
      'no agent left in the projects',
    );
  } finally {
    removeDirs(shopDir, blogDir, dataDir);
  }
});

test('the sidebar shows each project with its status in words and its progress', async () => {
  const nav = page.getByRole('navigation', { name: 'Projects' });
  await expect(
    nav.getByRole('button', { name: /shop Status: Running 12 of 40 passing/ }),
  ).toBeVisible();
  await expect(
    nav.getByRole('button', { name: /^blog Status: Crashed \(exit code 1\)/ }),
  ).toBeVisible();
  await expect(nav.getByText('12/40')).toBeVisible();
});

test('the run shows its origin, agent cards with ticking time, cost and the rate limit', async () => {
  await openProject('shop');
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
  // The run total: ended sessions' $3.17 plus the live estimate.
  await expect(page.locator('.run-cost')).toHaveText('≈ $3.35');
  // coding-1's session ends: the SDK's figure replaces the estimate, on the card and in the total.
  const exact = { ...usage, costUsd: 0.21 };
  say(shopDir, {
    type: 'cost',
    agentId: 'coding-1',
    usage: exact,
    runTotal: { ...usage, costUsd: 3.17 + 0.21 },
  });
  await expect(cards.first()).toContainText('66k tokens · $0.21');
  await expect(cards.first()).not.toContainText('≈');
  await expect(page.locator('.run-cost')).toHaveText('$3.38');
  await expect(page.getByRole('progressbar', { name: 'Features passing' })).toHaveAttribute(
    'aria-valuenow',
    '12',
  );
  await shot(page, 'project-running');
});

/** Each test starts from the project it is about, whatever the one before left open. */
async function openProject(name: string): Promise<void> {
  await closeDialogs();
  await page
    .getByRole('navigation')
    .getByRole('button', { name: new RegExp(`^${name}`) })
    .click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

async function closeDialogs(): Promise<void> {
  for (let i = 0; i < 3 && (await page.getByRole('dialog').count()) > 0; i++)
    await page.keyboard.press('Escape');
}

/** Makes a scripted fixture agent print lines (an agent event, or plain text) now. */
function say(projectDir: string, ...lines: (string | Record<string, unknown>)[]): void {
  const text = lines
    .map((l) => (typeof l === 'string' ? l : JSON.stringify({ nsEvent: 1, ts: Date.now(), ...l })))
    .join('\n');
  // The agent polls for the file: it must appear whole, so it is renamed into place.
  writeFileSync(join(projectDir, 'fixture-say.txt.tmp'), `${text}\n`);
  renameSync(join(projectDir, 'fixture-say.txt.tmp'), join(projectDir, 'fixture-say.txt'));
}

test('the log hydrates from history, appends a batch, and filters by agent', async () => {
  const count = page.locator('.log-count');
  await expect(count).toHaveText(/^\d+ lines$/);
  const before = Number((await count.innerText()).split(' ')[0]);
  assert.ok(before >= 300, `the 300 lines of history are there (${before})`);
  say(shopDir, '[coding-2] fresh line A', '[coding-2] fresh line B');
  await expect(count).toHaveText(`${before + 2} lines`);
  await expect(page.getByText('fresh line B')).toBeVisible();
  await page.getByLabel('Show').selectOption('coding-2');
  await expect(count).toHaveText('2 lines');
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
  await expect(page.getByText(/Blocked: .*#9/)).toBeVisible();
  const form = page.getByRole('form', { name: 'Input for feature 9' });
  await expect(form.getByText('Which payment provider should checkout use?')).toBeVisible();
  await form.getByRole('button', { name: 'Send to the agent' }).click();
  await expect(form.getByRole('alert')).toContainText('Provider');
  assert.equal(readFeature(shopDir, 9)?.needsHumanInput, true, 'nothing sent without the field');
  await form.getByLabel('Provider').selectOption('Stripe');
  await form.getByLabel('Use the sandbox').check();
  await form.getByRole('button', { name: 'Send to the agent' }).click();
  // shop's run is held by the rate limit its agent reported, so that is when the answer is used.
  // The form leaves with the feature's "needs human" state; the list keeps the confirmation.
  await expect(page.getByRole('tabpanel').getByRole('status')).toHaveText(
    '#9: Sent. The feature is back in the queue; the agent picks it up when the rate limit resets.',
  );
  await expect(form).toHaveCount(0);
  await shot(page, 'features');
  const answered = readFeature(shopDir, 9);
  assert.equal(answered?.needsHumanInput, false, 'features.db no longer waits for a human');
  assert.deepEqual(answered?.humanInputResponse, { provider: 'Stripe', sandbox: true });
});

test('with no run active, an answer is said to wait for the next run', async () => {
  await openProject('blog');
  await page.getByRole('tab', { name: /Features/ }).click();
  const form = page.getByRole('form', { name: 'Input for feature 9' });
  await form.getByLabel('Provider').selectOption('Adyen');
  await form.getByRole('button', { name: 'Send to the agent' }).click();
  await expect(page.getByRole('tabpanel').getByRole('status')).toHaveText(
    '#9: Sent. The feature is queued for the next run; no agent is running now.',
  );
  assert.deepEqual(readFeature(blogDir, 9)?.humanInputResponse, {
    provider: 'Adyen',
    sandbox: false,
  });
  await page.getByRole('navigation').getByRole('button', { name: /^shop/ }).click();
});

test('the spec loads and saves, and says where it went', async () => {
  await openProject('shop');
  await page.getByRole('tab', { name: 'Spec' }).click();
  const editor = page.getByRole('textbox', { name: 'Spec' });
  await expect(editor).toHaveValue('Build a shop.');
  await editor.fill('Build a shop with a cart.');
  await page.getByRole('button', { name: 'Save spec' }).click();
  const file = join(shopDir, 'app_spec.txt');
  await expect(page.getByText(`Saved to ${file}.`)).toBeVisible();
  assert.equal(readFileSync(file, 'utf8'), 'Build a shop with a cart.');
});

test('the schedules tab shows the real schedule that started the run', async () => {
  await openProject('shop');
  await page.getByRole('tab', { name: 'Schedules' }).click();
  await expect(page.getByRole('tabpanel')).toContainText('Nights');
  await shot(page, 'schedules');
});

test('Start launches the agent with the run settings prefilled from the project over the defaults', async () => {
  // shop's panel is prefilled from its overrides (3 coding agents) over the defaults (1 regression).
  await openProject('shop');
  await expect(page.getByLabel('Coding agents')).toHaveValue('3');
  await expect(page.getByLabel('Regression agents')).toHaveValue('1');
  // The crashed project: shows how it ended, and Start is the way on.
  await ok('projects.update', { id: blog.id, overrides: { regressionAgents: 2 } });
  await page.getByRole('navigation').getByRole('button', { name: /^blog/ }).click();
  await expect(page.getByTestId('status-badge')).toHaveText('Crashed (exit code 1)');
  await expect(page.getByLabel('Last lines before the crash')).toContainText(
    'Error: out of cheese',
  );
  await shot(page, 'crashed');
  await expect(page.getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
  await expect(page.getByLabel('Coding agents')).toHaveValue('1');
  await expect(page.getByLabel('Regression agents')).toHaveValue('2');
  // This time blog's agent keeps running.
  writeFileSync(join(blogDir, 'fixture-script.json'), '{}');
  const before = launches(blogDir).length;
  await startInUi(page);
  await waitUntil(() => launches(blogDir).length > before, 10_000, 'blog’s agent to launch');
  const { argv } = launches(blogDir).at(-1) as { argv: string[] };
  assert.equal(flagOf(argv, '--concurrency'), '1');
  assert.equal(flagOf(argv, '--regression-agents'), '2');
  assert.equal(flagOf(argv, '--model'), defaultSettings.defaults.model);
  assert.equal(flagOf(argv, '--project-dir'), blogDir);
});

test('edit saves overrides in the registry; remove refuses a run started by hand and stops a scheduled one', async () => {
  await openProject('shop');
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
  const stored = (await ok<Project[]>('projects.list')).find((p) => p.id === shop.id);
  assert.deepEqual(stored?.overrides, { model: 'claude-opus-4-6', regressionAgents: 2 });

  // blog's agent was started by hand (the test before), so the real registry refuses; the
  // dialog shows the server's sentence and nothing changes.
  await openProject('blog');
  await expect(page.getByTestId('status-badge')).toHaveText('Running');
  await page.getByRole('button', { name: 'Remove project' }).click();
  const remove = page.getByRole('dialog', { name: 'Remove blog?' });
  await expect(remove).toContainText('The files on disk are kept');
  await remove.getByRole('button', { name: 'Remove project' }).click();
  await expect(remove.getByRole('alert')).toHaveText(/\S/);
  const shown = await remove.getByRole('alert').innerText();
  const refused = await (api as ApiClient).call('projects.remove', { id: blog.id });
  assert.equal(refused.ok, false);
  assert.equal(shown, refused.ok ? '' : refused.error.message);
  assert.match(shown, /blog/);
  assert.ok(
    (await ok<Project[]>('projects.list')).some((p) => p.id === blog.id),
    'blog is still registered',
  );
  assert.equal((await statusOf(blog.id)).status, 'running', 'and its agent still runs');
  await page.keyboard.press('Escape');
  await expect(remove).toHaveCount(0);

  // shop's run was started by its schedule: removing the project stops that run.
  const shopPid = (await statusOf(shop.id)).pid as number;
  assert.ok(pidAlive(shopPid));
  await openProject('shop');
  await page.getByRole('button', { name: 'Remove project' }).click();
  await page
    .getByRole('dialog', { name: 'Remove shop?' })
    .getByRole('button', { name: 'Remove project' })
    .click();
  await expect(page.getByRole('dialog', { name: 'Remove shop?' })).toHaveCount(0);
  await expect(page.getByRole('navigation').getByRole('button', { name: /^shop/ })).toHaveCount(0);
  assert.ok(!(await ok<Project[]>('projects.list')).some((p) => p.id === shop.id));
  await waitUntil(() => !pidAlive(shopPid), 15_000, 'shop’s scheduled run to be stopped');
});

test('settings: recovered-file notice, secret hints, and the server’s error next to its field', async () => {
  await closeDialogs();
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const real = await ok<SettingsView>('settings.get');
  assert.match(real.recoveredFrom ?? '', /nightshift\.json\.unreadable-/);
  await expect(page.getByText(/nightshift\.json\.unreadable-/)).toBeVisible();
  assert.equal(real.secrets.apiKey.set, true);
  await expect(page.getByText(real.secrets.apiKey.hint)).toBeVisible();
  assert.doesNotMatch(
    await page.content(),
    /0123456789wxyz/,
    'the key itself never reaches the page',
  );
  await expect(page.getByRole('button', { name: 'Replace API key' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Set Auth token' })).toBeVisible();
  // The real limit (contract/settings.ts): the server refuses 500 with this sentence.
  const refused = await (api as ApiClient).call('settings.update', { windowEndGraceMinutes: 500 });
  assert.equal(refused.ok, false);
  const sentence = refused.ok ? '' : refused.error.message;
  assert.match(sentence, /The grace period is 0 to 240 minutes/);
  const grace = page.getByLabel('Grace at a window’s end');
  await grace.fill('500');
  await page.getByRole('button', { name: 'Save run limits' }).click();
  await expect(grace).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('The grace period is 0 to 240 minutes')).toBeVisible();
  assert.equal((await ok<SettingsView>('settings.get')).windowEndGraceMinutes, 10, 'unchanged');
  await shot(page, 'settings-error');
  await grace.fill('240');
  await page.getByRole('button', { name: 'Save run limits' }).click();
  await expect(page.getByText('Run limits saved.')).toBeVisible();
  assert.equal((await ok<SettingsView>('settings.get')).windowEndGraceMinutes, 240);
  const onDisk = JSON.parse(readFileSync(join(dataDir, 'nightshift.json'), 'utf8')) as {
    settings: { windowEndGraceMinutes: number };
  };
  assert.equal(onDisk.settings.windowEndGraceMinutes, 240, 'saved in the data dir');
  assert.deepEqual(problems, [], 'no errors in the page');
});

test('a new schedule’s time zone defaults to this machine’s', async () => {
  // The page's zone is the machine's the browser runs on; a context in Tokyo stands for one.
  const context = await (launched as LaunchedBrowser).browser.newContext({
    timezoneId: 'Asia/Tokyo',
  });
  try {
    const tokyo = await context.newPage();
    await tokyo.goto(served.url);
    await tokyo.getByRole('navigation').getByRole('button', { name: /^blog/ }).click();
    await tokyo.getByRole('tab', { name: 'Schedules' }).click();
    await tokyo.getByRole('tabpanel').getByRole('button', { name: 'Add schedule' }).click();
    await expect(tokyo.getByLabel('Time zone')).toHaveValue('Asia/Tokyo');
  } finally {
    await context.close();
  }
});

/**
 * SCRIPTED API, on purpose: what the renderer does with notifications in the desktop app
 * (`app.info` says `shell: 'electron'`) cannot be reached through `nightshift serve`, whose shell
 * is always 'browser'. The scripted `window.nightshift` answers the few queries the page makes
 * and lets the test emit main's events; the main side of the same flow (a notification click
 * navigating) is tested against the real app in test/electron/shell-wiring.test.ts.
 */
function installDesktopShellApi(fx: { projects: Project[]; settings: SettingsView }): void {
  type Handler = (payload: unknown) => void;
  const handlers = new Map<string, Set<Handler>>();
  const w = window as unknown as Record<string, unknown>;
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
    'agent.statusAll': () => ok([]),
    'settings.get': () => ok(fx.settings),
    'settings.models': () => ok([]),
    'agent.logs': () => ok([]),
    'schedules.status': () => ok([]),
  };
  w.nightshift = {
    call: new Proxy(
      {},
      {
        get:
          (_t, command: string) =>
          (input: Record<string, unknown> = {}) =>
            Promise.resolve(
              answers[command]?.(input) ?? {
                ok: false,
                error: { code: 'unsupported', message: `Not scripted: ${command}.` },
              },
            ),
      },
    ),
    on: (event: string, handler: Handler) => {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler);
      return () => set.delete(handler);
    },
  };
}

test('scripted desktop shell: notifications stay with the OS; app.navigate opens the project', async () => {
  const desktop = await openPage();
  try {
    const view = desktop.page;
    const settings = await ok<SettingsView>('settings.get');
    const projects = await ok<Project[]>('projects.list');
    await view.addInitScript(installDesktopShellApi, { projects, settings });
    await view.goto(served.url);
    const emit = (event: string, payload: unknown) =>
      view.evaluate(
        ([e, p]) => (window as unknown as { __emit: (e: string, p: unknown) => void }).__emit(e, p),
        [event, payload] as const,
      );
    await view.getByRole('button', { name: 'Settings', exact: true }).click();
    await expect(view.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await emit('app.notification', {
      kind: 'agent-crashed',
      title: 'blog: the agent crashed',
      body: 'It exited with code 1.',
      projectId: blog.id,
    });
    await emit('app.navigate', { projectId: 'nope' });
    await expect(view.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
    await emit('app.navigate', { projectId: blog.id });
    await expect(view.getByRole('heading', { level: 1, name: 'blog' })).toBeVisible();
    await expect(
      view.getByRole('navigation').getByRole('button', { name: /^blog/ }),
    ).toHaveAttribute('aria-current', 'page');
    // Main showed a desktop notification; the page does not show it a second time.
    await expect(view.getByText('blog: the agent crashed')).toHaveCount(0);
    await expect(view.getByRole('button', { name: 'Open project' })).toHaveCount(0);
    assert.deepEqual(desktop.problems, [], 'no errors in the page');
  } finally {
    await desktop.launched.close();
  }
});
