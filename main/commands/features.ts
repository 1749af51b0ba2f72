/** `features.*`: the project's backlog, read from its features.db, and answers to input requests. */
import type { FeaturesService } from '../services/features-service.ts';
import type { AreaHandlers } from './handlers.ts';

export function featureCommands(features: FeaturesService): AreaHandlers<'features'> {
  return {
    'features.list': (input) => features.list(input),
    'features.resolveHumanInput': (input) => features.resolveHumanInput(input),
  };
}
