/**
 * The one refusal for a command naming a project id the registry does not hold (removed in
 * another window, or never added): every area answers it in the same words.
 */
import { err, type Err } from '../../contract/index.ts';

export const notRegistered = (field?: string): Err =>
  err('not-found', 'That project is not registered any more.', field);
