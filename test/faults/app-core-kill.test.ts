/**
 * The app core (in a plain Node process, standing in for Electron's main) is SIGKILLed while 3
 * projects run the real orchestrator against the fake Anthropic server, each with a feature
 * claimed; then it is restarted on the same data: all 3 are adopted, the runs stop on command
 * (trials 1 and 3) or finish with every feature passing (trial 2), no feature is left in
 * progress in any features.db, nothing of the agents is left and the registry and settings file
 * is byte-identical. 3 trials (the soak runs 20: bench/soak/app-core-kill.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeAnthropic, type FakeAnthropic } from '../fixtures/fake-anthropic-server.ts';
import { scriptedBrain } from '../fixtures/scripted-agent-brain.ts';
import { runKillTrial, type TrialEnding } from '../helpers/app-core-trial.ts';

let fake: FakeAnthropic;
before(async () => {
  fake = await startFakeAnthropic(scriptedBrain());
});
after(async () => {
  await fake?.close();
});

test(
  'SIGKILL of the app core while 3 real agents hold claims, then a restart: all adopted, runs finish or stop, no feature left in progress, files unchanged (3 trials)',
  { skip: process.platform !== 'linux' ? 'the trial reads /proc' : false },
  async () => {
    const endings: TrialEnding[] = ['stop', 'finish', 'stop'];
    for (const [i, ending] of endings.entries()) {
      const f = await runKillTrial({ fake, ending });
      const trial = `trial ${i + 1} (${ending})`;
      assert.equal(f.claimedAtKill, 3, `${trial}: a feature was claimed in each project`);
      assert.equal(f.adopted, 3, `${trial}: adopted`);
      assert.equal(f.leftInProgress, 0, `${trial}: features left in progress`);
      assert.equal(f.survivors, 0, `${trial}: survivors`);
      assert.equal(f.identical, true, `${trial}: registry and settings unchanged`);
      assert.equal(f.total, 6, `${trial}: each backlog has its 2 features`);
      if (ending === 'finish') assert.equal(f.passing, 6, `${trial}: every feature passes`);
    }
  },
);
