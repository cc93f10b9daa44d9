import { ConfigError } from '../core/errors.js';
import type { Direction } from '../core/types.js';
import type { PrunerConfig, PrunerType } from './config.js';
import { CurvePruner } from './curve.js';
import { HyperbandPruner } from './hyperband.js';
import { MedianPruner } from './median.js';
import type { Pruner, Pruning } from './pruner.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';

export interface PrunerContext {
  /** The experiment's seed (hyperband's bracket assignment). */
  readonly seed: number;
}

/** What a factory is given beside its config: the context, and what the pruner watches (resolved). */
export interface FactoryContext extends PrunerContext {
  readonly metric: string;
  readonly direction: Direction;
  /** The evaluator's steps per full trial, when it says (Watched.steps). */
  readonly steps: number | undefined;
}

type Factories = {
  readonly [T in Exclude<PrunerType, 'none'>]: (
    config: Extract<PrunerConfig, { type: T }>,
    context: FactoryContext,
  ) => Pruner;
};

/** One factory per pruner type; the config's discriminated union (config.ts) lists the same types. */
export const PRUNER_FACTORIES: Factories = {
  median: (c) => new MedianPruner(c),
  'successive-halving': (c) => new SuccessiveHalvingPruner(c),
  hyperband: (c, { seed }) => new HyperbandPruner({ ...c, seed }),
  curve: (c, { seed, metric, direction, steps }) => {
    const targetStep = c.targetStep ?? steps;
    if (targetStep === undefined) {
      throw new ConfigError(
        'pruner.targetStep: the curve pruner extrapolates each curve to the step a full trial ends at, ' +
          "and this evaluator does not say how many steps that is: set targetStep (the evaluator's epochs)",
      );
    }
    if (c.scale === undefined && direction === 'minimize') {
      throw new ConfigError(
        `pruner.scale: the curve pruner extrapolates accuracy-like curves in [0, 1], and "${metric}" is ` +
          'minimized: give its range as scale: { min, max } (max maps to 0; e.g. { min: 0, max: 1 } for ' +
          'an error rate), or watch an accuracy',
      );
    }
    return new CurvePruner({
      threshold: c.threshold,
      minPoints: c.minPoints,
      targetStep,
      ...(c.scale === undefined ? {} : { scale: { ...c.scale, direction } }),
      metric,
      ...(c.families === undefined ? {} : { families: c.families }),
      weighting: c.weighting,
      seed,
    });
  },
};

/** What the pruner watches by default: the evaluator's signal metric and direction. */
export interface Watched {
  readonly signal: string;
  readonly direction: Direction;
  /** The steps (epochs) a full trial reports, if the evaluator knows: the curve pruner's default target. */
  readonly steps?: number;
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
  const factoryContext = { ...context, metric, direction, steps: evaluator.steps };
  return { pruner: createPruner(config, factoryContext), metric, direction };
}

function createPruner(config: Exclude<PrunerConfig, { type: 'none' }>, context: FactoryContext): Pruner {
  // The map is keyed by the union's own tags, so each factory receives its own config type.
  const create = PRUNER_FACTORIES[config.type] as (c: typeof config, ctx: FactoryContext) => Pruner;
  return create(config, context);
}
