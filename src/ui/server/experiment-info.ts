import { basename } from 'node:path';
import { ConfigError } from '../../core/errors.js';
import type { SearchSpace, SpaceSpec } from '../../core/space.js';
import type { ExperimentRecord } from '../../core/storage.js';
import type { Direction, TrialRecord } from '../../core/types.js';
import { BUILTIN_BENCHMARKS } from '../../evaluate/tabular/builtin.js';
import { readUserTableConfig } from '../../evaluate/tabular/user-table.js';
import { parseObjectives, type Objective } from '../../objective/index.js';
import { evaluatorLabel, type ExperimentConfig } from '../../runner/config.js';
import { storedConfig } from '../../runner/experiment.js';
import { DeclaredSpace, declaredSpaceFromConfig } from '../../space/declared.js';
import { createSpace } from '../../space/registry.js';

/** What the dashboard shows of an experiment's config, worked out once per experiment. */
export interface ExperimentInfo {
  readonly config: ExperimentConfig;
  readonly strategy: string;
  /** The space's name: a type ("chain"), a built-in space ("nb201") or a declared space's name. */
  readonly space: string;
  /** What trials are evaluated on, as `naslab ls` prints it ("nb201/cifar10", "train:fashion-mnist"). */
  readonly evaluator: string;
  /** The metric the search optimises and its direction; null when they cannot be told. */
  readonly signal: string | null;
  readonly direction: Direction | null;
  /** Multi-objective searches (nsga2...): `strategy.options.objectives`. */
  readonly objectives?: readonly Objective[];
}

interface Signal {
  readonly signal: string;
  readonly direction: Direction;
}

function isUserTable(benchmark: string): boolean {
  return /\.ya?ml$/i.test(benchmark);
}

/**
 * The signal of the evaluator the config names. Every training evaluator (train, enas, darts, eas)
 * optimises `valid_acc`; the built-in tables are accuracies (maximised); a user table says its own.
 */
async function configuredSignal(config: ExperimentConfig): Promise<Signal | undefined> {
  const e = config.evaluator;
  if (e.type !== 'benchmark') return { signal: 'valid_acc', direction: 'maximize' };
  const builtin = Object.hasOwn(BUILTIN_BENCHMARKS, e.benchmark)
    ? BUILTIN_BENCHMARKS[e.benchmark]
    : undefined;
  if (builtin !== undefined) {
    const protocol = builtin.datasets[e.dataset ?? builtin.defaultDataset];
    return protocol && { signal: protocol.signal, direction: 'maximize' };
  }
  if (!isUserTable(e.benchmark)) return undefined;
  // The table's YAML may have moved since the run: then the trials tell (inferredSignal).
  const table = await readUserTableConfig(e.benchmark).catch(() => undefined);
  return table && { signal: table.signal, direction: table.direction };
}

/**
 * The signal read off a complete trial: a trial's score is its signal metric, negated when minimising.
 * Used when the config does not say (a user table that is gone); ambiguous ties pick the first metric.
 */
export function inferredSignal(trial: TrialRecord | undefined): Signal | undefined {
  if (trial?.score === undefined) return undefined;
  for (const [name, value] of Object.entries(trial.metrics)) {
    if (value === trial.score) return { signal: name, direction: 'maximize' };
  }
  for (const [name, value] of Object.entries(trial.metrics)) {
    if (value === -trial.score) return { signal: name, direction: 'minimize' };
  }
  return undefined;
}

function spaceName(config: ExperimentConfig): string {
  const space = config.space;
  if (typeof space === 'string') return space;
  if (space !== undefined && 'type' in space) return space.type;
  if (space !== undefined && 'decisions' in space)
    return typeof space.name === 'string' ? space.name : 'declared';
  const e = config.evaluator;
  if (e.type !== 'benchmark') return 'space';
  const builtin = Object.hasOwn(BUILTIN_BENCHMARKS, e.benchmark)
    ? BUILTIN_BENCHMARKS[e.benchmark]
    : undefined;
  return builtin ? builtin.space().name : basename(e.benchmark).replace(/\.ya?ml$/i, '');
}

function objectivesOf(config: ExperimentConfig): Objective[] | undefined {
  const raw = config.strategy.options['objectives'];
  if (raw === undefined) return undefined;
  try {
    return parseObjectives(raw, 'strategy.options');
  } catch {
    // A config the strategy accepted always parses; anything else is shown without a front.
    return undefined;
  }
}

export async function experimentInfo(
  record: ExperimentRecord,
  best: TrialRecord | undefined,
): Promise<ExperimentInfo> {
  const config = storedConfig(record.config, record.id);
  const signal = (await configuredSignal(config)) ?? inferredSignal(best);
  const objectives = objectivesOf(config);
  return {
    config,
    strategy: config.strategy.name,
    space: spaceName(config),
    evaluator: evaluatorLabel(config.evaluator),
    signal: signal?.signal ?? null,
    direction: signal?.direction ?? null,
    ...(objectives ? { objectives } : {}),
  };
}

/**
 * Rebuilds the space an experiment searched, to decode its trials' samples, as the runner built it
 * (runner/experiment.ts): a training evaluator's network space from its spec; a benchmark's own space,
 * or the decisions the config declares over a user table. Built-in spaces are built without loading
 * their table (seconds and hundreds of MB for nb201).
 */
export async function experimentSpace(config: ExperimentConfig): Promise<SearchSpace<unknown>> {
  const space = config.space;
  const e = config.evaluator;
  if (e.type !== 'benchmark') {
    if (typeof space !== 'object' || !('type' in space)) {
      throw new ConfigError('the experiment has no network space to decode its trials with');
    }
    return createSpace(space as SpaceSpec);
  }
  if (typeof space === 'object' && 'decisions' in space) {
    const name = typeof space.name === 'string' ? space.name : 'declared';
    return declaredSpaceFromConfig(name, space.decisions, 'space');
  }
  const builtin = Object.hasOwn(BUILTIN_BENCHMARKS, e.benchmark)
    ? BUILTIN_BENCHMARKS[e.benchmark]
    : undefined;
  if (builtin !== undefined) return builtin.space();
  const table = await readUserTableConfig(e.benchmark);
  return new DeclaredSpace(basename(e.benchmark).replace(/\.ya?ml$/i, ''), table.decisions);
}
