/**
 * Containment in the UI, against the real `nightshift serve` with Nightshift's real orchestrator
 * as the agent and no credentials anywhere (an empty home, no key in the environment or Settings):
 * the project view says whether the sandbox is on; trusting the project's `.claude/` settings
 * first shows what they contain; Start refuses with a sentence, locks and spawns nothing, and its
 * button opens Settings at the credentials, which put the API key first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'playwright/test';
import type { Page } from 'playwright-core';
import { noCredentialsMessage } from '../../contract/index.ts';
import { lockPath } from '../../core/run-log.ts';
import { probeSandbox } from '../../core/sandbox-probe.ts';
import { addProjectInUi, tempProject, uiHooks, type Served } from '../helpers/ui-harness.ts';

let served: Served;
let page: Page;
let problems: string[] = [];
const project = tempProject();
const home = tempProject('ns-ui-home-');

writeFileSync(join(project, 'app_spec.txt'), 'A notes app\n- Notes list\n');
mkdirSync(join(project, '.claude'), { recursive: true });
writeFileSync(
  join(project, '.claude', 'settings.json'),
  '{"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"echo from-the-repo"}]}]}}',
);
uiHooks(null, {
  env: {
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_API_KEY: '',
    ANTHROPIC_AUTH_TOKEN: '',
    CLAUDE_CODE_OAUTH_TOKEN: '',
    CLAUDE_CODE_USE_BEDROCK: '',
    CLAUDE_CODE_USE_VERTEX: '',
  },
  started: (ui) => ({ served, page, problems } = ui),
  dirs: [project, home],
});

test('sandbox status, trusting project settings after reading them, and Start without credentials', async () => {
  await page.goto(served.url);
  await addProjectInUi(page, 'contained', project);

  const probe = probeSandbox();
  await expect(page.getByTestId('sandbox-status')).toContainText(
    probe.available ? 'Sandbox: on' : `Sandbox: off: ${probe.reason}`,
  );

  await expect(page.getByText('not trusted, ignored')).toBeVisible();
  await page.getByRole('button', { name: 'Review and trust…' }).click();
  const trust = page.getByRole('dialog', { name: "Trust this project's settings?" });
  await expect(trust.getByText(join('.claude', 'settings.json'))).toBeVisible();
  await expect(trust.getByText(/echo from-the-repo/)).toBeVisible();
  await trust.getByRole('button', { name: 'Trust these settings' }).click();
  await expect(trust).toHaveCount(0);
  await expect(page.getByText('trusted, loaded into sessions')).toBeVisible();

  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page.getByText(noCredentialsMessage).first()).toBeVisible({ timeout: 15_000 });
  assert.equal(existsSync(lockPath(project)), false, 'nothing was locked');
  await page.getByRole('button', { name: 'Open Settings → Provider' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
  const credentials = page.locator('#settings-provider');
  await expect(credentials).toBeInViewport();
  await expect(credentials).toContainText('Recommended: an API key');
  await expect(credentials).toContainText(
    "Anthropic's terms may not allow subscription sign-in for third-party tools",
  );
  assert.deepEqual(problems, []);
});
