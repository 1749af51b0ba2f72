/**
 * The set-up the scheduler's tests share: the nightly schedule they vary, the Monday they start
 * on, and the real AgentSupervisor over a fake process backend and clock (the OS and time are
 * the edges), with a way to crash its agent the way a dying process does.
 */
import type { Schedule, ScheduleFields } from '../../contract/index.ts';
import { createDiagnostics } from '../../main/services/diagnostics.ts';
import { AgentSupervisor, type SupervisedProject } from '../../main/services/supervisor.ts';
import type { FakeClock } from './fake-clock.ts';
import type { FakeProcessBackend } from './fake-process-backend.ts';
import { settle, until } from './turns.ts';

/** An ISO date-time as epoch milliseconds. */
export const at = (s: string): number => Date.parse(s);
/** 2026-01-05 is a Monday. */
export const MON = '2026-01-05';

/** Every day at 22:00 UTC for an hour, enabled, no run overrides: the schedule tests vary. */
export function everyNight(p: Partial<ScheduleFields> = {}): ScheduleFields {
  return {
    days: [1, 2, 3, 4, 5, 6, 7],
    startTime: '22:00',
    timeZone: 'UTC',
    durationMinutes: 60,
    enabled: true,
    run: {},
    ...p,
  };
}

/** The stored schedule `id`: everyNight() with `p` applied. */
export function nightly(id: string, p: Partial<Schedule> = {}): Schedule {
  return { id, createdAt: '2026-01-01T00:00:00Z', ...everyNight(), ...p };
}

/** The real supervisor of the folders `lookup` finds, spawning on `backend` by `clock`'s time. */
export function supervisorOverFakes(opts: {
  lookup: (projectId: string) => SupervisedProject | null;
  backend: FakeProcessBackend;
  clock: FakeClock;
  stopGraceMs: number;
}): AgentSupervisor {
  return new AgentSupervisor({
    lookup: opts.lookup,
    agentCommand: () => ({ command: 'agent', args: [] }),
    agentEnv: () => ({}),
    secrets: () => [],
    diagnostics: createDiagnostics(null),
    backend: opts.backend,
    clock: opts.clock,
    stopGraceMs: opts.stopGraceMs,
  });
}

/** The project's agent process exits with code 1; resolves once the supervisor says crashed. */
export async function crashAgent(
  supervisor: AgentSupervisor,
  backend: FakeProcessBackend,
  projectId: string,
): Promise<void> {
  backend.processes.get(supervisor.state(projectId).pid as number)?.exit({ code: 1, signal: null });
  await until(() => supervisor.state(projectId).status === 'crashed', 'the crash');
  await settle();
}
