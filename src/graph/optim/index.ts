export {
  resolveOptimizer,
  type AdamSpec,
  type DecayScope,
  type OptimizerSpec,
  type ResolvedOptimizer,
  type SgdSpec,
} from './options.js';
export {
  LEARNING_RATE_INPUT,
  STEP_INPUT,
  buildTrainingStep,
  initialStepState,
  type TrainingStep,
  type TrainingStepOptions,
} from './step.js';
export type { StateSlot } from './updates.js';
