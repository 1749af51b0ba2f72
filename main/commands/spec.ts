/** `spec.*`: the project's app spec file. */
import type { FeaturesService } from '../services/features-service.ts';
import type { AreaHandlers } from './handlers.ts';

export function specCommands(features: FeaturesService): AreaHandlers<'spec'> {
  return {
    'spec.get': (input) => features.getSpec(input),
    'spec.save': (input) => features.saveSpec(input),
  };
}
