import { z } from 'zod';
import { parseConfig } from '../../core/validate.js';
import { dataConfigSchema } from '../../data/config.js';

const nonNegative = z.number().min(0);
const unit = z.number().min(0).lt(1);

/** The optimiser, field for field graph/optim's OptimizerSpec (the same defaults, as PyTorch). */
const sgdSchema = z
  .strictObject({
    kind: z.literal('sgd'),
    momentum: nonNegative.optional(),
    nesterov: z.boolean().optional(),
    weightDecay: nonNegative.optional(),
  })
  .refine((o) => !(o.nesterov === true && (o.momentum ?? 0) === 0), {
    message: 'nesterov needs momentum > 0 (as in PyTorch)',
    path: ['nesterov'],
  });

const adamSchema = z.strictObject({
  kind: z.enum(['adam', 'adamw']),
  beta1: unit.optional(),
  beta2: unit.optional(),
  eps: z.number().positive().optional(),
  weightDecay: nonNegative.optional(),
});

export const optimizerConfigSchema = z.discriminatedUnion('kind', [sgdSchema, adamSchema]);

/**
 * The config's `evaluator` section for real training. `dataFraction`, `epochs` and `widthMultiplier` are
 * the proxy settings: a search trains each candidate briefly on part of the data, and export retrains the winner.
 */
export const trainEvaluatorConfigSchema = z.strictObject({
  type: z.literal('train'),
  data: dataConfigSchema,
  epochs: z.number().int().min(1).default(2),
  batchSize: z.number().int().min(1).default(64),
  optimizer: optimizerConfigSchema.default({ kind: 'adam' }),
  /** The base learning rate; with `cosine` it anneals to 0 over all steps. */
  lr: z.number().positive().finite().default(0.001),
  cosine: z.boolean().default(true),
  /** Train on this seeded, stratified share of the training split (validation and test stay whole). */
  dataFraction: z.number().gt(0).max(1).default(1),
  /**
   * The width proxy (absent: full width): every conv's channels and hidden dense layer's units times
   * this (rounded, at least 1; the classifier keeps its classes), so a search trains narrower copies of
   * its candidates (narrowGraph, proxy-width.ts). params, flops and the max* limits stay the full network's: the
   * winner is retrained at full width.
   */
  widthMultiplier: z.number().gt(0).max(1).optional(),
  /** With each trial's key, seeds the initial weights and the batch order. */
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  /** ONNX Runtime intra-op threads per trial (parallel trials each take one core). */
  threads: z.number().int().min(1).max(256).default(1),
  /** ONNX Runtime execution providers in order of preference (docs/gpu.md for CUDA). */
  executionProviders: z
    .array(z.enum(['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu']))
    .min(1)
    .default(['cpu']),
  /**
   * Stop a trial after `patience` epochs without a validation-accuracy gain above `minDelta`; off when
   * absent. The trial's `epochs` metric says how many ran, `stopped_early` (1) that it stopped.
   */
  earlyStopping: z
    .strictObject({
      patience: z.number().int().min(1),
      minDelta: z.number().min(0).max(1).default(0),
    })
    .optional(),
  /**
   * Worker threads that train trials (each loads its own ONNX Runtime, with `threads` intra-op threads;
   * the dataset is shared, not copied). 0 trains in the main thread. Default: the machine's cores
   * (os.availableParallelism()). Trials run at once = the experiment's `concurrency`, up to `workers`.
   */
  workers: z.number().int().min(0).max(256).optional(),
  /**
   * Hard limits (RENA-style): a candidate with more parameters or FLOPs (multiply-adds per sample, as
   * the IR counts them) is an invalid trial, not trained; the strategy gets the run's invalidReward.
   * Keeps a search, and the winner's retraining, within a compute budget.
   */
  maxParams: z.number().int().min(1).optional(),
  maxFlops: z.number().int().min(1).optional(),
});

export type TrainEvaluatorConfig = z.output<typeof trainEvaluatorConfigSchema>;
export type TrainEvaluatorConfigInput = z.input<typeof trainEvaluatorConfigSchema>;

const sectionSchema = z.object({ evaluator: trainEvaluatorConfigSchema });

/** Validates an `evaluator` section of type train; messages name fields as in the file (evaluator.lr). */
export function parseTrainEvaluatorConfig(raw: unknown, where: string): TrainEvaluatorConfig {
  return parseConfig(sectionSchema, { evaluator: raw }, where).evaluator;
}
