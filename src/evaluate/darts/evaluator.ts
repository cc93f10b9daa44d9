import { ConfigError, FatalError } from '../../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../../core/evaluator.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy } from '../../core/strategy.js';
import { loadDataset, type LoadOptions, type LoadedData } from '../../data/config.js';
import type { Graph } from '../../graph/graph.js';
import { CellSpace } from '../../space/cell.js';
import type { DartsController } from '../../strategy/darts/darts.js';
import { SharedWeights } from '../../supernet/weights.js';
import { trainTrial } from '../train/index.js';
import { dartsRetrainConfig, type DartsEvaluatorConfig } from './config.js';
import { alphaEntropy, dartsSeed, runSearchEpoch } from './epoch.js';
import { DartsSearch } from './search.js';

/** The `darts_phase` metric: which kind of trial a row is. */
export const DARTS_PHASES = { search: 0, retrain: 1 } as const;

/**
 * The DARTS evaluator: it holds the data, the relaxed network's weights and its sessions (DartsSearch,
 * built at the first search trial) and does what the darts strategy's plan says for the trial in hand:
 * a search epoch (alpha moves in the strategy, the weights here), or the final from-scratch training
 * of the discretised cell (the train evaluator's trainTrial, `retrain` settings). A search trial's
 * `valid_acc` is the relaxed network's accuracy on the validation batches of its architecture steps
 * (batch statistics); the retrain trial's is the real validation accuracy. One trial at a time.
 */
export class DartsEvaluator implements Evaluator<Graph> {
  readonly signal = 'valid_acc';
  readonly direction = 'maximize' as const;
  readonly weights: SharedWeights;
  private controller: DartsController | undefined;
  private search: DartsSearch | undefined;
  private busy = false;

  constructor(
    readonly config: DartsEvaluatorConfig,
    readonly data: LoadedData,
    readonly space: CellSpace,
  ) {
    this.weights = new SharedWeights(dartsSeed(config.seed, 0, 'weights'));
  }

  /** Follows the strategy's DARTS controller, whose saved state then carries the network's weights. */
  attach(strategy: Strategy): void {
    if (!isDartsController(strategy)) {
      throw new ConfigError(
        `evaluator darts follows a DARTS controller (plan, alpha, learn, genotype); strategy ${strategy.name} is not one`,
      );
    }
    this.controller = strategy;
    strategy.attach({ state: () => this.weights.toJSON(), restore: (saved) => this.weights.load(saved) });
  }

  async evaluate(arch: Graph, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const controller = this.controller;
    if (controller === undefined) {
      throw new FatalError('evaluator darts has no controller: attach(strategy) was not called');
    }
    if (this.busy) throw new FatalError('evaluator darts runs one trial at a time: set concurrency: 1');
    this.busy = true;
    try {
      const plan = controller.plan();
      const started = performance.now();
      if (plan.phase === 'retrain') {
        await this.closeSearch(); // its sessions are done with; free them for the training
        const result = await trainTrial(arch, trial.key, dartsRetrainConfig(this.config), this.data, {
          stopRequested: () => signal.aborted,
          cancelled: () => signal.aborted,
          report: (step, metrics) => trial.report(step, metrics),
        });
        return { metrics: { ...result.metrics, darts_phase: DARTS_PHASES.retrain } };
      }
      this.search ??= await DartsSearch.create(this.space, controller, this.weights, {
        optimizer: this.config.optimizer,
        session: { intraOpNumThreads: this.config.threads },
      });
      const r = await runSearchEpoch(plan, this.search, this.data, this.config, trial, signal);
      if (r.aborted) return { metrics: {} };
      return {
        metrics: {
          darts_phase: DARTS_PHASES.search,
          epoch: plan.epoch + 1,
          train_loss: r.trainLoss,
          valid_loss: r.validLoss,
          valid_acc: r.validAcc,
          alpha_entropy: alphaEntropy(controller),
          seconds: (performance.now() - started) / 1000,
        },
      };
    } finally {
      this.busy = false;
    }
  }

  private async closeSearch(): Promise<void> {
    const search = this.search;
    this.search = undefined;
    await search?.dispose();
  }

  async close(): Promise<void> {
    await this.closeSearch();
  }
}

/** The controller interface, checked by shape: the evaluator depends on what a strategy does, not its class. */
function isDartsController(strategy: Strategy): strategy is Strategy & DartsController {
  const s = strategy as Partial<DartsController>;
  return ['plan', 'alpha', 'learn', 'genotype', 'attach'].every(
    (m) => typeof s[m as keyof DartsController] === 'function',
  );
}

/** Loads the data once (paths relative to `baseDir`) and builds the evaluator over the cell space. */
export async function createDartsEvaluator(
  config: DartsEvaluatorConfig,
  space: SearchSpace<unknown>,
  baseDir: string,
  options: LoadOptions = {},
): Promise<DartsEvaluator> {
  if (!(space instanceof CellSpace)) {
    throw new ConfigError(
      `evaluator darts relaxes the cell space: set space: { type: cell, ... } (found "${space.name}")`,
    );
  }
  const data = await loadDataset(config.data, baseDir, options);
  if (data.valid.count === 0) {
    throw new ConfigError(
      'evaluator.data.split.valid leaves no validation samples; DARTS trains its architecture weights on them',
    );
  }
  if (Math.floor(data.train.count / config.batchSize) === 0) {
    throw new ConfigError(
      `evaluator.batchSize ${config.batchSize} exceeds the ${data.train.count} training samples; lower it`,
    );
  }
  return new DartsEvaluator(config, data, space);
}
