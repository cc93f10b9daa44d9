import { ConfigError } from '../core/errors.js';
import type { Evaluator } from '../core/evaluator.js';
import type { SearchSpace } from '../core/space.js';
import type { ExperimentRecord, Storage } from '../core/storage.js';
import type { Strategy } from '../core/strategy.js';
import type { Json } from '../core/types.js';
import { evaluatorEntry } from '../evaluate/registry.js';
import { createPruning } from '../prune/registry.js';
import { createStrategy, strategyEntry, strategyNames } from '../strategy/registry.js';
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
  strategy: Strategy,
  storage: Storage,
  controls: RunControls,
): Promise<RunSummary> {
  const evaluator = controls.evaluator
    ? await controls.evaluator(parts.evaluator, experiment)
    : parts.evaluator;
  try {
    return await makeRunner(experiment.id, { ...parts, evaluator }, strategy, storage, controls).run();
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

/** The strategies that declare they run with evaluator `type` (for the message when another is named). */
function strategiesFor(type: string): string[] {
  return strategyNames().filter((name) => strategyEntry(name).evaluator?.types.includes(type));
}

/**
 * Loads what the config's evaluator needs (a table, or a dataset) and the space it searches. A strategy
 * that declares its own evaluator gets it: the config must name one of the types it runs with, and its
 * implementation (if any) is built from that config in place of the type's own.
 */
export async function buildParts(config: ExperimentConfig): Promise<Parts> {
  const e = config.evaluator;
  const strategy = config.strategy.name;
  const need = strategyNames().includes(strategy) ? strategyEntry(strategy).evaluator : undefined;
  if (need !== undefined && !need.types.includes(e.type)) {
    throw new ConfigError(
      `strategy ${strategy} needs evaluator: { type: ${need.types.join(' | ')}, data: ... } (${need.why}); ` +
        `found type ${e.type}`,
    );
  }
  const entry = evaluatorEntry(need?.implementation ?? e.type);
  const built = await entry.build(e, { space: config.space, baseDir: process.cwd() });
  if (built.evaluator.attach !== undefined && need === undefined) {
    await built.evaluator.close?.();
    const drivers = strategiesFor(e.type).join(' | ') || '(none registered)';
    throw new ConfigError(
      `evaluator ${e.type} needs strategy ${drivers} (found "${strategy}"), which drives it: set strategy: ${drivers}`,
    );
  }
  return {
    space: built.space,
    evaluator: built.evaluator,
    config: { ...config, evaluator: built.config as ExperimentConfig['evaluator'] },
  };
}

function makeRunner(
  experimentId: string,
  parts: Parts,
  strategy: Strategy,
  storage: Storage,
  controls: RunControls,
): Runner {
  const { config, space } = parts;
  // The evaluator that shares weights with its strategy follows this strategy from now on.
  parts.evaluator.attach?.(strategy);
  return new Runner({
    experimentId,
    storage,
    space,
    // The experiment's reward and constraints (if any) rewrite the score every strategy learns from.
    strategy: withReward(strategy, config, config.invalidReward),
    evaluator: parts.evaluator,
    budget: config.budget,
    concurrency: config.concurrency,
    // A strategy that proposes the same architecture again on purpose has each proposal evaluated.
    duplicates: strategyEntry(config.strategy.name).duplicates ?? config.duplicates,
    invalidReward: config.invalidReward,
    reporters: controls.reporters,
    signal: controls.signal,
    pruning: createPruning(config.pruner, parts.evaluator, { seed: config.seed }),
  });
}

function newStrategy(parts: Parts): Strategy {
  const { config, space } = parts;
  return createStrategy(config.strategy.name, config.strategy.options, space, config.seed);
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
    return await startWithParts(parts, storage, controls);
  } finally {
    // The train evaluator's worker threads end here, whatever way the run ended.
    await parts.evaluator.close?.();
  }
}

/**
 * Starts an experiment from parts already built (the library's search() builds them from code: a
 * function as the evaluator, a space object). Closing the evaluator is the caller's.
 */
export async function startWithParts(
  parts: Parts,
  storage: Storage,
  controls: RunControls = {},
): Promise<RunSummary> {
  const { config } = parts;
  const strategy = newStrategy(parts);
  // Pairings the evaluator refuses (a weight-sharing evaluator and another strategy) fail here, before
  // anything is stored.
  parts.evaluator.attach?.(strategy);
  createPruning(config.pruner, parts.evaluator, { seed: config.seed });
  const experiment = await storage.createExperiment(config.name ?? defaultName(config), configToJson(config));
  return runWith(experiment, parts, strategy, storage, controls);
}

/** Continues a stored experiment: finished trials are kept, unfinished ones run again. */
export async function resumeExperiment(
  experimentId: string,
  storage: Storage,
  controls: RunControls = {},
): Promise<RunSummary> {
  const experiment = await resumable(experimentId, storage);
  const parts = await buildParts(storedConfig(experiment.config, experimentId));
  try {
    return await runWith(experiment, parts, newStrategy(parts), storage, controls);
  } finally {
    await parts.evaluator.close?.();
  }
}

/** Continues a stored experiment with parts built by the caller (as startWithParts). */
export async function resumeWithParts(
  experimentId: string,
  parts: Parts,
  storage: Storage,
  controls: RunControls = {},
): Promise<RunSummary> {
  const experiment = await resumable(experimentId, storage);
  return runWith(experiment, parts, newStrategy(parts), storage, controls);
}

async function resumable(experimentId: string, storage: Storage): Promise<ExperimentRecord> {
  const experiment = await storage.experiment(experimentId);
  if (experiment.state === 'complete') {
    throw new ConfigError(
      `experiment ${experimentId} (${experiment.name}) is already complete; nothing to resume`,
    );
  }
  return experiment;
}

export function storedConfig(json: Json, experimentId: string): ExperimentConfig {
  return parseExperimentConfig(json, `stored config of experiment ${experimentId}`);
}
