import { FatalError } from '../../core/errors.js';
import type { TrialHandle } from '../../core/evaluator.js';
import { hashString } from '../../core/rng.js';
import type { Dataset } from '../../data/dataset.js';
import { BatchSampler, type Batch } from '../../runtime/train/batches.js';
import { learningRate } from '../../runtime/train/schedule.js';
import type { DartsController, DartsPlan } from '../../strategy/darts/darts.js';
import type { DartsEvaluatorConfig } from './config.js';
import type { DartsSearch } from './search.js';

export type SearchPlan = Extract<DartsPlan, { phase: 'search' }>;

/** A stream for one epoch and purpose, from the config seed: a resumed epoch draws the same batches. */
export function dartsSeed(seed: number, epoch: number, what: string): number {
  return (seed ^ hashString(`darts ${what} ${epoch}`)) >>> 0;
}

export type EpochResult = {
  readonly trainLoss: number;
  readonly validLoss: number;
  /** The relaxed network's accuracy on the epoch's architecture-step batches (before each step). */
  readonly validAcc: number;
  readonly aborted: boolean;
};

/** Mean entropy (nats) of the edges' op distributions softmax(alpha): log(ops) at the start, 0 when decided. */
export function alphaEntropy(controller: DartsController): number {
  let sum = 0;
  for (let e = 0; e < controller.edges.length; e++) {
    const a = controller.alpha(e);
    const top = Math.max(...a);
    const exp = Array.from(a, (v) => Math.exp(v - top));
    const z = exp.reduce((s, v) => s + v, 0);
    for (const v of exp) if (v > 0) sum -= (v / z) * Math.log(v / z);
  }
  return sum / controller.edges.length;
}

/** Validation batches without end: a fresh seeded order each pass. */
function* cycle(sampler: BatchSampler): Generator<Batch> {
  for (;;) yield* sampler.epoch();
}

/**
 * One DARTS epoch (first order, Liu et al. 2019, Algorithm 1): `trainBatches` steps, each (1) an
 * architecture step on the next validation batch (alpha moves, weights fixed), then (2) a weight step on
 * the next training batch (weights move, alpha fixed). The weights' learning rate follows one cosine
 * over every epoch's steps. Reports running means four times an epoch.
 */
export async function runSearchEpoch(
  plan: SearchPlan,
  search: DartsSearch,
  data: { readonly train: Dataset; readonly valid: Dataset },
  c: DartsEvaluatorConfig,
  trial: TrialHandle,
  signal: AbortSignal,
): Promise<EpochResult> {
  const train = new BatchSampler(data.train, c.batchSize, dartsSeed(c.seed, plan.epoch, 'train'), true);
  const validBatch = Math.min(c.batchSize, data.valid.count);
  const valid = cycle(new BatchSampler(data.valid, validBatch, dartsSeed(c.seed, plan.epoch, 'valid'), true));
  const perEpoch = c.trainBatches ?? train.stepsPerEpoch;
  const total = perEpoch * plan.epochs;
  const every = Math.max(1, Math.floor(perEpoch / 4));
  let trainLoss = 0;
  let validLoss = 0;
  let correct = 0;
  let seen = 0;
  let b = 0;
  while (b < perEpoch) {
    for (const batch of train.epoch()) {
      if (b >= perEpoch) break;
      if (signal.aborted) return { trainLoss: NaN, validLoss: NaN, validAcc: NaN, aborted: true };
      const v = valid.next().value as Batch;
      const arch = await search.archStep(v);
      const lr = learningRate(c.lr, plan.epoch * perEpoch + b, total, c.cosine);
      const loss = await search.weightStep(batch, lr);
      if (!Number.isFinite(loss) || !Number.isFinite(arch.loss)) {
        throw new FatalError(
          `darts: the network diverged (training loss ${loss}, validation loss ${arch.loss}) at epoch ` +
            `${plan.epoch + 1}, step ${b + 1} (lr ${lr}); lower evaluator.lr`,
        );
      }
      trainLoss += loss;
      validLoss += arch.loss;
      correct += arch.correct;
      seen += v.size;
      b++;
      if (b % every === 0 && b < perEpoch) {
        await trial.report(b, { train_loss: trainLoss / b, valid_acc: correct / seen });
      }
    }
  }
  return {
    trainLoss: trainLoss / perEpoch,
    validLoss: validLoss / perEpoch,
    validAcc: correct / seen,
    aborted: false,
  };
}
