import { ConfigError } from '../core/errors.js';
import type { ExperimentRecord, Storage } from '../core/storage.js';
import type { Json } from '../core/types.js';
import { loadBenchmark, type Benchmark } from '../evaluate/tabular/index.js';
import type { Evaluator } from '../core/evaluator.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import { DartsEvaluator, createDartsEvaluator } from '../evaluate/darts/index.js';
import { bindEas, createEasEvaluator } from '../evaluate/eas/index.js';
import { EnasEvaluator, createEnasEvaluator } from '../evaluate/enas/index.js';
import { checkSpaceFitsData, createTrainEvaluator } from '../evaluate/train/index.js';
import type { LoadedData } from '../data/config.js';
import { createSpace } from '../space/registry.js';
import { DeclaredSpace, declaredSpaceFromConfig } from '../space/declared.js';
import { createPruning } from '../prune/registry.js';
import { createStrategy } from '../strategy/registry.js';
import { withReward } from '../strategy/reward-objective.js';
import { configToJson, defaultName, parseExperimentConfig, type ExperimentConfig } from './config.js';
import type { Reporter, RunSummary } from './reporter.js';
import { Runner } from './runner.js';

export interface RunControls {
  readonly reporters?: readonly Reporter[];
  readonly signal?: AbortSignal;
  /**
   * Replaces the experiment's evaluator for this run (the queue coordinator evaluates through workers):
   * given the one built from the config and the stored experiment. Closed when the run ends.
   */
  readonly evaluator?: (
    local: Evaluator<unknown>,
    experiment: ExperimentRecord,
  ) => Promise<Evaluator<unknown>>;
}

/** Runs an experiment with the evaluator `controls` asks for, closing what it opened. */
async function runWith(
  experiment: ExperimentRecord,
  parts: Parts,
  storage: Storage,
  controls: RunControls,
): Promise<RunSummary> {
  const evaluator = controls.evaluator
    ? await controls.evaluator(parts.evaluator, experiment)
    : parts.evaluator;
  try {
    return await makeRunner(experiment.id, { ...parts, evaluator }, storage, controls).run();
  } finally {
    if (evaluator !== parts.evaluator) await evaluator.close?.();
  }
}

export interface Parts {
  readonly space: SearchSpace<unknown>;
  readonly evaluator: Evaluator<unknown>;
  /** The config with what loading resolved (a benchmark's default dataset). */
  readonly config: ExperimentConfig;
}

/**
 * The space to search on a benchmark: the benchmark's own, unless the config declares one. A declared
 * space must be keyed like the table it searches, so it needs a user table (whose keys are declared-space
 * keys too); architectures it allows that the table lacks are invalid trials.
 */
export function resolveSpace(config: ExperimentConfig, bench: Benchmark): SearchSpace<unknown> {
  const space = config.space;
  if (space === undefined) return bench.space;
  if (typeof space === 'string') {
    if (space !== bench.space.name) {
      throw new ConfigError(
        `space "${space}" does not match benchmark ${bench.name}, whose space is "${bench.space.name}": ` +
          'remove the space field or choose the matching benchmark',
      );
    }
    return bench.space;
  }
  if (!('decisions' in space) || !(bench.space instanceof DeclaredSpace)) {
    throw new ConfigError(
      `space: a benchmark is searched in its own space or in declared decisions over a user table (a .yaml ` +
        `file); ${bench.name} is keyed by its own space "${bench.space.name}"`,
    );
  }
  const name = typeof space.name === 'string' ? space.name : 'declared';
  return declaredSpaceFromConfig(name, space.decisions, 'space');
}

/** Training needs a space that builds networks: `space: { type: chain, input: [...], classes: N }`. */
function trainingSpace(config: ExperimentConfig): SearchSpace<unknown> {
  const space = config.space;
  if (typeof space !== 'object' || !('type' in space)) {
    throw new ConfigError(
      'space: training needs a space that builds networks, e.g. space: { type: chain, input: [1, 28, 28], classes: 10 }',
    );
  }
  return createSpace(space as SpaceSpec);
}

/** The parts of a training evaluator, once its space is known to build networks that fit its data. */
async function fitted(
  space: SearchSpace<unknown>,
  evaluator: Evaluator<unknown> & { readonly data: LoadedData },
  config: ExperimentConfig,
): Promise<Parts> {
  try {
    checkSpaceFitsData(space, evaluator.data);
  } catch (e) {
    await evaluator.close?.();
    throw e;
  }
  return { space, evaluator, config };
}

/** Loads what the config's evaluator needs (a table, or a dataset) and the space it searches. */
export async function buildParts(config: ExperimentConfig): Promise<Parts> {
  const e = config.evaluator;
  if (e.type === 'train') {
    const space = trainingSpace(config);
    // eas trains its children from their parents' weights: the train settings, its own evaluator.
    const evaluator =
      config.strategy.name === 'eas'
        ? await createEasEvaluator(e, process.cwd())
        : await createTrainEvaluator(e, process.cwd());
    return fitted(space, evaluator, config);
  }
  if (e.type === 'darts') {
    const space = trainingSpace(config);
    return fitted(space, await createDartsEvaluator(e, space, process.cwd()), config);
  }
  if (e.type === 'enas') {
    const space = trainingSpace(config);
    return fitted(space, await createEnasEvaluator(e, space, process.cwd()), config);
  }
  const bench = await loadBenchmark(e.benchmark, { dataset: e.dataset });
  return {
    space: resolveSpace(config, bench),
    evaluator: bench.evaluator,
    config: { ...config, evaluator: { ...e, dataset: bench.dataset } },
  };
}

function makeRunner(experimentId: string, parts: Parts, storage: Storage, controls: RunControls): Runner {
  const { config, space } = parts;
  const strategy = createStrategy(config.strategy.name, config.strategy.options, space, config.seed);
  bindEas(strategy, parts.evaluator);
  const enas = parts.evaluator instanceof EnasEvaluator;
  if (enas) parts.evaluator.bind(strategy);
  else if (strategy.name === 'enas') {
    throw new ConfigError(
      'strategy enas needs evaluator: { type: enas, data: ... } (its weight-sharing supernet)',
    );
  }
  const darts = parts.evaluator instanceof DartsEvaluator;
  if (darts) parts.evaluator.bind(strategy);
  else if (strategy.name === 'darts') {
    throw new ConfigError('strategy darts needs evaluator: { type: darts, data: ... } (its relaxed network)');
  }
  return new Runner({
    experimentId,
    storage,
    space,
    // The experiment's reward and constraints (if any) rewrite the score every strategy learns from.
    strategy: withReward(strategy, config, config.invalidReward),
    evaluator: parts.evaluator,
    budget: config.budget,
    concurrency: config.concurrency,
    // ENAS proposes the same architecture again on purpose (a probe, the retrained candidate).
    // DARTS too (an epoch's architecture is often the last one's; the retrained one is the last epoch's).
    duplicates: enas || darts ? 'evaluate' : config.duplicates,
    invalidReward: config.invalidReward,
    reporters: controls.reporters,
    signal: controls.signal,
    pruning: createPruning(config.pruner, parts.evaluator, { seed: config.seed }),
  });
}

/**
 * Validates everything that can be checked before anything is stored (benchmark or dataset, space,
 * strategy options), so a bad config leaves no half-created experiment behind.
 */
export async function startExperiment(
  config: ExperimentConfig,
  storage: Storage,
  controls: RunControls = {},
): Promise<RunSummary> {
  const parts = await buildParts(config);
  try {
    createStrategy(config.strategy.name, config.strategy.options, parts.space, config.seed);
    createPruning(config.pruner, parts.evaluator, { seed: config.seed });
    const experiment = await storage.createExperiment(
      config.name ?? defaultName(parts.config),
      configToJson(parts.config),
    );
    return await runWith(experiment, parts, storage, controls);
  } finally {
    // The train evaluator's worker threads end here, whatever way the run ended.
    await parts.evaluator.close?.();
  }
}

/** Continues a stored experiment: finished trials are kept, unfinished ones run again. */
export async function resumeExperiment(
  experimentId: string,
  storage: Storage,
  controls: RunControls = {},
): Promise<RunSummary> {
  const experiment = await storage.experiment(experimentId);
  if (experiment.state === 'complete') {
    throw new ConfigError(
      `experiment ${experimentId} (${experiment.name}) is already complete; nothing to resume`,
    );
  }
  const parts = await buildParts(storedConfig(experiment.config, experimentId));
  try {
    return await runWith(experiment, parts, storage, controls);
  } finally {
    await parts.evaluator.close?.();
  }
}

export function storedConfig(json: Json, experimentId: string): ExperimentConfig {
  return parseExperimentConfig(json, `stored config of experiment ${experimentId}`);
}
