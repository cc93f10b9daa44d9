import { ConfigError, FatalError, TrialFailedError } from '../../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../../core/evaluator.js';
import { Rng } from '../../core/rng.js';
import type { Strategy } from '../../core/strategy.js';
import { loadDataset, type LoadOptions, type LoadedData } from '../../data/config.js';
import { countFlops, countParams } from '../../graph/count.js';
import type { Graph } from '../../graph/graph.js';
import { applyMorphs, type MorphSpec } from '../../graph/morph/index.js';
import { evaluateAccuracy, trainEpochs, trainingIo } from '../../runtime/train/index.js';
import type { EasLineage } from '../../strategy/eas/eas.js';
import type { Weights } from '../../strategy/eas/weights.js';
import type { TrainEvaluatorConfig } from '../train/config.js';
import { trainingFraction } from '../train/fraction.js';
import { checkLimits, classify, trialSeed, trialTrainOptions } from '../train/trial.js';

/**
 * The train evaluator's counterpart for the `eas` strategy: the same config (`evaluator: { type: train }`)
 * and metrics, but a child does not start from scratch: the strategy names its parent and hands over the
 * parent's trained weights, the child's new transformations are applied to them (graph/morph, function
 * preserving), and the child trains `epochs` epochs from there. The start network trains the strategy's
 * `baseEpochs` from scratch. The trained weights go back to the strategy (EasLineage.offer), whose state
 * keeps those of the parent and of the best network. Trials run in the main thread (`workers` is not
 * used; concurrent trials overlap on ONNX Runtime's threads).
 *
 * Extra metrics: `inherited_acc`, the child's validation accuracy with the inherited weights before any
 * training (equal to the parent's, by function preservation), and `parent_steps`.
 */
export class EasEvaluator implements Evaluator<Graph> {
  readonly signal = 'valid_acc';
  readonly direction = 'maximize' as const;
  private strategy: EasLineage | undefined;

  /** `data.train` is the proxy training set (already cut to `config.dataFraction`). */
  constructor(
    readonly config: TrainEvaluatorConfig,
    readonly data: LoadedData,
  ) {}

  /** Follows the strategy's lineage: it names each trial's parent and keeps the trained weights. */
  attach(strategy: Strategy): void {
    const s = strategy as Partial<EasLineage>;
    if (typeof s.startOf !== 'function' || typeof s.offer !== 'function') {
      throw new ConfigError(
        `the weight-inheriting evaluator follows a lineage of networks (startOf, offer); strategy ${strategy.name} keeps none`,
      );
    }
    this.strategy = strategy as Strategy & EasLineage;
  }

  async evaluate(arch: Graph, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const strategy = this.strategy;
    if (strategy === undefined)
      throw new FatalError('the weight-inheriting evaluator has no lineage: attach(strategy) was not called');
    try {
      return await this.run(strategy, arch, trial, signal);
    } catch (e) {
      throw classify(e);
    }
  }

  private async run(
    strategy: EasLineage,
    arch: Graph,
    trial: TrialHandle,
    signal: AbortSignal,
  ): Promise<Evaluation> {
    const c = this.config;
    const { train, valid, test } = this.data;
    const space = strategy.space;
    checkLimits(countParams(arch), countFlops(arch), c);
    const start = strategy.startOf(trial.sample);
    const session = { intraOpNumThreads: c.threads };
    const io = trainingIo(arch, { train, valid });
    const accuracy = (graph: Graph, params: Weights, split: typeof valid): Promise<number> =>
      evaluateAccuracy(graph, params, split, { logits: io.logits, input: io.input, session });
    const metrics: Record<string, number> = {};
    let graph = arch;
    let initial: Weights | undefined;
    if (start.parent !== undefined) {
      const parentSteps = space.steps(start.parent.sample).length;
      const specs = space
        .specs(space.steps(trial.sample))
        .slice(parentSteps)
        .map((s): MorphSpec => (s.kind === 'widen' ? { ...s, noise: start.noise } : s));
      const child = applyMorphs(
        space.decode(start.parent.sample),
        start.parent.weights,
        specs,
        new Rng(trialSeed(c.seed, `morph ${trial.key}`)),
      );
      graph = child.graph;
      initial = child.params;
      metrics['inherited_acc'] = await accuracy(graph, initial, valid);
      metrics['parent_steps'] = parentSteps;
    }
    const started = performance.now();
    const result = await trainEpochs(
      graph,
      { train, valid },
      {
        ...trialTrainOptions(c, trial.key),
        epochs: start.epochs ?? c.epochs,
        params: initial,
        signal: stopSignal(() => signal.aborted || trial.shouldStop()),
        onEpoch: (m) => trial.report(m.epoch, { train_loss: m.trainLoss, valid_acc: m.validAccuracy }),
      },
    );
    if (signal.aborted) return { metrics: {} };
    const last = result.epochs.at(-1);
    if (last === undefined) throw new TrialFailedError('eas: training stopped before its first epoch ended');
    metrics['valid_acc'] = last.validAccuracy;
    if (test.count > 0) metrics['test_acc'] = await accuracy(graph, result.params, test);
    metrics['train_loss'] = last.trainLoss;
    metrics['params'] = countParams(graph);
    metrics['flops'] = countFlops(graph);
    metrics['train_seconds'] = (performance.now() - started) / 1000;
    metrics['epochs'] = result.epochs.length;
    strategy.offer(trial.key, result.params);
    return { metrics };
  }
}

/** A signal whose `aborted` reads `stopped`, which trainEpochs polls before each step (as trial.ts). */
function stopSignal(stopped: () => boolean): AbortSignal {
  const stop = new AbortController().signal;
  Object.defineProperty(stop, 'aborted', { get: stopped });
  return stop;
}

/** Loads the config's dataset once (paths relative to `baseDir`) and cuts training to `dataFraction`. */
export async function createEasEvaluator(
  config: TrainEvaluatorConfig,
  baseDir: string,
  options: LoadOptions = {},
): Promise<EasEvaluator> {
  const loaded = await loadDataset(config.data, baseDir, options);
  if (loaded.valid.count === 0) {
    throw new ConfigError(
      'evaluator.data.split.valid leaves no validation samples; eas rewards children by validation accuracy: raise it',
    );
  }
  return new EasEvaluator(config, {
    ...loaded,
    train: trainingFraction(loaded.train, config.dataFraction, config.seed),
  });
}
