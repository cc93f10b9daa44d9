import {
  ConfigError,
  FatalError,
  InvalidArchitectureError,
  NotFoundError,
  TrialFailedError,
} from '../../core/errors.js';
import type { Evaluation } from '../../core/evaluator.js';
import { narrowGraph } from './proxy-width.js';
import { hashString } from '../../core/rng.js';
import type { Metrics } from '../../core/types.js';
import type { Splits } from '../../data/split.js';
import { countFlops, countParams } from '../../graph/count.js';
import type { Graph } from '../../graph/graph.js';
import { SessionError } from '../../runtime/errors.js';
import type { SessionOptions } from '../../runtime/session.js';
import { evaluateAccuracy, trainEpochs, trainingIo, type TrainOptions } from '../../runtime/train/index.js';
import type { TrainEvaluatorConfig } from './config.js';

/**
 * The seed of one trial's training (initial weights and batch order): the config seed mixed with the
 * architecture's canonical key, so the same architecture trains the same way in every trial and run,
 * and different architectures do not share one initial stream.
 */
export function trialSeed(seed: number, key: string): number {
  return (seed ^ hashString(`train ${key}`)) >>> 0;
}

/** ONNX Runtime settings of a trial's sessions (training and accuracy). */
export function trialSession(c: TrainEvaluatorConfig): SessionOptions {
  return { intraOpNumThreads: c.threads, executionProviders: c.executionProviders };
}

/**
 * trainEpochs' options for an architecture as the config trains it (its seed from the key): a trial
 * and export's reproduction of it must agree on every one.
 */
export function trialTrainOptions(c: TrainEvaluatorConfig, key: string) {
  return {
    epochs: c.epochs,
    batchSize: c.batchSize,
    optimizer: c.optimizer,
    lr: c.lr,
    cosine: c.cosine,
    seed: trialSeed(c.seed, key),
    session: trialSession(c),
    earlyStopping: c.earlyStopping,
  } satisfies Partial<TrainOptions>;
}

/**
 * How a trial talks to whoever runs it: the evaluator in the main thread, or the pool's worker (which
 * relays over messages and a shared flag). The same training code runs behind both.
 */
export interface TrialControl {
  /** Read before every step: true once training should stop (the run was cancelled or a pruner said so). */
  stopRequested(): boolean;
  /** True once the run was cancelled: its result is discarded, so no further work is done. */
  cancelled(): boolean;
  /** One epoch's curve point; training waits for it (a pruner may decide on it). */
  report(step: number, metrics: Metrics): Promise<void>;
}

/** Sorts a training failure into the runner's kinds: this trial, this architecture, or the whole search. */
export function classify(e: unknown): unknown {
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

/** A signal whose `aborted` reads the control's stop request, which trainEpochs polls before each step. */
function stopSignal(control: TrialControl): AbortSignal {
  const stop = new AbortController().signal;
  Object.defineProperty(stop, 'aborted', { get: () => control.stopRequested() });
  return stop;
}

/**
 * Trains one candidate as the config says and scores it: the per-trial work of the train evaluator,
 * in the main thread or in a pool worker. Failures are classified (see classify) before they leave.
 */
export async function trainTrial(
  arch: Graph,
  key: string,
  config: TrainEvaluatorConfig,
  data: Splits,
  control: TrialControl,
): Promise<Evaluation> {
  try {
    return await train(arch, key, config, data, control);
  } catch (e) {
    throw classify(e);
  }
}

/** The config's hard limits: a network over one is invalid, before any training. */
export function checkLimits(params: number, flops: number, c: TrainEvaluatorConfig): void {
  const over = (what: string, value: number, limit: number | undefined): void => {
    if (limit !== undefined && value > limit) {
      throw new InvalidArchitectureError(
        `train: ${value.toLocaleString('en-US')} ${what} exceeds evaluator.max${what === 'params' ? 'Params' : 'Flops'} ` +
          `(${limit.toLocaleString('en-US')}); the network is not trained`,
      );
    }
  };
  over('params', params, c.maxParams);
  over('FLOPs', flops, c.maxFlops);
}

async function train(
  arch: Graph,
  key: string,
  c: TrainEvaluatorConfig,
  { train, valid, test }: Splits,
  control: TrialControl,
): Promise<Evaluation> {
  // Limits and the reported size are the architecture's; a width proxy trains a narrower copy.
  const params = countParams(arch);
  const flops = countFlops(arch);
  checkLimits(params, flops, c);
  const net = narrowGraph(arch, c.widthMultiplier ?? 1);
  const session = trialSession(c);
  const io = trainingIo(net, { train, valid });
  const started = performance.now();
  const result = await trainEpochs(
    net,
    { train, valid },
    {
      ...trialTrainOptions(c, key),
      signal: stopSignal(control),
      onEpoch: (m) => control.report(m.epoch, { train_loss: m.trainLoss, valid_acc: m.validAccuracy }),
    },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  const last = result.epochs.at(-1);
  const metrics: Record<string, number> = {};
  if (last !== undefined) metrics['valid_acc'] = last.validAccuracy;
  const accuracy = (split: typeof test): Promise<number> =>
    evaluateAccuracy(net, result.params, split, { logits: io.logits, input: io.input, session });
  // A cancelled run discards the result: do no further work. A pruned trial keeps its score, so one
  // stopped before its first epoch ended is measured now.
  if (!control.cancelled()) {
    if (last === undefined) metrics['valid_acc'] = await accuracy(valid);
    if (test.count > 0) metrics['test_acc'] = await accuracy(test);
  }
  if (last !== undefined) metrics['train_loss'] = last.trainLoss;
  metrics['params'] = params;
  metrics['flops'] = flops;
  metrics['train_seconds'] = trainSeconds;
  metrics['epochs'] = result.epochs.length;
  metrics['stopped_early'] = result.stoppedEarly ? 1 : 0;
  return { metrics };
}
