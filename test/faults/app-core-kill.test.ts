/**
 * The app core (in a plain Node process, standing in for Electron's main) is SIGKILLed while 3
 * projects run agents, then restarted on the same data: all 3 are adopted, each stops on
 * command with nothing left, and the registry and settings file is byte-identical. 3 trials
 * (the soak runs 20: bench/soak/app-core-kill.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runKillTrial } from '../helpers/app-core-trial.ts';

test(
  'SIGKILL of the app core with 3 running agents, then a restart: all adopted, all stopped, files unchanged (3 trials)',
  { skip: process.platform === 'win32' ? 'adoption needs the process environment' : false },
  async () => {
    for (let trial = 1; trial <= 3; trial++) {
      const f = await runKillTrial();
      assert.equal(f.adopted, 3, `trial ${trial}: adopted`);
      assert.equal(f.survivors, 0, `trial ${trial}: survivors`);
      assert.equal(f.identical, true, `trial ${trial}: registry and settings unchanged`);
    }
  },
);
