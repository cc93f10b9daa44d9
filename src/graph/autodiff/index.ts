export { gradientName } from './context.js';
export { DIFFERENTIABLE_OPS } from './rules.js';
export {
  buildTrainingGradients,
  lowerTrainingGradients,
  type BufferSlot,
  type TrainingGradients,
  type TrainingGradientsOptions,
} from './training.js';
