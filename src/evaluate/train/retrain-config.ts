import { z } from 'zod';
import type { DataConfig } from '../../data/config.js';
import { trainEvaluatorConfigSchema, type TrainEvaluatorConfig } from './config.js';

/**
 * How a weight-sharing search's final architecture is trained from scratch (enas, darts): the train
 * evaluator's fields, less data (the search's own) and workers; the train evaluator's defaults except 10
 * epochs, since this is the final training, not a proxy.
 */
export const retrainConfigSchema = trainEvaluatorConfigSchema
  .omit({ type: true, data: true, workers: true, maxParams: true, maxFlops: true, widthMultiplier: true })
  .extend({ epochs: z.number().int().min(1).default(10) })
  .prefault({});

export type RetrainConfig = z.output<typeof retrainConfigSchema>;

/** The train evaluator config that retrains the final architecture (in the run and in export). */
export function retrainEvaluatorConfig(data: DataConfig, retrain: RetrainConfig): TrainEvaluatorConfig {
  return { ...retrain, type: 'train', data, workers: 0 };
}
