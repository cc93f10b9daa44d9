export { prunerConfigSchema, type PrunerConfig, type PrunerType } from './config.js';
export { HyperbandPruner, type HyperbandOptions } from './hyperband.js';
export { MedianPruner, type MedianOptions } from './median.js';
export { Curves, type FinishedState, type Pruner, type Pruning, type TrialRef } from './pruner.js';
export { PRUNER_FACTORIES, createPruning, type PrunerContext, type Watched } from './registry.js';
export { SuccessiveHalvingPruner, type SuccessiveHalvingOptions } from './successive-halving.js';
