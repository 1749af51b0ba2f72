/**
 * Project expansion requests, handed from main to the agent through files: main appends the
 * user's addendum to the spec under a dated heading and queues one request file per expansion in
 * `<project>/.nightshift/expansions/`; the agent process of the project (a run in progress, or an
 * `expand` run started for it) takes the requests in order and removes each once its expander
 * session is done. Files, not a pipe, because the run may have been started by another app
 * instance, or may outlive this one.
 *
 * Invariants: a request file appears whole or not at all (written beside, then renamed); a file
 * that cannot be read as a request is ignored, never fatal.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { findSpec, specPath } from './project-paths.ts';
import { nightshiftDir } from './run-log.ts';

export interface ExpansionRequest {
  id: string;
  addendum: string;
  /** When the user asked (ISO 8601). */
  requestedAt: string;
}

export const expansionQueueDir = (projectDir: string): string =>
  join(nightshiftDir(projectDir), 'expansions');

/** Writes `text` to `path` atomically: a reader sees the old file or the new one, never half. */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    writeFileSync(tmp, text, { mode });
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Queues an expansion; names sort in request order (time first, then a random tail). */
export function queueExpansion(
  projectDir: string,
  addendum: string,
  now: number,
): ExpansionRequest {
  const requestedAt = new Date(now).toISOString();
  const id = `${requestedAt.replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const request: ExpansionRequest = { id, addendum, requestedAt };
  writeFileAtomic(
    join(expansionQueueDir(projectDir), `${id}.json`),
    `${JSON.stringify(request)}\n`,
    0o600,
  );
  return request;
}

function parseRequest(text: string): ExpansionRequest | null {
  try {
    const raw = JSON.parse(text) as Partial<ExpansionRequest>;
    if (
      typeof raw.id !== 'string' ||
      typeof raw.addendum !== 'string' ||
      typeof raw.requestedAt !== 'string'
    )
      return null;
    return { id: raw.id, addendum: raw.addendum, requestedAt: raw.requestedAt };
  } catch {
    return null;
  }
}

/** The queued requests, oldest first. */
export function pendingExpansions(projectDir: string): ExpansionRequest[] {
  let names: string[];
  try {
    names = readdirSync(expansionQueueDir(projectDir));
  } catch {
    return [];
  }
  const out: ExpansionRequest[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    try {
      const request = parseRequest(readFileSync(join(expansionQueueDir(projectDir), name), 'utf8'));
      if (request && `${request.id}.json` === name) out.push(request);
    } catch {
      // Removed between listing and reading: taken by someone else.
    }
  }
  return out;
}

/** Removes a request that was carried out (or given up). */
export function finishExpansion(projectDir: string, id: string): void {
  rmSync(join(expansionQueueDir(projectDir), `${id}.json`), { force: true });
}

/** The heading an addendum gets in the spec, e.g. `## Addendum 2026-12-01 21:44 UTC`. */
export function addendumHeading(now: number): string {
  const iso = new Date(now).toISOString();
  return `## Addendum ${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The spec text with the addendum appended under its dated heading. */
export function withAddendum(spec: string, addendum: string, now: number): string {
  const base = spec.replace(/\s+$/, '');
  return `${base}${base ? '\n\n' : ''}${addendumHeading(now)}\n\n${addendum.trim()}\n`;
}

/** Appends the addendum to the project's spec file (the one the initializer read); its path. */
export function appendAddendumToSpec(projectDir: string, addendum: string, now: number): string {
  const path = findSpec(projectDir) ?? specPath(projectDir);
  let spec = '';
  try {
    spec = readFileSync(path, 'utf8');
  } catch {
    // No spec yet: the addendum starts it.
  }
  writeFileAtomic(path, withAddendum(spec, addendum, now));
  return path;
}

/**
 * What "Expand the project" does to the files: the addendum goes into the spec under a dated
 * heading, then a request is queued for the project's agent. Returns the spec's path.
 */
export function requestExpansion(
  projectDir: string,
  addendum: string,
  now: number,
): { specPath: string; request: ExpansionRequest } {
  const text = addendum.trim();
  const path = appendAddendumToSpec(projectDir, text, now);
  return { specPath: path, request: queueExpansion(projectDir, text, now) };
}
