import { ConfigError } from '../core/errors.js';
import type { Storage } from '../core/storage.js';
import type { Json } from '../core/types.js';
import { loadBenchmark, type Benchmark } from '../evaluate/tabular/index.js';
import type { SearchSpace } from '../core/space.js';
import { DeclaredSpace, declaredSpaceFromConfig } from '../space/declared.js';
import { createStrategy } from '../strategy/registry.js';
import { configToJson, defaultName, parseExperimentConfig, type ExperimentConfig } from './config.js';
import type { Reporter, RunSummary } from './reporter.js';
import { Runner } from './runner.js';

export interface RunControls {
  readonly reporters?: readonly Reporter[];
  readonly signal?: AbortSignal;
}

/**
 * The space to search: the benchmark's own, unless the config declares one. A declared space must be
 * keyed like the table it searches, so it needs a user table (whose keys are declared-space keys too);
 * architectures it allows that the table lacks are invalid trials.
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
  if (!(bench.space instanceof DeclaredSpace)) {
    throw new ConfigError(
      `space: a declared space needs a user table benchmark (a .yaml file); ${bench.name} is keyed by its own ` +
        `space "${bench.space.name}"`,
    );
  }
  return declaredSpaceFromConfig(space.name ?? 'declared', space.decisions, 'space');
}

/** Builds a runner for an experiment from its config (a fresh run or a resumed one). */
async function makeRunner(
  experimentId: string,
  config: ExperimentConfig,
  storage: Storage,
  controls: RunControls,
  benchmark?: Benchmark,
): Promise<Runner> {
  const bench =
    benchmark ?? (await loadBenchmark(config.evaluator.benchmark, { dataset: config.evaluator.dataset }));
  const space = resolveSpace(config, bench);
  const strategy = createStrategy(config.strategy.name, config.strategy.options, space, config.seed);
  return new Runner({
    experimentId,
    storage,
    space,
    strategy,
    evaluator: bench.evaluator,
    budget: config.budget,
    concurrency: config.concurrency,
    duplicates: config.duplicates,
    invalidReward: config.invalidReward,
    reporters: controls.reporters,
    signal: controls.signal,
  });
}

/**
 * Validates everything that can be checked before anything is stored (benchmark, dataset, strategy
 * options), so a bad config leaves no half-created experiment behind.
 */
export async function startExperiment(
  config: ExperimentConfig,
  storage: Storage,
  controls: RunControls = {},
): Promise<RunSummary> {
  const bench = await loadBenchmark(config.evaluator.benchmark, { dataset: config.evaluator.dataset });
  createStrategy(config.strategy.name, config.strategy.options, resolveSpace(config, bench), config.seed);
  const resolved: ExperimentConfig = {
    ...config,
    evaluator: { ...config.evaluator, dataset: bench.dataset },
  };
  const experiment = await storage.createExperiment(
    config.name ?? defaultName(resolved),
    configToJson(resolved),
  );
  const runner = await makeRunner(experiment.id, resolved, storage, controls, bench);
  return runner.run();
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
  const config = storedConfig(experiment.config, experimentId);
  const runner = await makeRunner(experimentId, config, storage, controls);
  return runner.run();
}

export function storedConfig(json: Json, experimentId: string): ExperimentConfig {
  return parseExperimentConfig(json, `stored config of experiment ${experimentId}`);
}
