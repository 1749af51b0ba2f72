/**
 * Soak: 100 start/pause/resume/stop cycles of a 50-process agent tree (CI runs 10 in
 * test/faults/tree-cycles.test.ts). Prints per-phase medians and maxima and the survivors,
 * which must be 0. Run: node bench/soak/cycles.ts [cycles]
 */
import { runTreeCycles, type CycleFigures } from '../../test/helpers/tree-cycles.ts';

const cycles = Number(process.argv[2] ?? process.env.SOAK_CYCLES ?? 100);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const max = (xs: number[]) => Math.max(...xs);

const figures = await runTreeCycles(cycles, (f) => {
  if (f.cycle % 10 === 0 || f.survivors > 0 || f.frozen > 0)
    console.log(
      `cycle ${f.cycle}: tree ${f.size}, stop ${f.stopMs.toFixed(0)} ms, survivors ${f.survivors} (still alive 1 s later: ${f.lingering}), frozen ${f.frozen}${f.survivorDetails.map((d) => `\n    ${d}`).join('')}`,
    );
});
const col = (k: Exclude<keyof CycleFigures, 'survivorDetails'>) => figures.map((f) => f[k]);
console.log(`${figures.length} cycles of a tree of ${median(col('size'))} processes:`);
for (const k of ['startMs', 'pauseMs', 'resumeMs', 'stopMs'] as const)
  console.log(
    `  ${k.replace('Ms', '').padEnd(7)} median ${median(col(k)).toFixed(1)} ms, max ${max(col(k)).toFixed(1)} ms`,
  );
const survivors = col('survivors').reduce((a, b) => a + b, 0);
const frozen = col('frozen').reduce((a, b) => a + b, 0);
const lingering = col('lingering').reduce((a, b) => a + b, 0);
const cycleMs = figures.map((f) => f.startMs + f.pauseMs + f.resumeMs + f.stopMs);
console.log(
  `  survivors: ${survivors} (still alive 1 s later: ${lingering}), left in state T: ${frozen}; per cycle median ${median(cycleMs).toFixed(0)} ms`,
);
process.exitCode = survivors + frozen > 0 ? 1 : 0;
