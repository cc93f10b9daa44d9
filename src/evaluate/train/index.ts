export {
  optimizerConfigSchema,
  parseTrainEvaluatorConfig,
  trainEvaluatorConfigSchema,
  type TrainEvaluatorConfig,
  type TrainEvaluatorConfigInput,
} from './config.js';
export { TrainEvaluator, createTrainEvaluator, resolveWorkers } from './evaluator.js';
export { trainingFraction } from './fraction.js';
export { checkSpaceFitsData } from './fit.js';
export { narrowGraph, scaledWidth } from './proxy-width.js';
export { TrainingPool, type TrainingPoolOptions } from './pool/pool.js';
export { isShared, shareDataset, shareSplits } from './pool/shared-data.js';
export {
  checkLimits,
  classify,
  trainTrial,
  trialSeed,
  trialTrainOptions,
  type TrialControl,
} from './trial.js';
