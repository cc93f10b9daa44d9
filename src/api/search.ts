import { ConfigError, TrialFailedError } from '../core/errors.js';
import type { Evaluation, Evaluator, TrialHandle } from '../core/evaluator.js';
import type { SearchSpace, SpaceSpec } from '../core/space.js';
import type { Storage } from '../core/storage.js';
import type { Direction, Metrics, Sample, TrialRecord } from '../core/types.js';
import { parseExperimentConfig, type ExperimentConfig } from '../runner/config.js';
import { resumeWithParts, startWithParts, type Parts } from '../runner/experiment.js';
import type { Budget, Reporter, RunSummary } from '../runner/reporter.js';
import { createSpace } from '../space/registry.js';
import { MEMORY_LOCATION, openStorage } from '../storage/open.js';

/** What the evaluate function is told about the trial it scores. */
export interface TrialContext {
  /** The trial's id in the store. */
  readonly id: string;
  /** The decisions of the architecture, and its canonical key. */
  readonly sample: Sample;
  readonly key: string;
  /**
   * An intermediate result (an epoch's validation accuracy): stored, shown by the dashboard, and fed to
   * the pruner. Steps start at 1.
   */
  report(step: number, metrics: Metrics): Promise<void>;
  /** True once a pruner judged the trial hopeless: return what you have (or throw) soon. */
  shouldStop(): boolean;
  /** Aborted when the search stops (Ctrl-C, `abortSignal`): the result will not be recorded. */
  readonly signal: AbortSignal;
}

/** Scores one architecture: the metrics (at least `signal`), or the signal's value alone. */
export type EvaluateFunction<A> = (
  arch: A,
  trial: TrialContext,
) => Promise<Metrics | number> | Metrics | number;

export interface SearchOptions<A> {
  /** A space object, or the spec of a registered space type (`{ type: 'chain', input: [...], classes: 10 }`). */
  readonly space: SearchSpace<A> | SpaceSpec;
  /** Scores an architecture. A thrown error fails that trial only; the search goes on. */
  readonly evaluate: EvaluateFunction<A>;
  /** The metric the strategy optimises (a key of what `evaluate` returns). Default `score`. */
  readonly signal?: string;
  readonly direction?: Direction;
  /** A registered strategy's name, or name and options. Default `evolution`. */
  readonly strategy?:
    string | { readonly name: string; readonly options?: Readonly<Record<string, unknown>> };
  /** When to stop: trials, and/or wall seconds of this call. */
  readonly budget: Budget;
  /** A SQLite file (the CLI's `naslab ls/show/ui` read it), ':memory:' (the default), or a Storage. */
  readonly storage?: string | Storage;
  /** Continue this stored experiment instead of starting one: finished trials are kept. */
  readonly resume?: string;
  readonly name?: string;
  readonly seed?: number;
  /** Trials evaluated at once (default 1). */
  readonly concurrency?: number;
  /** 'reuse' (default): an architecture proposed again is not evaluated again. */
  readonly duplicates?: 'reuse' | 'evaluate';
  /** Early stopping from the reports, as the config's `pruner:` (`{ type: 'median' }`...). */
  readonly pruner?: Readonly<Record<string, unknown>>;
  readonly reporters?: readonly Reporter[];
  /** Stops the search: nothing more is asked, and trials still running are left to a resume. */
  readonly abortSignal?: AbortSignal;
}

export interface SearchResult {
  readonly experimentId: string;
  /** Why the search ended: 'budget', 'done' (the strategy has no more), 'stopped'... */
  readonly stopReason: RunSummary['stopReason'];
  /** The best complete trial (by the signal, in its direction). */
  readonly best?: TrialRecord;
  /** Every trial of the experiment, in creation order. */
  readonly trials: readonly TrialRecord[];
}

/** Adapts the user's function to naslab's evaluator contract. */
class FunctionEvaluator<A> implements Evaluator<A> {
  constructor(
    readonly signal: string,
    readonly direction: Direction,
    private readonly fn: EvaluateFunction<A>,
  ) {}

  async evaluate(arch: A, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation> {
    const context: TrialContext = {
      id: trial.id,
      sample: trial.sample,
      key: trial.key,
      report: (step, metrics) => trial.report(step, metrics),
      shouldStop: () => trial.shouldStop(),
      signal,
    };
    const result = await this.fn(arch, context);
    const metrics = typeof result === 'number' ? { [this.signal]: result } : result;
    const value = metrics?.[this.signal];
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new TrialFailedError(
        `evaluate returned no number for the signal "${this.signal}" (got ${JSON.stringify(result)}): ` +
          `return { ${this.signal}: <number>, ... } or the number itself`,
      );
    }
    return { metrics };
  }
}

function spaceOf<A>(space: SearchSpace<A> | SpaceSpec): SearchSpace<unknown> {
  if (typeof (space as SearchSpace<A>).next === 'function') return space as SearchSpace<unknown>;
  return createSpace(space as SpaceSpec);
}

function configOf<A>(o: SearchOptions<A>, space: SearchSpace<unknown>, signal: string): ExperimentConfig {
  const strategy = typeof o.strategy === 'string' ? { name: o.strategy } : o.strategy;
  return parseExperimentConfig(
    {
      name: o.name,
      seed: o.seed,
      space: space.toJSON(),
      evaluator: { type: 'code', signal, direction: o.direction ?? 'maximize' },
      strategy: strategy === undefined ? undefined : { name: strategy.name, options: strategy.options ?? {} },
      budget: o.budget,
      concurrency: o.concurrency,
      duplicates: o.duplicates,
      pruner: o.pruner,
    },
    'search options',
  );
}

/**
 * Runs a search from code with the CLI's runner: the strategy proposes, `evaluate` scores, the store
 * records every trial (a SQLite file is resumable after a crash and listed by `naslab ls/show/ui`).
 *
 * @example
 * const result = await search({
 *   space: { type: 'nb201' },
 *   strategy: 'evolution',
 *   evaluate: async (cell, trial) => ({ score: await myTraining(cell, trial) }),
 *   budget: { trials: 50 },
 *   storage: 'runs.db',
 * });
 */
export async function search<A>(options: SearchOptions<A>): Promise<SearchResult> {
  if (typeof options.evaluate !== 'function') {
    throw new ConfigError('search: evaluate must be a function (arch, trial) => metrics');
  }
  const signal = options.signal ?? 'score';
  const space = spaceOf(options.space);
  const config = configOf(options, space, signal);
  const direction = options.direction ?? 'maximize';
  const evaluator = new FunctionEvaluator(signal, direction, options.evaluate as EvaluateFunction<unknown>);
  const parts: Parts = { space, evaluator, config };
  const opened =
    typeof options.storage === 'object' ? undefined : openStorage(options.storage ?? MEMORY_LOCATION);
  const storage = opened ?? (options.storage as Storage);
  try {
    const controls = { reporters: options.reporters, signal: options.abortSignal };
    const summary =
      options.resume === undefined
        ? await startWithParts(parts, storage, controls)
        : await resumeWithParts(options.resume, parts, storage, controls);
    return {
      experimentId: summary.experimentId,
      stopReason: summary.stopReason,
      best: summary.best,
      trials: await storage.trials(summary.experimentId),
    };
  } finally {
    await opened?.close();
  }
}
