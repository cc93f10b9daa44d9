import { ConfigError, TrialFailedError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import type { Graph } from '../../graph/graph.js';
import { initParameters } from '../../graph/init.js';
import { float32 } from '../../graph/onnx/index.js';
import {
  LEARNING_RATE_INPUT,
  buildTrainingStep,
  initialStepState,
  type DecayScope,
  type OptimizerSpec,
} from '../../graph/optim/index.js';
import { FeedbackRunner } from '../feedback.js';
import { trainingNchwcBlock } from '../nchwc.js';
import { Session, type SessionOptions } from '../session.js';
import { BatchSampler } from './batches.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { evaluateAccuracy } from './evaluate.js';
import { trainingIo } from './io.js';
import { learningRate } from './schedule.js';

export type TrainData = { readonly train: Dataset; readonly valid: Dataset };

export type TrainOptions = {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerSpec;
  /** The base learning rate. */
  readonly lr: number;
  /** Cosine annealing of lr to 0 over all steps (per step). Default false. */
  readonly cosine?: boolean;
  /** Seeds the initial weights (when `params` is not given) and the batch order. */
  readonly seed: number;
  /** Checked between steps: once it fires, training stops and the result says `aborted`. */
  readonly signal?: AbortSignal;
  readonly onEpoch?: (metrics: EpochMetrics) => void | Promise<void>;
  /** The softmaxCrossEntropy node; default the graph's only one. */
  readonly loss?: string;
  /** Initial weights; default initParameters(graph, new Rng(seed)). */
  readonly params?: ReadonlyMap<string, Float32Array>;
  readonly decay?: DecayScope;
  /** Drop the last partial batch of each epoch. Default false (it is trained on, as a smaller batch). */
  readonly dropLast?: boolean;
  /** Session settings for the training and evaluation sessions (default one intra-op thread). */
  readonly session?: SessionOptions;
  /**
   * Stop after `patience` epochs without a validation-accuracy gain above `minDelta` (default: train all
   * epochs). The cosine schedule still spans all `epochs`, so a stopped run never anneals to 0.
   */
  readonly earlyStopping?: EarlyStoppingOptions;
};

export type EpochMetrics = {
  /** 1-based. */
  readonly epoch: number;
  /** Mean training loss over the epoch's samples (each batch's loss weighted by its size). */
  readonly trainLoss: number;
  readonly validAccuracy: number;
  /** Steps taken so far, all epochs. */
  readonly steps: number;
  /** The learning rate of the epoch's last step. */
  readonly lr: number;
};

export type TrainResult = {
  /** Every parameter of the graph: trained ones and batch norm's running statistics, as the last step left them. */
  readonly params: Map<string, Float32Array>;
  readonly epochs: readonly EpochMetrics[];
  readonly steps: number;
  /** True when the signal stopped training before the last epoch ended. */
  readonly aborted: boolean;
  /** True when early stopping ended training before `epochs` (then `epochs` holds fewer entries). */
  readonly stoppedEarly: boolean;
};

function positiveInt(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ConfigError(`train.${field} must be an integer >= 1, found ${String(value)}`);
  }
  return value;
}

/**
 * Trains `graph` for `epochs` epochs: one ONNX model holds forward, backward and optimiser update
 * (graph/optim), and each step is one session.run with the weights and optimiser state fed back.
 * After each epoch the inference graph with the current weights measures validation accuracy.
 * Throws TrialFailedError on a NaN/Inf loss. Every session is disposed however the call ends.
 */
export async function trainEpochs(
  graph: Graph,
  data: TrainData,
  options: TrainOptions,
): Promise<TrainResult> {
  const epochs = positiveInt(options.epochs, 'epochs');
  const batchSize = positiveInt(options.batchSize, 'batchSize');
  if (!(Number.isFinite(options.lr) && options.lr > 0)) {
    throw new ConfigError(`train.lr must be a finite number > 0, found ${String(options.lr)}`);
  }
  const io = trainingIo(graph, data, options.loss);
  const nchwcBlock = await trainingNchwcBlock(options.session);
  const step = buildTrainingStep(graph, {
    loss: io.loss,
    optimizer: options.optimizer,
    decay: options.decay ?? 'all',
    seed: options.seed,
    ...(nchwcBlock === undefined ? {} : { nchwcBlock }),
  });
  const params = new Map(options.params ?? initParameters(graph, new Rng(options.seed)));
  const early = options.earlyStopping && new EarlyStopping(options.earlyStopping);
  const sampler = new BatchSampler(data.train, batchSize, options.seed, options.dropLast ?? false);
  if (sampler.stepsPerEpoch === 0) {
    throw new ConfigError(
      `train.batchSize ${batchSize} is larger than the ${data.train.count} training samples with dropLast; lower it`,
    );
  }
  const total = epochs * sampler.stepsPerEpoch;
  const session = await Session.create(step.model.toBytes(), options.session);
  const history: EpochMetrics[] = [];
  let steps = 0;
  let aborted = false;
  let stoppedEarly = false;
  try {
    const runner = new FeedbackRunner(session, step.loop, initialStepState(step, params));
    const trained = (): void => {
      const state = runner.state();
      for (const p of step.params) params.set(p.name, state[p.name]?.data as Float32Array);
      // Batch norm's running statistics are updated by every step too: evaluation needs them.
      for (const b of step.buffers) params.set(b.spec.name, state[b.spec.name]?.data as Float32Array);
    };
    for (let epoch = 1; epoch <= epochs && !aborted && !stoppedEarly; epoch++) {
      let lossSum = 0;
      let seen = 0;
      let lr = options.lr;
      for (const batch of sampler.epoch()) {
        if (options.signal?.aborted === true) {
          aborted = true;
          break;
        }
        lr = learningRate(options.lr, steps, total, options.cosine ?? false);
        const out = await runner.step(
          { [io.input]: batch.x, [io.labels]: batch.labels, [LEARNING_RATE_INPUT]: float32([], [lr]) },
          step.fetches,
        );
        const loss = out[step.loss]?.data[0] as number;
        steps++;
        if (!Number.isFinite(loss)) {
          throw new TrialFailedError(
            `training loss is ${loss} at epoch ${epoch}, step ${steps} (lr ${lr}); the training diverged or the ` +
              'data holds NaN/Inf values: lower the learning rate or check the inputs',
          );
        }
        lossSum += loss * batch.size;
        seen += batch.size;
      }
      trained();
      if (aborted) break;
      const validAccuracy = await evaluateAccuracy(graph, params, data.valid, {
        logits: io.logits,
        input: io.input,
        session: options.session,
      });
      const metrics = { epoch, trainLoss: lossSum / seen, validAccuracy, steps, lr };
      history.push(metrics);
      await options.onEpoch?.(metrics);
      stoppedEarly = early !== undefined && early.update(validAccuracy) && epoch < epochs;
    }
  } finally {
    await session.dispose();
  }
  return { params, epochs: history, steps, aborted, stoppedEarly };
}
