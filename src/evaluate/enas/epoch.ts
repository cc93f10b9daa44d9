import { FatalError } from '../../core/errors.js';
import type { TrialHandle } from '../../core/evaluator.js';
import { Rng, hashString } from '../../core/rng.js';
import type { Sample } from '../../core/types.js';
import type { Dataset } from '../../data/dataset.js';
import { BatchSampler } from '../../runtime/train/batches.js';
import { learningRate } from '../../runtime/train/schedule.js';
import type { EnasController, EnasPlan } from '../../strategy/enas.js';
import type { Supernet } from '../../supernet/supernet.js';
import type { EnasEvaluatorConfig } from './config.js';

export type EpochPlan = Extract<EnasPlan, { phase: 'epoch' }>;

/** A stream for one epoch and purpose, from the config seed: a resumed epoch draws the same batches. */
export function epochSeed(seed: number, epoch: number, what: string): number {
  return (seed ^ hashString(`enas ${what} ${epoch}`)) >>> 0;
}

export type EpochResult = {
  readonly trainLoss: number;
  readonly meanReward: number;
  readonly entropy: number;
  readonly children: number;
  readonly aborted: boolean;
};

/**
 * One ENAS epoch: (a) train the shared weights on `trainBatches` training batches, a new child sampled
 * from the controller every `batchesPerChild` batches; (b) `controllerSteps` REINFORCE updates, each over
 * `controllerBatch` children rewarded by their accuracy on a random validation batch with the shared
 * weights (fixed during b). The learning rate follows one cosine over all epochs' training batches.
 */
export async function runEpoch(
  plan: EpochPlan,
  net: Supernet,
  controller: EnasController,
  data: { readonly train: Dataset; readonly valid: Dataset },
  c: EnasEvaluatorConfig,
  trial: TrialHandle,
  signal: AbortSignal,
): Promise<EpochResult> {
  const sampler = new BatchSampler(data.train, c.batchSize, epochSeed(c.seed, plan.epoch, 'batches'), true);
  const perEpoch = c.trainBatches ?? sampler.stepsPerEpoch;
  const total = perEpoch * plan.epochs;
  const seen = new Set<string>();
  let lossSum = 0;
  let b = 0;
  let child: Sample | undefined;
  while (b < perEpoch) {
    for (const batch of sampler.epoch()) {
      if (b >= perEpoch) break;
      if (signal.aborted)
        return { trainLoss: NaN, meanReward: NaN, entropy: NaN, children: 0, aborted: true };
      if (b % c.batchesPerChild === 0 || child === undefined) {
        child = controller.sampleChild();
        seen.add(net.space.key(child));
      }
      const step = plan.epoch * perEpoch + b;
      const lr = learningRate(c.lr, step, total, c.cosine);
      const loss = await net.train(child, batch.x, batch.labels, lr);
      if (!Number.isFinite(loss)) {
        // Every later child would read the broken weights: the search cannot go on.
        throw new FatalError(
          `enas: the shared weights diverged (loss ${loss}) at epoch ${plan.epoch + 1}, batch ${b + 1} ` +
            `(lr ${lr}); lower evaluator.lr`,
        );
      }
      lossSum += loss;
      b++;
    }
  }
  await trial.report(1, { train_loss: lossSum / perEpoch, children: seen.size });

  const rng = new Rng(epochSeed(c.seed, plan.epoch, 'rewards'));
  const size = Math.min(c.rewardBatch, data.valid.count);
  let rewardSum = 0;
  let entropySum = 0;
  for (let s = 0; s < plan.controllerSteps; s++) {
    if (signal.aborted) return { trainLoss: NaN, meanReward: NaN, entropy: NaN, children: 0, aborted: true };
    const results: { sample: Sample; reward: number }[] = [];
    for (let k = 0; k < plan.controllerBatch; k++) {
      const sample = controller.sampleChild();
      const indices = Int32Array.from({ length: size }, () => rng.int(data.valid.count));
      const reward = await net.accuracy(sample, data.valid, { batchSize: size, indices });
      results.push({ sample, reward });
      rewardSum += reward;
    }
    entropySum += controller.learn(results);
  }
  const rewards = plan.controllerSteps * plan.controllerBatch;
  const meanReward = rewards === 0 ? NaN : rewardSum / rewards;
  const entropy = plan.controllerSteps === 0 ? NaN : entropySum / plan.controllerSteps;
  if (rewards > 0) await trial.report(2, { reward: meanReward, entropy });
  return { trainLoss: lossSum / perEpoch, meanReward, entropy, children: seen.size, aborted: false };
}
