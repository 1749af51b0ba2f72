/**
 * The renderer's one way to run a command: through the API, never throwing. A transport failure
 * (a closed socket, a bridge that threw) becomes a Result with a sentence, like any refusal.
 */
import type {
  AppError,
  CommandInput,
  CommandName,
  CommandOutput,
  Result,
} from '../../../contract/index.ts';
import { messageOf } from '../../../contract/index.ts';
import { getApi } from '../api.ts';

export function toAppError(error: unknown): AppError {
  const message =
    error instanceof Error || typeof error === 'string'
      ? messageOf(error)
      : 'Something went wrong in this window. Reload it and try again.';
  return { code: 'internal', message };
}

export async function call<K extends CommandName>(
  name: K,
  input?: CommandInput<K>,
): Promise<Result<CommandOutput<K>>> {
  try {
    const fn = getApi().call[name] as (
      input?: CommandInput<K>,
    ) => Promise<Result<CommandOutput<K>>>;
    return await fn(input);
  } catch (error) {
    return { ok: false, error: toAppError(error) };
  }
}
