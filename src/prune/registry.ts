import { ConfigError } from '../core/errors.js';
import type { Direction } from '../core/types.js';
import type { PrunerConfig, PrunerType } from './config.js';
import { HyperbandPruner } from './hyperband.js';
import { MedianPruner } from './median.js';
import type { Pruner, Pruning } from './pruner.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';

export interface PrunerContext {
  /** The experiment's seed (hyperband's bracket assignment). */
  readonly seed: number;
}

type Factories = {
  readonly [T in Exclude<PrunerType, 'none'>]: (
    config: Extract<PrunerConfig, { type: T }>,
    context: PrunerContext,
  ) => Pruner;
};

/** One factory per pruner type; the config's discriminated union (config.ts) lists the same types. */
export const PRUNER_FACTORIES: Factories = {
  median: (c) => new MedianPruner(c),
  'successive-halving': (c) => new SuccessiveHalvingPruner(c),
  hyperband: (c, { seed }) => new HyperbandPruner({ ...c, seed }),
};

/** What the pruner watches by default: the evaluator's signal metric and direction. */
export interface Watched {
  readonly signal: string;
  readonly direction: Direction;
}

/**
 * The pruning a config asks for, or undefined for none. A metric other than the evaluator's signal must
 * say its direction: guessing would stop the best trials of a minimized loss.
 */
export function createPruning(
  config: PrunerConfig | undefined,
  evaluator: Watched,
  context: PrunerContext,
): Pruning | undefined {
  if (config === undefined || config.type === 'none') return undefined;
  const metric = config.metric ?? evaluator.signal;
  let direction = config.direction;
  if (direction === undefined) {
    if (metric !== evaluator.signal) {
      throw new ConfigError(
        `pruner.direction: the pruner watches "${metric}", not the evaluator's signal ` +
          `"${evaluator.signal}"; say whether higher is better with direction: maximize or minimize`,
      );
    }
    direction = evaluator.direction;
  }
  return { pruner: createPruner(config, context), metric, direction };
}

function createPruner(config: Exclude<PrunerConfig, { type: 'none' }>, context: PrunerContext): Pruner {
  // The map is keyed by the union's own tags, so each factory receives its own config type.
  const create = PRUNER_FACTORIES[config.type] as (c: typeof config, ctx: PrunerContext) => Pruner;
  return create(config, context);
}
