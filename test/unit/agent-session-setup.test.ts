/**
 * Session set-up per role (agent/session-setup.ts): the tools each role may use, when the browser
 * is offered, and the pinned Playwright MCP server started from node_modules (nothing fetched).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  allowedToolsFor,
  BUILTIN_TOOLS,
  PLAYWRIGHT_TOOLS,
  playwrightServer,
  usesBrowser,
} from '../../agent/session-setup.ts';

test('the browser goes to coding and regression sessions only, never in YOLO mode or when disabled', () => {
  const on = { browserMcp: true, yolo: false };
  assert.equal(usesBrowser('coding', on), true);
  assert.equal(usesBrowser('regression', on), true);
  assert.equal(usesBrowser('initializer', on), false);
  assert.equal(usesBrowser('coding', { browserMcp: true, yolo: true }), false);
  assert.equal(usesBrowser('coding', { browserMcp: false, yolo: false }), false);
});

test('allowed tools: built-ins, the role’s feature tools, and the browser tools only with the browser', () => {
  const init = allowedToolsFor('initializer', false);
  assert.ok(BUILTIN_TOOLS.every((t) => init.includes(t)));
  assert.ok(init.includes('mcp__features__feature_create_bulk'));
  assert.ok(!init.includes('mcp__features__feature_mark_passing'));
  assert.ok(!init.some((t) => t.startsWith('mcp__playwright__')));
  const coding = allowedToolsFor('coding', true);
  assert.ok(coding.includes('mcp__features__feature_mark_passing'));
  assert.ok(!coding.includes('mcp__features__feature_create_bulk'));
  assert.ok(PLAYWRIGHT_TOOLS.every((t) => coding.includes(t)));
});

test('Playwright MCP is the pinned dependency, started from node_modules with this Node', () => {
  const server = playwrightServer();
  assert.ok(server && server.type === 'stdio');
  assert.equal(server.command, process.execPath);
  assert.ok(!server.args!.some((a) => /@latest|^-y$/.test(a)), 'nothing is fetched at run time');
  const cli = server.args![0]!;
  assert.ok(existsSync(cli), cli);
  const pinned = (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
    }
  ).dependencies['@playwright/mcp'];
  assert.ok(pinned, '@playwright/mcp is a dependency');
  const version = execFileSync(server.command, [cli, '--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...server.env },
  }).trim();
  assert.match(version, /\d+\.\d+\.\d+/);
  assert.ok(
    pinned.includes(version.replace(/^.*?(\d+\.\d+\.\d+).*$/, '$1')),
    `${pinned} vs ${version}`,
  );
});
