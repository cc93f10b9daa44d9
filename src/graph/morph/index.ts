export { MorphError, type MorphReason, type Net, type Params } from './net.js';
export { layerWidth, widen, widenableLayers, type WidenOptions } from './widen.js';
export { planWiden, type WidenPlan } from './widen-plan.js';
export { deepen, deepenPoints, nonNegative, type DeepenOptions, type DeepenPoint } from './deepen.js';
export {
  splitPath,
  splitUnit,
  splittableLayers,
  type SplitMerge,
  type SplitOptions,
  type SplitUnit,
} from './path.js';
export { applyMorph, applyMorphs, morphCandidates, type MorphCandidates, type MorphSpec } from './apply.js';
export { channelStatistics } from './statistics.js';
