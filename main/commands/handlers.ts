/**
 * The shape of command handlers. Each area (`projects`, `agent`, …) has a module here that
 * returns the handlers of its commands; the composition root spreads them into one map, and the
 * type checker refuses a map that misses a command of the contract.
 */
import type { z } from 'zod';
import type { CommandName, CommandOutput, Result, commands } from '../../contract/index.ts';

export type Handler<K extends CommandName> = (
  input: z.infer<(typeof commands)[K]['input']>,
) => Promise<Result<CommandOutput<K>>> | Result<CommandOutput<K>>;

export type Handlers = { [K in CommandName]: Handler<K> };

/** The handlers of one area: every command whose name starts with `<area>.`. */
export type AreaHandlers<Area extends string> = {
  [K in Extract<CommandName, `${Area}.${string}`>]: Handler<K>;
};
