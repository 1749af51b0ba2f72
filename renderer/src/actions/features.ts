/** Answering a feature's input request; the list refreshes at once to show it. */
import type { CommandInput, Result } from '../../../contract/index.ts';
import { refreshFeaturesNow } from '../stores/sync.ts';
import { call } from './call.ts';

export async function answerHumanInput(
  input: CommandInput<'features.resolveHumanInput'>,
): Promise<Result<{ featureId: number }>> {
  const result = await call('features.resolveHumanInput', input);
  if (result.ok) void refreshFeaturesNow(input.id);
  return result;
}
