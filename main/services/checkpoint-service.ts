/**
 * Checkpoints in main: list a project's checkpoints with what restoring each would change,
 * preview and restore one, prune old ones (at each run's start and once a day), and `git init` a
 * project that has no git.
 *
 * Invariants:
 * - nothing here changes a project's files while its agent has a session that could be writing
 *   them: restore and `git init` are refused unless the agent is stopped, crashed, or paused
 *   after draining (no session left);
 * - one restore or init at a time per project;
 * - every answer that is not a success is a sentence.
 */
import { existsSync, mkdirSync, appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AgentState,
  type CheckpointList,
  type CheckpointPreview,
  type CheckpointRestored,
  type RepositoryStatus,
  type Result,
  err,
  notARepositoryMessage,
  ok,
} from '../../contract/index.ts';
import { isGitRepository, listCheckpoints, runGit, snapshotTree } from '../../core/checkpoints.ts';
import {
  diffTrees,
  isUndoCheckpoint,
  previewRestore,
  restoreCheckpoint,
} from '../../core/checkpoint-restore.ts';
import { keptSentence, pruneCheckpoints, retention } from '../../core/checkpoint-prune.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { Registry } from './registry.ts';
import { notRegistered } from './not-registered.ts';

const DAY_MS = 24 * 60 * 60_000;
const MAX_LISTED_CHANGES = 500;

export interface CheckpointServiceOptions {
  registry: Pick<Registry, 'get' | 'list' | 'settings'>;
  agents: {
    state(projectId: string): AgentState;
    onState(listener: (state: AgentState, previous: AgentState) => void): () => void;
  };
  clock: Clock;
  log(level: 'info' | 'warn', message: string): void;
}

const short = (ref: string): string => ref.split('/').slice(-2).join('/');
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export class CheckpointService {
  private readonly o: CheckpointServiceOptions;
  private readonly busy = new Map<string, Promise<unknown>>();
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(options: CheckpointServiceOptions) {
    this.o = options;
  }

  private maxAgeMs(): number {
    return this.o.registry.settings().checkpointMaxAgeDays * DAY_MS;
  }

  private project(id: string): Result<{ name: string; path: string }> {
    const p = this.o.registry.get(id);
    if (!p) return notRegistered();
    if (!existsSync(p.path))
      return err('not-found', `The folder of ${p.name} (${p.path}) is not there any more.`);
    return ok({ name: p.name, path: p.path });
  }

  /** Null when the project's files may be changed now; else why not, in a sentence. */
  private agentRefusal(id: string, name: string, what: string): string | null {
    const s = this.o.agents.state(id);
    if (s.status === 'stopped' || s.status === 'crashed') return null;
    if (s.status === 'paused' && s.pauseKind === 'drained') return null;
    if (s.status === 'paused')
      return `The agent of ${name} is paused in the middle of a session. Stop it, or resume it and use Drain so it pauses with no session left, before you ${what}.`;
    return `The agent of ${name} is running. Stop it, or drain it until it shows as paused, before you ${what}.`;
  }

  /** One change to a project's files at a time. */
  private serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const prev = this.busy.get(id) ?? Promise.resolve();
    const next = prev.then(work, work);
    this.busy.set(
      id,
      next.catch(() => undefined),
    );
    return next;
  }

  async repository(id: string): Promise<Result<RepositoryStatus>> {
    const p = this.project(id);
    if (!p.ok) return p;
    const repository = await isGitRepository(p.value.path);
    return ok({ repository, message: repository ? null : notARepositoryMessage });
  }

  async list(id: string, featureId?: number): Promise<Result<CheckpointList>> {
    const p = this.project(id);
    if (!p.ok) return p;
    const dir = p.value.path;
    if (!(await isGitRepository(dir))) return ok({ repository: false, checkpoints: [] });
    const all = await listCheckpoints(dir);
    const fates = new Map(
      (await retention(dir, this.maxAgeMs(), this.o.clock.now(), all)).map((r) => [
        r.checkpoint.ref,
        r.retention,
      ]),
    );
    const mine = all.filter((c) => featureId === undefined || c.featureId === featureId);
    const now = mine.length > 0 ? await snapshotTree(dir) : null;
    const checkpoints = await Promise.all(
      mine.map(async (c) => {
        const d = now?.ok ? await diffTrees(dir, now.tree, c.tree) : null;
        return {
          ref: c.ref,
          commit: c.commit,
          runId: c.runId,
          featureId: c.featureId,
          attempt: c.attempt,
          createdAt: c.createdAt,
          kind: isUndoCheckpoint(c.runId) ? ('undo' as const) : ('session' as const),
          stat: d?.ok
            ? { files: d.diff.files, insertions: d.diff.insertions, deletions: d.diff.deletions }
            : null,
          kept: fates.get(c.ref) === 'holds-work' ? keptSentence : null,
        };
      }),
    );
    return ok({ repository: true, checkpoints });
  }

  async preview(id: string, ref: string): Promise<Result<CheckpointPreview>> {
    const p = this.project(id);
    if (!p.ok) return p;
    const d = await previewRestore(p.value.path, ref);
    if (!d.ok) return err('not-found', d.message);
    const { changes, ...stat } = d.diff;
    return ok({ ref, ...stat, changes: changes.slice(0, MAX_LISTED_CHANGES) });
  }

  restore(id: string, ref: string): Promise<Result<CheckpointRestored>> {
    return this.serial(id, async () => {
      const p = this.project(id);
      if (!p.ok) return p;
      const refusal = this.agentRefusal(id, p.value.name, 'restore a checkpoint');
      if (refusal) return err('conflict', refusal);
      const m = /\/(\d+)-\d+$/.exec(ref);
      const r = await restoreCheckpoint(p.value.path, ref, {
        featureId: Number(m?.[1] ?? 0),
        now: this.o.clock.now(),
      });
      if (!r.ok) return err('conflict', r.message);
      const { files, insertions, deletions } = r.diff;
      const message = r.undo
        ? `Restored ${short(ref)}: ${plural(files, 'file')} changed, ${plural(insertions, 'insertion')}, ${plural(deletions, 'deletion')}. What was there before is kept as ${r.undo.ref}; restore it to undo this.`
        : `The files already match ${short(ref)}; nothing was changed.`;
      this.o.log('info', `${p.value.name}: ${message}`);
      return ok({ ref, undoRef: r.undo?.ref ?? null, files, insertions, deletions, message });
    });
  }

  initGit(id: string): Promise<Result<{ message: string }>> {
    return this.serial(id, async () => {
      const p = this.project(id);
      if (!p.ok) return p;
      const { name, path } = p.value;
      const refusal = this.agentRefusal(id, name, 'initialize git');
      if (refusal) return err('conflict', refusal);
      if (await isGitRepository(path))
        return err('conflict', `${path} is already a git repository.`);
      const init = await runGit(path, ['init', '-q']);
      if (!init.ok) return err('internal', `git init failed in ${path}: ${init.err}`);
      // Nightshift's state and installed packages stay out of history, without a new file.
      const exclude = join(path, '.git', 'info', 'exclude');
      mkdirSync(join(path, '.git', 'info'), { recursive: true });
      const had = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
      appendFileSync(
        exclude,
        `${had.endsWith('\n') || had === '' ? '' : '\n'}# Nightshift\n.nightshift/\nfeatures.db\nfeatures.db-*\nnode_modules/\n`,
      );
      const add = await runGit(path, ['add', '-A']);
      const identity = await runGit(path, ['config', 'user.email']);
      const who = identity.ok && identity.out ? {} : fallbackIdentity;
      const commit = add.ok
        ? await runGit(
            path,
            ['commit', '-q', '--allow-empty', '-m', 'Initial commit (made by Nightshift)'],
            who,
          )
        : add;
      if (!commit.ok)
        return err(
          'internal',
          `git init worked in ${path}, but the first commit failed: ${commit.err}`,
        );
      const count = await runGit(path, ['ls-files', '-z']);
      const files = count.out.split('\0').filter(Boolean).length;
      const message = `Initialized git in ${path} and committed its ${plural(files, 'file')} as the first commit. Nightshift now checkpoints the work before each coding session.`;
      this.o.log('info', `${name}: ${message}`);
      return ok({ message });
    });
  }

  /** Prunes one project's old checkpoints (those whose work is held elsewhere). */
  async prune(id: string): Promise<void> {
    const p = this.project(id);
    if (!p.ok || !(await isGitRepository(p.value.path))) return;
    const r = await pruneCheckpoints(p.value.path, this.maxAgeMs(), this.o.clock.now());
    if (r.deleted.length > 0)
      this.o.log(
        'info',
        `${p.value.name}: pruned ${plural(r.deleted.length, 'old checkpoint')}; ${r.kept.length} older kept because they hold work nothing else has.`,
      );
  }

  async pruneAll(): Promise<void> {
    for (const project of this.o.registry.list()) await this.prune(project.id);
  }

  /** Prunes at each run's start and once a day. */
  start(): void {
    this.unsubscribe = this.o.agents.onState((state, previous) => {
      if (state.status === 'starting' && previous.status !== 'starting')
        void this.prune(state.projectId).catch((e: unknown) =>
          this.o.log('warn', `Pruning checkpoints failed: ${String(e)}`),
        );
    });
    const daily = (): void => {
      this.timer = this.o.clock.setTimer(DAY_MS, () => {
        void this.pruneAll().catch((e: unknown) =>
          this.o.log('warn', `Pruning checkpoints failed: ${String(e)}`),
        );
        daily();
      });
    };
    daily();
    void this.pruneAll().catch(() => undefined);
  }

  dispose(): void {
    this.timer?.cancel();
    this.unsubscribe?.();
  }

  handlers() {
    return {
      'checkpoints.list': (input: { id: string; featureId?: number | undefined }) =>
        this.list(input.id, input.featureId),
      'checkpoints.preview': (input: { id: string; ref: string }) =>
        this.preview(input.id, input.ref),
      'checkpoints.restore': (input: { id: string; ref: string }) =>
        this.restore(input.id, input.ref),
      'checkpoints.repository': (input: { id: string }) => this.repository(input.id),
      'checkpoints.initGit': (input: { id: string }) => this.initGit(input.id),
    };
  }
}

const fallbackIdentity = {
  GIT_AUTHOR_NAME: 'Nightshift',
  GIT_AUTHOR_EMAIL: 'nightshift@localhost',
  GIT_COMMITTER_NAME: 'Nightshift',
  GIT_COMMITTER_EMAIL: 'nightshift@localhost',
};
