import { availableParallelism } from 'node:os';
import { ConfigError } from '../../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../../core/evaluator.js';
import { loadDataset, type LoadOptions, type LoadedData } from '../../data/config.js';
import type { Graph } from '../../graph/graph.js';
import type { TrainEvaluatorConfig } from './config.js';
import { trainingFraction } from './fraction.js';
import { TrainingPool } from './pool/pool.js';
import { shareSplits } from './pool/shared-data.js';
import { trainTrial } from './trial.js';

export { trialSeed } from './trial.js';

/** Worker threads the config asks for: `workers`, else one per core. 0 trains in the main thread. */
export function resolveWorkers(config: Pick<TrainEvaluatorConfig, 'workers'>): number {
  return config.workers ?? availableParallelism();
}

/**
 * Trains each candidate for real on ONNX Runtime (runtime/train) and scores it by validation accuracy,
 * in worker threads (a TrainingPool of `workers`, started as trials need them) or, with `workers: 0`, in
 * the main thread; both run trainTrial. The dataset is loaded once and shared read-only by every trial;
 * nothing else outlives a call, so evaluations may run concurrently. close() ends the workers.
 */
export class TrainEvaluator implements Evaluator<Graph> {
  readonly signal = 'valid_acc';
  readonly direction = 'maximize' as const;
  /** Epochs a trial reports at most: the curve pruner's default horizon. */
  get steps(): number {
    return this.config.epochs;
  }
  /** Worker threads used (0: the main thread). */
  readonly workers: number;
  private pool: TrainingPool | undefined;

  /** `data.train` is the (proxy) training set trials use: already cut to `config.dataFraction`. */
  constructor(
    readonly config: TrainEvaluatorConfig,
    readonly data: LoadedData,
  ) {
    this.workers = resolveWorkers(config);
  }

  evaluate(arch: Graph, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    if (this.workers > 0) {
      this.pool ??= new TrainingPool({ size: this.workers, config: this.config, data: this.data });
      return this.pool.run(arch, trial, signal);
    }
    return trainTrial(arch, trial.key, this.config, this.data, {
      stopRequested: () => signal.aborted || trial.shouldStop(),
      cancelled: () => signal.aborted,
      report: (step, metrics) => trial.report(step, metrics),
    });
  }

  /** Ends the worker threads (a later evaluate starts new ones). Idempotent. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}

/**
 * Loads the config's dataset once (paths relative to `baseDir`, the config file's folder; standardised
 * with training statistics unless `data.normalize` is false) and cuts the training split to
 * `dataFraction`, for all the trials of a search. The splits are held in SharedArrayBuffers, so worker
 * threads read them without a copy.
 */
export async function createTrainEvaluator(
  config: TrainEvaluatorConfig,
  baseDir: string,
  options: LoadOptions = {},
): Promise<TrainEvaluator> {
  const loaded = await loadDataset(config.data, baseDir, options);
  const train = trainingFraction(loaded.train, config.dataFraction, config.seed);
  if (loaded.valid.count === 0) {
    throw new ConfigError(
      'evaluator.data.split.valid leaves no validation samples; the train evaluator scores trials by ' +
        'validation accuracy: raise it',
    );
  }
  return new TrainEvaluator(config, { ...loaded, ...shareSplits({ ...loaded, train }) });
}
