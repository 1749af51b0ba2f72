/**
 * `backlog.expand`: "Expand the project". The addendum is appended to the spec under a dated
 * heading and queued for the project's agent (core/expansion-queue.ts). While a run goes, that
 * run takes it up before its next claim; otherwise an agent is started in `expand` mode, which
 * runs one expander session per queued addendum and ends. Either way the project keeps one agent
 * process: an expansion never starts a second one beside a run.
 */
import { existsSync } from 'node:fs';
import type { ExpandResult } from '../../contract/backlog.ts';
import { err, messageOf, ok, type Result } from '../../contract/result.ts';
import { requestExpansion } from '../../core/expansion-queue.ts';
import { notRegistered } from './not-registered.ts';

export interface ExpandServiceDeps {
  /** The folder of a registered project, or null when the id is unknown. */
  projectDir(projectId: string): string | null;
  /** True while the project's agent runs (starting, running, paused, draining…). */
  isActive(projectId: string): boolean;
  /** Starts the project's agent in `expand` mode; a sentence when it may not start now. */
  startExpansion(projectId: string): Promise<Result<unknown>>;
  now(): number;
}

export function expandHandler(
  deps: ExpandServiceDeps,
): (input: { id: string; addendum: string }) => Promise<Result<ExpandResult>> {
  return async (input) => {
    const dir = deps.projectDir(input.id);
    if (!dir) return notRegistered();
    if (!existsSync(dir))
      return err(
        'not-found',
        `The project folder ${dir} does not exist. Check that the drive is mounted, or edit the project's folder.`,
      );
    let specPath: string;
    try {
      ({ specPath } = requestExpansion(dir, input.addendum, deps.now()));
    } catch (error) {
      return err('io', `Could not save the addendum: ${messageOf(error)}`);
    }
    const saved = `The addendum was added to ${specPath}`;
    if (deps.isActive(input.id))
      return ok({
        started: false,
        specPath,
        message: `${saved}. The running agent adds its features before its next claim.`,
      });
    const started = await deps.startExpansion(input.id);
    if (started.ok)
      return ok({
        started: true,
        specPath,
        message: `${saved}. An expander session is adding its features now.`,
      });
    // A run that started meanwhile takes the request up itself; anything else waits for one.
    if (deps.isActive(input.id))
      return ok({
        started: false,
        specPath,
        message: `${saved}. The running agent adds its features before its next claim.`,
      });
    return ok({
      started: false,
      specPath,
      message: `${saved} and queued, but the expander could not start: ${started.error.message} The next run of the agent adds its features.`,
    });
  };
}
