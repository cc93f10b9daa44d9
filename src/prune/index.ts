export { prunerConfigSchema, type PrunerConfig, type PrunerType } from './config.js';
export { CurvePruner, type CurvePruningOptions, type CurveScale } from './curve.js';
export { HyperbandPruner, type HyperbandOptions } from './hyperband.js';
export { MedianPruner, type MedianOptions } from './median.js';
export { Curves, type FinishedState, type Pruner, type Pruning, type TrialRef } from './pruner.js';
export {
  PRUNER_FACTORIES,
  createPruning,
  type FactoryContext,
  type PrunerContext,
  type Watched,
} from './registry.js';
export { SuccessiveHalvingPruner, type SuccessiveHalvingOptions } from './successive-halving.js';
