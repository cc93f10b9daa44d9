import { ConfigError, FatalError } from '../../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../../core/evaluator.js';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy } from '../../core/strategy.js';
import { loadDataset, type LoadOptions, type LoadedData } from '../../data/config.js';
import type { Graph } from '../../graph/graph.js';
import type { EnasController } from '../../strategy/enas.js';
import { Supernet } from '../../supernet/supernet.js';
import { SharedWeights } from '../../supernet/weights.js';
import { trainTrial } from '../train/index.js';
import { enasRetrainConfig, type EnasEvaluatorConfig } from './config.js';
import { epochSeed, runEpoch } from './epoch.js';

/** The `enas_phase` metric: which kind of trial a row is. */
export const ENAS_PHASES = { epoch: 0, candidate: 1, retrain: 2 } as const;

/**
 * The ENAS evaluator: it holds the supernet (shared weights and cached child sessions) and the data,
 * and does what the enas strategy's plan says for the trial in hand: an ENAS epoch (EnasController
 * samples and learns), a candidate's ranking with the shared weights, or the final from-scratch
 * training (the train evaluator's trainTrial, with `retrain`'s settings). Every trial reports
 * `valid_acc`: the probe's or candidate's accuracy on the fixed ranking subset of the validation split
 * with the shared weights, or the retrained network's validation accuracy. Trials run one at a time.
 */
export class EnasEvaluator implements Evaluator<Graph> {
  readonly signal = 'valid_acc';
  readonly direction = 'maximize' as const;
  readonly weights: SharedWeights;
  readonly supernet: Supernet;
  private readonly rank: Int32Array;
  private controller: EnasController | undefined;
  private busy = false;

  constructor(
    readonly config: EnasEvaluatorConfig,
    readonly data: LoadedData,
    space: SearchSpace<unknown>,
  ) {
    this.weights = new SharedWeights(epochSeed(config.seed, 0, 'weights'));
    this.supernet = new Supernet(space, this.weights, data.train, {
      optimizer: config.optimizer,
      cacheSize: config.cacheSize,
      session: { intraOpNumThreads: config.threads, graphOptimizationLevel: config.sessionOptimization },
    });
    const order = new Rng(epochSeed(config.seed, 0, 'rank')).shuffle(
      Array.from({ length: data.valid.count }, (_, i) => i),
    );
    this.rank = Int32Array.from(order.slice(0, Math.min(config.rankSamples, order.length)));
  }

  /** Follows the strategy's ENAS controller, whose saved state then carries the shared weights. */
  attach(strategy: Strategy): void {
    if (!isEnasController(strategy)) {
      throw new ConfigError(
        `evaluator enas follows an ENAS controller (plan, sampleChild, learn); strategy ${strategy.name} is not one`,
      );
    }
    this.controller = strategy;
    strategy.attach({ state: () => this.weights.toJSON(), restore: (saved) => this.weights.load(saved) });
  }

  async evaluate(arch: Graph, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const controller = this.controller;
    if (controller === undefined) {
      throw new FatalError('evaluator enas has no controller: attach(strategy) was not called');
    }
    if (this.busy) throw new FatalError('evaluator enas runs one trial at a time: set concurrency: 1');
    this.busy = true;
    try {
      const plan = controller.plan();
      const started = performance.now();
      if (plan.phase === 'retrain') {
        const c = enasRetrainConfig(this.config);
        const result = await trainTrial(arch, trial.key, c, this.data, {
          stopRequested: () => signal.aborted,
          cancelled: () => signal.aborted,
          report: (step, metrics) => trial.report(step, metrics),
        });
        return { metrics: { ...result.metrics, enas_phase: ENAS_PHASES.retrain } };
      }
      const built = this.supernet.stats.builds;
      const metrics: Record<string, number> = { enas_phase: ENAS_PHASES[plan.phase] };
      if (plan.phase === 'epoch') {
        const r = await runEpoch(plan, this.supernet, controller, this.data, this.config, trial, signal);
        if (r.aborted) return { metrics: {} };
        Object.assign(metrics, { epoch: plan.epoch + 1, train_loss: r.trainLoss, children: r.children });
        // No controller steps (controllerSteps: 0): no reward to show.
        if (Number.isFinite(r.meanReward))
          Object.assign(metrics, { reward: r.meanReward, entropy: r.entropy });
      }
      metrics['valid_acc'] = await this.supernet.accuracy(trial.sample, this.data.valid, {
        // The reward batch size: a larger batch would grow every cached session's memory arena.
        batchSize: Math.min(this.config.rewardBatch, this.rank.length),
        indices: this.rank,
      });
      metrics['sessions_built'] = this.supernet.stats.builds - built;
      metrics['seconds'] = (performance.now() - started) / 1000;
      return { metrics };
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    await this.supernet.close();
  }
}

/** The controller interface, checked by shape: the evaluator depends on what a strategy does, not its class. */
function isEnasController(strategy: Strategy): strategy is Strategy & EnasController {
  const s = strategy as Partial<EnasController>;
  return ['plan', 'sampleChild', 'learn', 'attach'].every(
    (m) => typeof s[m as keyof EnasController] === 'function',
  );
}

/** Loads the data once (paths relative to `baseDir`) and builds the evaluator over `space`. */
export async function createEnasEvaluator(
  config: EnasEvaluatorConfig,
  space: SearchSpace<unknown>,
  baseDir: string,
  options: LoadOptions = {},
): Promise<EnasEvaluator> {
  const data = await loadDataset(config.data, baseDir, options);
  if (data.valid.count === 0) {
    throw new ConfigError(
      'evaluator.data.split.valid leaves no validation samples; ENAS rewards children on them',
    );
  }
  if (Math.floor(data.train.count / config.batchSize) === 0) {
    throw new ConfigError(
      `evaluator.batchSize ${config.batchSize} exceeds the ${data.train.count} training samples; lower it`,
    );
  }
  return new EnasEvaluator(config, data, space);
}
