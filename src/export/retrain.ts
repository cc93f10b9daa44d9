import type { LoadedData } from '../data/config.js';
import { subset, type Dataset } from '../data/dataset.js';
import { trainingFraction, trialTrainOptions, type TrainEvaluatorConfig } from '../evaluate/train/index.js';
import type { Graph } from '../graph/graph.js';
import { trainEpochs } from '../runtime/train/index.js';
import { concatDatasets } from './data.js';

/**
 * How export gets weights (a search stores none): `reproduce` trains exactly as the trial did (the
 * train evaluator seeds training by the architecture's key, so this gives the trial's weights);
 * `full` trains `epochs` epochs on training + validation data, all of it (no proxy dataFraction),
 * from the same seeded initial weights.
 */
export type RetrainPlan =
  | { readonly mode: 'reproduce'; readonly epochs?: number }
  | { readonly mode: 'full'; readonly epochs: number };

/** Samples of the training data whose accuracy `full` retraining shows per epoch (none is held out). */
export const MONITOR_SAMPLES = 1000;

export interface RetrainEpoch {
  readonly epoch: number;
  readonly epochs: number;
  readonly trainLoss: number;
  /** Validation accuracy (`reproduce`) or accuracy on MONITOR_SAMPLES training samples (`full`). */
  readonly accuracy: number;
  readonly monitor: 'validation' | 'training sample';
}

export interface RetrainResult {
  readonly params: Map<string, Float32Array>;
  readonly epochs: readonly RetrainEpoch[];
  readonly trainSamples: number;
  /** True when the signal stopped training: the weights are unfinished and must not be written. */
  readonly aborted: boolean;
}

export interface RetrainOptions {
  readonly signal?: AbortSignal;
  /** Called once training is about to start. */
  readonly onStart?: (plan: { readonly epochs: number; readonly samples: number }) => void;
  readonly onEpoch?: (e: RetrainEpoch) => void;
}

function plannedData(c: TrainEvaluatorConfig, loaded: LoadedData, plan: RetrainPlan) {
  if (plan.mode === 'reproduce') {
    // As createTrainEvaluator cuts it, so the batches are the trial's.
    const train = trainingFraction(loaded.train, c.dataFraction, c.seed);
    return { train, valid: loaded.valid, epochs: c.epochs, monitor: 'validation' as const };
  }
  const train = concatDatasets(loaded.train, loaded.valid, `${loaded.train.source} + validation`);
  const count = Math.min(MONITOR_SAMPLES, train.count);
  const valid: Dataset = subset(
    train,
    Array.from({ length: count }, (_, i) => i),
    'training sample',
  );
  return { train, valid, epochs: plan.epochs, monitor: 'training sample' as const };
}

/**
 * Trains `graph` (the trial's architecture, `key` its canonical key) with the experiment's evaluator
 * settings, as the train evaluator does (evaluate/train/trial.ts: same options, same seed), and returns
 * the weights with batch norm's running statistics.
 */
export async function retrain(
  graph: Graph,
  key: string,
  config: TrainEvaluatorConfig,
  loaded: LoadedData,
  plan: RetrainPlan,
  options: RetrainOptions = {},
): Promise<RetrainResult> {
  const { train, valid, epochs, monitor } = plannedData(config, loaded, plan);
  // A trial stopped before its last epoch (a pruner): stop after as many, with the full run's schedule.
  const stopAfter = plan.mode === 'reproduce' ? Math.min(epochs, Math.max(1, plan.epochs ?? epochs)) : epochs;
  const enough = new AbortController();
  const signals = [enough.signal, ...(options.signal ? [options.signal] : [])];
  const history: RetrainEpoch[] = [];
  options.onStart?.({ epochs: stopAfter, samples: train.count });
  const result = await trainEpochs(
    graph,
    { train, valid },
    {
      ...trialTrainOptions(config, key),
      epochs,
      signal: AbortSignal.any(signals),
      // Reproducing stops where the trial's early stopping did; retraining runs its fixed epochs.
      earlyStopping: plan.mode === 'reproduce' ? config.earlyStopping : undefined,
      onEpoch: (m) => {
        const e = {
          epoch: m.epoch,
          epochs: stopAfter,
          trainLoss: m.trainLoss,
          accuracy: m.validAccuracy,
          monitor,
        };
        history.push(e);
        options.onEpoch?.(e);
        if (m.epoch >= stopAfter) enough.abort();
      },
    },
  );
  return {
    params: result.params,
    epochs: history,
    trainSamples: train.count,
    aborted: options.signal?.aborted === true,
  };
}
