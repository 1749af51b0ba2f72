/**
 * Soak: 20 trials of SIGKILLing the app core while 3 projects run the real orchestrator against
 * the fake Anthropic server with a feature claimed in each, then restarting it (CI runs 3 in
 * test/faults/app-core-kill.test.ts). Odd trials let the adopted runs finish, even ones stop them
 * on command. Prints adopted agents, features left in progress, survivors, whether the registry
 * and settings file stayed byte-identical, and restart and end times.
 * Run: node bench/soak/app-core-kill.ts [trials]
 */
import { startFakeAnthropic } from '../../test/fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../../test/fixtures/scripted-agent-brain.ts';
import { runKillTrial, type TrialFigures } from '../../test/helpers/app-core-trial.ts';

const trials = Number(process.argv[2] ?? process.env.SOAK_TRIALS ?? 20);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const all: TrialFigures[] = [];
const fake = await startFakeAnthropic(scriptedBrain());
const started = Date.now();
try {
  for (let i = 1; i <= trials; i++) {
    const t0 = Date.now();
    const f = await runKillTrial({ fake, ending: i % 2 === 1 ? 'finish' : 'stop' });
    all.push(f);
    console.log(
      `trial ${i} (${f.ending}): claimed at kill ${f.claimedAtKill}/3, adopted ${f.adopted}/3, passing ${f.passing}/${f.total}, left in progress ${f.leftInProgress}, survivors ${f.survivors}, files identical ${f.identical}, restart ${f.restartMs.toFixed(0)} ms, ${f.ending} ${(f.endMs / 1000).toFixed(1)} s, trial ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
  }
} finally {
  await fake.close();
}
const clean = (f: TrialFigures) =>
  f.claimedAtKill === 3 &&
  f.adopted === 3 &&
  f.leftInProgress === 0 &&
  f.survivors === 0 &&
  f.identical &&
  (f.ending === 'stop' || f.passing === f.total);
const bad = all.filter((f) => !clean(f)).length;
const sum = (pick: (f: TrialFigures) => number) => all.reduce((a, f) => a + pick(f), 0);
const of = (ending: string) => all.filter((f) => f.ending === ending).map((f) => f.endMs / 1000);
console.log(
  `${trials} trials in ${((Date.now() - started) / 60_000).toFixed(1)} min: ${trials - bad} clean, ${bad} failed; adopted ${sum((f) => f.adopted)}/${trials * 3}; features left in progress ${sum((f) => f.leftInProgress)}; survivors ${sum((f) => f.survivors)}; restart median ${median(all.map((f) => f.restartMs)).toFixed(0)} ms; finish median ${median(of('finish')).toFixed(1)} s; stop of 3 median ${median(of('stop')).toFixed(1)} s`,
);
process.exitCode = bad > 0 ? 1 : 0;
