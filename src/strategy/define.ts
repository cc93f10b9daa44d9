import type { z } from 'zod';
import type { Strategy, StrategyInit } from '../core/strategy.js';

/**
 * One registered strategy. `options` is a strict zod object whose fields all have defaults, so `{}` is a
 * valid configuration and parsing `{}` yields the defaults shown by `--help`.
 */
export interface StrategyEntry<O extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  /** One line, shown by `--help`. */
  readonly description: string;
  readonly options: O;
  // Method syntax on purpose: entries with specific option types must fit in one registry list.
  create(init: StrategyInit<z.output<O>>): Strategy;
}

/** Identity helper that infers the options type of an entry from its schema. */
export function defineStrategy<O extends z.ZodObject>(entry: StrategyEntry<O>): StrategyEntry<O> {
  return entry;
}
