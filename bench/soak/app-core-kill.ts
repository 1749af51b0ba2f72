/**
 * Soak: 20 trials of SIGKILLing the app core while 3 projects run agents, then restarting it
 * (CI runs 3 in test/faults/app-core-kill.test.ts). Prints adopted agents, survivors, whether
 * the registry and settings file stayed byte-identical, and restart and stop times.
 * Run: node bench/soak/app-core-kill.ts [trials]
 */
import { runKillTrial, type TrialFigures } from '../../test/helpers/app-core-trial.ts';

const trials = Number(process.argv[2] ?? process.env.SOAK_TRIALS ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const all: TrialFigures[] = [];
for (let i = 1; i <= trials; i++) {
  const f = await runKillTrial();
  all.push(f);
  console.log(
    `trial ${i}: adopted ${f.adopted}/3, survivors ${f.survivors}, files identical ${f.identical}, restart ${f.restartMs.toFixed(0)} ms, stop ${f.stopMs.toFixed(0)} ms`,
  );
}
const bad = all.filter((f) => f.adopted !== 3 || f.survivors > 0 || !f.identical).length;
console.log(
  `${trials} trials: ${trials - bad} clean, ${bad} failed; restart median ${median(all.map((f) => f.restartMs)).toFixed(0)} ms, stop of 3 median ${median(all.map((f) => f.stopMs)).toFixed(0)} ms; survivors ${all.reduce((a, f) => a + f.survivors, 0)}`,
);
process.exitCode = bad > 0 ? 1 : 0;
