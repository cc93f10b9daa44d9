import { z } from 'zod';
import { dataConfigSchema } from '../../data/config.js';
import { optimizerConfigSchema, type TrainEvaluatorConfig } from '../train/index.js';
import { retrainConfigSchema, retrainEvaluatorConfig } from '../train/retrain-config.js';

/**
 * The config's `evaluator` section for DARTS: the data (weight steps on the training split,
 * architecture steps on the validation split: DARTS halves CIFAR-10's training set, so set
 * `data.split.valid` to taste), how the network's weights train (DARTS: SGD momentum 0.9, L2 3e-4,
 * cosine from 0.025), and `retrain`, the train evaluator's settings for the final from-scratch
 * training (and for `naslab export`). The architecture weights' optimiser is the strategy's.
 */
export const dartsEvaluatorConfigSchema = z.strictObject({
  type: z.literal('darts'),
  data: dataConfigSchema,
  batchSize: z.number().int().min(1).default(64),
  optimizer: optimizerConfigSchema.default({ kind: 'sgd', momentum: 0.9, weightDecay: 3e-4 }),
  lr: z.number().positive().finite().default(0.025),
  cosine: z.boolean().default(true),
  /** Steps per epoch (each an architecture step then a weight step); default one pass over the training split. */
  trainBatches: z.number().int().min(1).optional(),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  threads: z.number().int().min(1).max(256).default(1),
  retrain: retrainConfigSchema,
});

export type DartsEvaluatorConfig = z.output<typeof dartsEvaluatorConfigSchema>;

/** The train evaluator config that retrains a darts experiment's architecture (in the run and in export). */
export function dartsRetrainConfig(c: DartsEvaluatorConfig): TrainEvaluatorConfig {
  return retrainEvaluatorConfig(c.data, c.retrain);
}
