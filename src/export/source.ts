import { bestTrial, nearLatencyTrial, resolveLatencyMetric } from '../runner/best.js';
import { ConfigError, NotFoundError } from '../core/errors.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { ExperimentRecord, Storage } from '../core/storage.js';
import type { TrialRecord } from '../core/types.js';
import { entryOf } from '../evaluate/registry.js';
import type { TrainEvaluatorConfig } from '../evaluate/train/index.js';
import { Graph } from '../graph/graph.js';
import { evaluatorLabel, type ExperimentConfig } from '../runner/config.js';
import { storedConfig } from '../runner/experiment.js';
import { createSpace } from '../space/registry.js';

/** What an export starts from: the experiment's training setup and the chosen trial's network. */
export interface ExportSource {
  readonly experiment: ExperimentRecord;
  readonly config: ExperimentConfig;
  readonly evaluator: TrainEvaluatorConfig;
  readonly space: SearchSpace<unknown>;
  readonly trial: TrialRecord;
  /** The trial's architecture, decoded from its stored sample: the training graph (IR). */
  readonly graph: Graph;
}

const HOW =
  'export needs an experiment run with `evaluator: { type: train, ... }` over a space that builds ' +
  'networks (e.g. `space: { type: chain, ... }`; see examples/chain-fashion.yaml and docs/export.md)';

/**
 * A trial by id, as `naslab show` prints it ("best: trial 7 (#3)", the table's trial column), or by
 * its number within the experiment with a leading '#' ("#3").
 */
export function findTrial(
  trials: readonly TrialRecord[],
  selector: string,
  experimentId: string,
): TrialRecord {
  const text = selector.trim();
  const found = text.startsWith('#')
    ? trials.find((t) => String(t.number) === text.slice(1))
    : trials.find((t) => t.id === text);
  if (found === undefined) {
    throw new NotFoundError(
      `experiment ${experimentId} has no trial ${JSON.stringify(selector)}: give a trial id as ` +
        `naslab show ${experimentId} lists it, or #N for its N-th trial (#0..#${trials.length - 1})`,
    );
  }
  return found;
}

/** `naslab export --near-latency <ms> [--latency-metric M]`: the front trial for a latency budget. */
export interface LatencyBudget {
  /** Milliseconds, in the latency metric's units. */
  readonly nearLatency: number;
  /** Default: the only latency metric (`latency*_ms`) the trials carry. */
  readonly latencyMetric?: string | undefined;
}

/** Which trial to export: an id or #N, a latency budget, or (undefined) the best. */
export type TrialChoice = string | LatencyBudget | undefined;

/**
 * The trial an export starts from. The best and the latency-budget choices rank by the experiment's
 * reward objective when its config has one (`reward`, `constraints`), so they agree with the search.
 */
export function chooseTrial(
  trials: readonly TrialRecord[],
  choice: TrialChoice,
  id: string,
  config: ExperimentConfig,
): TrialRecord {
  if (typeof choice === 'object') {
    const metric = resolveLatencyMetric(trials, choice.latencyMetric);
    const near = nearLatencyTrial(trials, choice.nearLatency, metric, config);
    if (near === undefined) {
      throw new ConfigError(
        `experiment ${id} has no complete trial with a score and ${metric} to choose from (${trials.length} trials)`,
      );
    }
    return near;
  }
  if (choice === undefined) {
    const best = bestTrial(trials, config);
    if (best === undefined) {
      throw new ConfigError(
        `experiment ${id} has no complete trial to export (${trials.length} trials); run or resume it first`,
      );
    }
    return best;
  }
  const trial = findTrial(trials, choice, id);
  if (trial.state !== 'complete') {
    const why = trial.error ? ` (${trial.error.message})` : '';
    const best = bestTrial(trials, config);
    throw new ConfigError(
      `trial #${trial.number} (${trial.id}) of experiment ${id} is ${trial.state}${why}: only a complete ` +
        `trial can be exported` +
        (best ? `; the best complete one is #${best.number}` : '; the experiment has none yet'),
    );
  }
  return trial;
}

/**
 * Reads the experiment and trial from the store and rebuilds the trial's network from its stored
 * sample, refusing (ConfigError, NotFoundError) what cannot be exported, with the reason and the fix.
 */
export async function exportSource(
  storage: Storage,
  experimentId: string,
  trialSelector?: TrialChoice,
): Promise<ExportSource> {
  const experiment = await storage.experiment(experimentId);
  const config = storedConfig(experiment.config, experimentId);
  // A weight-sharing search's winner is retrained from scratch by the train evaluator its config implies.
  const entry = entryOf(config.evaluator);
  if (!entry.trains) {
    throw new ConfigError(
      `experiment ${experimentId} (${experiment.name}) is evaluated on ${entry.untrained?.what ?? 'evaluator'} ` +
        `${evaluatorLabel(config.evaluator)}: ${entry.untrained?.why ?? 'its trials were not trained by naslab'}, ` +
        `so there is no network or weights to export. ${HOW}`,
    );
  }
  const evaluator = entry.retrain?.(config.evaluator) ?? (config.evaluator as TrainEvaluatorConfig);
  const spec = config.space;
  if (typeof spec !== 'object' || !('type' in spec)) {
    throw new ConfigError(`experiment ${experimentId}: its space does not build networks; ${HOW}`);
  }
  const space = createSpace(spec as SpaceSpec);
  const trial = chooseTrial(await storage.trials(experimentId), trialSelector, experimentId, config);
  const graph = space.decode(trial.sample);
  if (!(graph instanceof Graph)) {
    throw new ConfigError(
      `experiment ${experimentId}: space "${space.name}" does not decode to a network graph; ${HOW}`,
    );
  }
  if (space.key(trial.sample) !== trial.key) {
    // The space changed meaning since the search (another naslab version): the sample is another network.
    throw new ConfigError(
      `trial #${trial.number}: its stored sample decodes to ${space.key(trial.sample)}, not the recorded ` +
        `${trial.key}; this experiment was made by another naslab version: export it with that version`,
    );
  }
  return { experiment, config, evaluator, space, trial, graph };
}
