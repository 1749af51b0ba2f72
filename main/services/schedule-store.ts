/**
 * The schedule commands: add, update, remove, status, skip-next. Schedules live inside each
 * project (the registry persists them); every change is validated with the contract's zod
 * schemas, written whole, and then the scheduler re-plans at once, so a schedule created for
 * "now" starts its agent before the command answers.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { z } from 'zod';
import {
  type Project,
  type Result,
  type Schedule,
  type ScheduleStatus,
  ScheduleFields,
  commands,
  err,
  messageOf,
  ok,
  parseInput,
} from '../../contract/index.ts';
import type { Clock } from './clock.ts';
import type { Scheduler, SchedulerMemory, SchedulerSnapshot } from './scheduler.ts';
import { notRegistered } from './not-registered.ts';

/** Where schedules are stored: the project registry implements this as it is. */
export interface ScheduleRepository {
  get(projectId: string): Project | null;
  setSchedules(projectId: string, schedules: Schedule[]): Result<Project>;
}

export const MAX_SCHEDULES_PER_PROJECT = 50;

type In<K extends keyof typeof commands> = z.infer<(typeof commands)[K]['input']>;

export interface SchedulesServiceOptions {
  repo: ScheduleRepository;
  scheduler: Scheduler;
  clock: Clock;
  newId?: () => string;
}

export class SchedulesService {
  private readonly options: SchedulesServiceOptions;

  constructor(options: SchedulesServiceOptions) {
    this.options = options;
  }

  add(input: In<'schedules.add'>): Result<Schedule> {
    const project = this.options.repo.get(input.id);
    if (!project) return notRegistered();
    const fields = parseInput(ScheduleFields, input.schedule);
    if (!fields.ok) return fields;
    if (project.schedules.length >= MAX_SCHEDULES_PER_PROJECT) {
      return err(
        'conflict',
        `${project.name} already has ${MAX_SCHEDULES_PER_PROJECT} schedules, the most a project can have. Remove one first.`,
      );
    }
    const schedule: Schedule = {
      ...normalise(fields.value),
      id: (this.options.newId ?? randomUUID)(),
      createdAt: new Date(this.options.clock.now()).toISOString(),
    };
    const saved = this.options.repo.setSchedules(project.id, [...project.schedules, schedule]);
    if (!saved.ok) return saved;
    this.options.scheduler.replan();
    return ok(schedule);
  }

  update(input: In<'schedules.update'>): Result<Schedule> {
    const project = this.options.repo.get(input.id);
    if (!project) return notRegistered();
    const current = project.schedules.find((s) => s.id === input.scheduleId);
    if (!current) return err('not-found', 'That schedule does not exist any more.');
    const fields = parseInput(ScheduleFields, input.schedule);
    if (!fields.ok) return fields;
    const schedule: Schedule = {
      ...normalise(fields.value),
      id: current.id,
      createdAt: current.createdAt,
    };
    const saved = this.options.repo.setSchedules(
      project.id,
      project.schedules.map((s) => (s.id === current.id ? schedule : s)),
    );
    if (!saved.ok) return saved;
    this.options.scheduler.replan();
    return ok(schedule);
  }

  remove(input: In<'schedules.remove'>): Result<{ scheduleId: string }> {
    const project = this.options.repo.get(input.id);
    if (!project) return notRegistered();
    if (!project.schedules.some((s) => s.id === input.scheduleId)) {
      return err('not-found', 'That schedule does not exist any more.');
    }
    const saved = this.options.repo.setSchedules(
      project.id,
      project.schedules.filter((s) => s.id !== input.scheduleId),
    );
    if (!saved.ok) return saved;
    this.options.scheduler.replan();
    return ok({ scheduleId: input.scheduleId });
  }

  status(): Result<ScheduleStatus[]> {
    return ok(this.options.scheduler.status());
  }

  skipNext(input: In<'schedules.skipNext'>): Result<ScheduleStatus[]> {
    return this.options.scheduler.skipNext(input.id, input.skip);
  }

  /** The contract handlers, to spread into the composition root's handler map. */
  handlers() {
    return {
      'schedules.add': (input: In<'schedules.add'>) => this.add(input),
      'schedules.update': (input: In<'schedules.update'>) => this.update(input),
      'schedules.remove': (input: In<'schedules.remove'>) => this.remove(input),
      'schedules.status': () => this.status(),
      'schedules.skipNext': (input: In<'schedules.skipNext'>) => this.skipNext(input),
    };
  }
}

function normalise(f: ScheduleFields): ScheduleFields {
  const out: ScheduleFields = { ...f, days: [...f.days].sort((a, b) => a - b) };
  if (out.label !== undefined) {
    const label = out.label.trim();
    if (label) out.label = label;
    else delete out.label;
  }
  return out;
}

/** Scheduler memory in a JSON file (written to a temporary file, then renamed). */
export function jsonFileMemory(path: string): SchedulerMemory {
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        return null;
      }
      try {
        const value = JSON.parse(text) as SchedulerSnapshot;
        return value && value.version === 1 && typeof value.projects === 'object' ? value : null;
      } catch (error) {
        // The next save replaces the file: keep the unreadable one aside first, byte for byte.
        const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        let kept: string;
        try {
          copyFileSync(path, aside);
          kept = `; it was kept aside as ${aside}`;
        } catch {
          kept = '; it could not be kept aside';
        }
        throw new Error(`${path} is not valid JSON (${messageOf(error)})${kept}.`, {
          cause: error,
        });
      }
    },
    save(snapshot) {
      mkdirSync(dirname(path), { recursive: true });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(snapshot, null, 2)}\n`);
      renameSync(tmp, path);
    },
  };
}
