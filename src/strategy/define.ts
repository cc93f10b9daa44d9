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
  /**
   * The evaluator the strategy cannot do without. Absent: any evaluator the config names. A
   * weight-sharing strategy names the config's `evaluator.type`s it runs with, and optionally an
   * `implementation` (a registered evaluator) to build from that config in place of the type's own.
   */
  readonly evaluator?: StrategyEvaluatorNeed;
  /**
   * 'evaluate' when the strategy proposes an architecture again on purpose and each proposal must be
   * evaluated (a weight-sharing epoch, a probe): the config's `duplicates` policy does not apply.
   */
  readonly duplicates?: 'evaluate';
  /**
   * False when its trials cannot run on queue workers: its evaluator lives in the coordinator's
   * process, bound to the strategy (shared weights). Default true.
   */
  readonly distributable?: boolean;
  /**
   * Options for a small run on the default benchmark, for strategies that cannot run on `{}` (a
   * multi-objective strategy needs its objectives): `--help` shows them and the registry-wide tests
   * (every strategy resumes exactly) use them.
   */
  readonly example?: Readonly<Record<string, unknown>>;
  /**
   * An option that, given to any other strategy, wraps that strategy in this one, which is then created
   * with `{ inner: <name>, innerOptions: <the rest>, [wrapsWith]: <its value> }`.
   */
  readonly wrapsWith?: string;
  // Method syntax on purpose: entries with specific option types must fit in one registry list.
  create(init: StrategyInit<z.output<O>>): Strategy;
}

export interface StrategyEvaluatorNeed {
  /** The config's `evaluator.type`s the strategy runs with. */
  readonly types: readonly string[];
  /** A registered evaluator built from that config instead of the type's own (e.g. one that inherits weights). */
  readonly implementation?: string;
  /** Why, for the error when the config names another evaluator: "its children train from their parents' weights". */
  readonly why: string;
}

/** Identity helper that infers the options type of an entry from its schema. */
export function defineStrategy<O extends z.ZodObject>(entry: StrategyEntry<O>): StrategyEntry<O> {
  return entry;
}
