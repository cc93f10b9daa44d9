export {
  optimizerConfigSchema,
  parseTrainEvaluatorConfig,
  trainEvaluatorConfigSchema,
  type TrainEvaluatorConfig,
  type TrainEvaluatorConfigInput,
} from './config.js';
export { TrainEvaluator, createTrainEvaluator, trialSeed } from './evaluator.js';
export { trainingFraction } from './fraction.js';
