export { BatchSampler, type Batch } from './batches.js';
export { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
export { evaluateAccuracy } from './evaluate.js';
export { trainingIo, type TrainingIo } from './io.js';
export { learningRate } from './schedule.js';
export {
  trainEpochs,
  type EpochMetrics,
  type TrainData,
  type TrainOptions,
  type TrainResult,
} from './train.js';
