import { z } from 'zod';
import { dataConfigSchema } from '../../data/config.js';
import { optimizerConfigSchema, type TrainEvaluatorConfig } from '../train/index.js';
import { retrainConfigSchema, retrainEvaluatorConfig } from '../train/retrain-config.js';

/**
 * The config's `evaluator` section for ENAS: the data, how the shared weights train (ENAS: SGD with
 * Nesterov momentum 0.9, cosine learning rate over all epochs, L2 1e-4), how children are scored for the
 * controller and ranked at the end, and `retrain`, the train evaluator's settings for the final
 * from-scratch training (and for `naslab export`).
 */
export const enasEvaluatorConfigSchema = z.strictObject({
  type: z.literal('enas'),
  data: dataConfigSchema,
  batchSize: z.number().int().min(1).default(64),
  optimizer: optimizerConfigSchema.default({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
  lr: z.number().positive().finite().default(0.05),
  cosine: z.boolean().default(true),
  /** Training batches per epoch; default one pass over the training split. */
  trainBatches: z.number().int().min(1).optional(),
  /** Consecutive training batches each sampled child trains on (ENAS: 1). */
  batchesPerChild: z.number().int().min(1).default(1),
  /** Validation samples per controller reward (one batch, batch statistics). */
  rewardBatch: z.number().int().min(1).default(128),
  /** Validation samples (a fixed seeded subset) each probe and candidate is ranked on. */
  rankSamples: z.number().int().min(1).default(1000),
  /**
   * Child sessions cached by architecture key. Each holds ONNX Runtime's memory arena, sized by the
   * largest batch it ran: about 230 MB at batch 64 and 340 MB at 128 on examples/enas-fashion.yaml's
   * space, so the cache stays small.
   */
  cacheSize: z.number().int().min(1).default(4),
  /**
   * ONNX Runtime graph optimisation of child sessions. 'basic' (not the project's 'extended'): a new
   * child pays session creation every few batches, and the extended fusions cost more to create than
   * they save on a few steps (bench/supernet.ts).
   */
  sessionOptimization: z.enum(['disabled', 'basic', 'extended']).default('basic'),
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  threads: z.number().int().min(1).max(256).default(1),
  retrain: retrainConfigSchema,
});

export type EnasEvaluatorConfig = z.output<typeof enasEvaluatorConfigSchema>;

/** The train evaluator config that retrains an enas experiment's candidate (in the run and in export). */
export function enasRetrainConfig(c: EnasEvaluatorConfig): TrainEvaluatorConfig {
  return retrainEvaluatorConfig(c.data, c.retrain);
}
