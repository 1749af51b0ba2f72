/** A Feature value for pure unit tests: a passing feature with nothing held, unless overridden. */
import type { Feature } from '../../core/features-db.ts';

export function featureOf(id: number, over: Partial<Feature> = {}): Feature {
  return {
    id,
    priority: id,
    category: 'functional',
    name: `F${id}`,
    description: '',
    steps: [],
    passes: true,
    inProgress: false,
    dependencies: [],
    testingInProgress: false,
    lastTestedAt: null,
    claimOwner: null,
    claimedAt: null,
    heartbeatAt: null,
    testOwner: null,
    testClaimedAt: null,
    testHeartbeatAt: null,
    attempts: 0,
    lastError: null,
    passedAt: null,
    skippedAt: null,
    userSkippedAt: null,
    needsHumanInput: false,
    humanInputRequest: null,
    humanInputResponse: null,
    ...over,
  };
}
