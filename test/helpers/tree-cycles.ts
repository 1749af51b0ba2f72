/**
 * Start → pause → resume → stop cycles of a 50-process agent tree through the real supervisor
 * (the fault test runs a few, bench/soak/cycles.ts runs many and prints figures). After each
 * stop nothing of the run may survive: no process of its tree, no member of its group, no
 * process carrying its run id, and nothing left frozen (state T).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { agentEnv } from '../../core/launch-protocol.ts';
import { isAlive, processInfo, processTree, processesWithEnv } from '../../core/process-table.ts';
import { groupMembers, makeHarness, runSettings, waitFor } from './supervisor-harness.ts';

/** The agent + 24 children with a grandchild each + 1 lone child = exactly 50 processes. */
export const TREE_SIZE = 50;
const TREE_ENV = { FIXTURE_CHILDREN: '24', FIXTURE_LONE_CHILDREN: '1', FIXTURE_INTERVAL: '200' };

export interface CycleFigures {
  cycle: number;
  size: number;
  startMs: number;
  pauseMs: number;
  resumeMs: number;
  stopMs: number;
  /** Processes of the run still alive after stop returned (must be 0). */
  survivors: number;
  /** Processes of the run left in state T after stop returned (must be 0). */
  frozen: number;
  /** Of the survivors, those still alive 1 s later with nothing signalling them (must be 0). */
  lingering: number;
  /** Each survivor as the OS showed it when stop returned: pid, state and command. */
  survivorDetails: string[];
}

export async function runTreeCycles(
  cycles: number,
  onCycle: (figures: CycleFigures) => void = () => {},
): Promise<CycleFigures[]> {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-cycles-'));
  const h = makeHarness({ env: TREE_ENV, stopGraceMs: 5_000, root });
  h.addProject('tree');
  const out: CycleFigures[] = [];
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      let t0 = performance.now();
      const started = await h.supervisor.start('tree', { settings: runSettings, origin: 'manual' });
      if (!started.ok) throw new Error(started.error.message);
      const { pid, runId } = h.supervisor.state('tree') as { pid: number; runId: string };
      const tree = await waitFor(
        () => {
          const t = processTree(pid);
          return t.length >= TREE_SIZE ? t : null;
        },
        `a tree of ${TREE_SIZE} processes`,
        60_000,
      );
      const startMs = performance.now() - t0;
      const pids = tree.map((p) => p.pid);

      t0 = performance.now();
      if (!(await h.supervisor.pause('tree')).ok) throw new Error('pause refused');
      await waitFor(() => pids.every((p) => processInfo(p)?.state === 'T'), 'all frozen', 30_000);
      const pauseMs = performance.now() - t0;

      t0 = performance.now();
      if (!(await h.supervisor.resume('tree')).ok) throw new Error('resume refused');
      await waitFor(() => pids.every((p) => processInfo(p)?.state !== 'T'), 'all thawed', 30_000);
      const resumeMs = performance.now() - t0;

      t0 = performance.now();
      if (!(await h.supervisor.stop('tree')).ok) throw new Error('stop refused');
      const stopMs = performance.now() - t0;

      const left = new Set([
        ...pids.filter((p) => isAlive(p)),
        ...groupMembers(pid),
        ...processesWithEnv(agentEnv.runId, runId),
      ]);
      const frozen = [...left].filter((p) => processInfo(p)?.state === 'T').length;
      const survivorDetails = [...left].map((p) => {
        const info = processInfo(p);
        let cmd = '?';
        try {
          cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() || '(none)';
        } catch {
          // gone meanwhile
        }
        return `${p} state ${info?.state ?? 'gone'} pgid ${info?.pgid ?? '?'}: ${cmd.slice(0, 120)}`;
      });
      // A process SIGKILLed an instant ago may still be on its way out: look again later.
      if (left.size > 0) await new Promise((r) => setTimeout(r, 1_000));
      const lingering = [...left].filter((p) => isAlive(p)).length;
      const figures = {
        cycle,
        size: tree.length,
        startMs,
        pauseMs,
        resumeMs,
        stopMs,
        survivors: left.size,
        frozen,
        lingering,
        survivorDetails,
      };
      out.push(figures);
      onCycle(figures);
    }
    return out;
  } finally {
    await h.dispose();
    rmSync(root, { recursive: true, force: true });
  }
}
