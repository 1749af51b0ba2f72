/**
 * The set-up the app-level tests share: a temporary root holding the app's data folder and one
 * project folder, the fixture agent's environment for one test only, and a project added through
 * the WebSocket API (its id, or the test fails with the answer).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from './serve.ts';

export interface AppFolders {
  root: string;
  /** `<root>/data`, created. */
  dataDir: string;
  /** `<root>/<projectName>`, created and empty. */
  project: string;
  /** Removes the root; register it after whatever must stop first (t.after runs in order). */
  remove: () => void;
}

export function appFolders(prefix: string, projectName = 'shop'): AppFolders {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, 'data');
  const project = join(root, projectName);
  mkdirSync(dataDir);
  mkdirSync(project);
  return { root, dataDir, project, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Sets `vars` in this process's environment (which the agents it starts inherit) until the test ends. */
export function envForTest(
  t: { after: (fn: () => void) => void },
  vars: Record<string, string>,
): void {
  Object.assign(process.env, vars);
  t.after(() => {
    for (const name of Object.keys(vars)) delete process.env[name];
  });
}

/** Adds the project through the API and answers its id; any refusal fails the test with it. */
export async function addProject(api: ApiClient, name: string, path: string): Promise<string> {
  const added = await api.call<{ id: string }>('projects.add', { name, path });
  assert.ok(added.ok, JSON.stringify(added));
  return added.value.id;
}
