import {
  ConfigError,
  FatalError,
  InvalidArchitectureError,
  NotFoundError,
  TrialFailedError,
} from '../../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../../core/evaluator.js';
import { hashString } from '../../core/rng.js';
import { loadDataset, type LoadOptions, type LoadedData } from '../../data/config.js';
import { countFlops, countParams } from '../../graph/count.js';
import type { Graph } from '../../graph/graph.js';
import { SessionError } from '../../runtime/errors.js';
import { evaluateAccuracy, trainEpochs, trainingIo } from '../../runtime/train/index.js';
import type { TrainEvaluatorConfig } from './config.js';
import { trainingFraction } from './fraction.js';

/**
 * The seed of one trial's training (initial weights and batch order): the config seed mixed with the
 * architecture's canonical key, so the same architecture trains the same way in every trial and run,
 * and different architectures do not share one initial stream.
 */
export function trialSeed(seed: number, key: string): number {
  return (seed ^ hashString(`train ${key}`)) >>> 0;
}

/**
 * trainEpochs stops between steps once `signal.aborted` reads true. This signal reads true once the
 * run's signal fires or the trial's pruner says stop, so both are polled before every step.
 */
function stopSignal(signal: AbortSignal, trial: TrialHandle): AbortSignal {
  const stop = new AbortController().signal;
  Object.defineProperty(stop, 'aborted', { get: () => signal.aborted || trial.shouldStop() });
  return stop;
}

/** Sorts a training failure into the runner's kinds: this trial, this architecture, or the whole search. */
function classify(e: unknown): unknown {
  if (e instanceof InvalidArchitectureError || e instanceof TrialFailedError || e instanceof FatalError) {
    return e;
  }
  if (e instanceof NotFoundError) {
    return new InvalidArchitectureError(`train: ${e.message}`, { cause: e });
  }
  if (e instanceof ConfigError) {
    // The config was validated up front: what is left is the space and the data disagreeing (the
    // input's shape), which every trial would hit again.
    return new FatalError(`train evaluator: ${e.message}`, { cause: e });
  }
  if (e instanceof SessionError) {
    return new TrialFailedError(`train: ${e.message}`, { cause: e });
  }
  if (e instanceof RangeError && /allocation|array length|memory/i.test(e.message)) {
    return new TrialFailedError(`train: out of memory for this network: ${e.message}`, { cause: e });
  }
  return e;
}

/**
 * Trains each candidate for real on ONNX Runtime (runtime/train) and scores it by validation accuracy.
 * The dataset is loaded once and shared read-only by every trial; nothing else outlives a call (the
 * sessions are disposed by the functions that create them), so evaluations may run concurrently.
 */
export class TrainEvaluator implements Evaluator<Graph> {
  readonly signal = 'valid_acc';
  readonly direction = 'maximize' as const;

  /** `data.train` is the (proxy) training set trials use: already cut to `config.dataFraction`. */
  constructor(
    readonly config: TrainEvaluatorConfig,
    readonly data: LoadedData,
  ) {}

  async evaluate(arch: Graph, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    try {
      return await this.train(arch, trial, signal);
    } catch (e) {
      throw classify(e);
    }
  }

  private async train(arch: Graph, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const c = this.config;
    const { train, valid, test } = this.data;
    const session = { intraOpNumThreads: c.threads };
    const io = trainingIo(arch, { train, valid });
    const started = performance.now();
    const result = await trainEpochs(
      arch,
      { train, valid },
      {
        epochs: c.epochs,
        batchSize: c.batchSize,
        optimizer: c.optimizer,
        lr: c.lr,
        cosine: c.cosine,
        seed: trialSeed(c.seed, trial.key),
        signal: stopSignal(signal, trial),
        session,
        onEpoch: (m) => trial.report(m.epoch, { train_loss: m.trainLoss, valid_acc: m.validAccuracy }),
      },
    );
    const trainSeconds = (performance.now() - started) / 1000;
    const last = result.epochs.at(-1);
    const metrics: Record<string, number> = {};
    if (last !== undefined) metrics['valid_acc'] = last.validAccuracy;
    const accuracy = (split: typeof test): Promise<number> =>
      evaluateAccuracy(arch, result.params, split, { logits: io.logits, input: io.input, session });
    // A cancelled run discards the result: do no further work. A pruned trial keeps its score, so one
    // stopped before its first epoch ended is measured now.
    if (!signal.aborted) {
      if (last === undefined) metrics['valid_acc'] = await accuracy(valid);
      if (test.count > 0) metrics['test_acc'] = await accuracy(test);
    }
    if (last !== undefined) metrics['train_loss'] = last.trainLoss;
    metrics['params'] = countParams(arch);
    metrics['flops'] = countFlops(arch);
    metrics['train_seconds'] = trainSeconds;
    metrics['epochs'] = result.epochs.length;
    return { metrics };
  }
}

/**
 * Loads the config's dataset once (paths relative to `baseDir`, the config file's folder; standardised
 * with training statistics unless `data.normalize` is false) and cuts the training split to
 * `dataFraction`, for all the trials of a search.
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
  return new TrainEvaluator(config, { ...loaded, train });
}
