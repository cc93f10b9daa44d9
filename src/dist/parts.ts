import { ConfigError } from '../core/errors.js';
import type { Evaluator } from '../core/evaluator.js';
import type { SearchSpace } from '../core/space.js';
import type { Json } from '../core/types.js';
import { evaluatorEntry } from '../evaluate/registry.js';
import type { ExperimentConfig } from '../runner/config.js';
import { strategyEntry, strategyNames } from '../strategy/registry.js';
import { buildParts, storedConfig } from '../runner/experiment.js';

/** What a worker evaluates with: the experiment's space (to decode samples) and evaluator. */
export interface WorkerParts {
  readonly space: SearchSpace<unknown>;
  readonly evaluator: Evaluator<unknown>;
}

/**
 * Weight-sharing searches keep their networks in the coordinator's process, bound to the strategy (a
 * supernet, parents' weights): their strategy or evaluator entry says `distributable: false`, and their
 * trials cannot run on another machine.
 */
export function assertDistributable(config: ExperimentConfig): void {
  const e = config.evaluator.type;
  const s = config.strategy.name;
  const strategy = strategyNames().includes(s) ? strategyEntry(s) : undefined;
  const implementation = strategy?.evaluator?.implementation;
  const evaluator = evaluatorEntry(implementation ?? e);
  if (strategy?.distributable === false || evaluator.distributable === false) {
    throw new ConfigError(
      `--queue: strategy ${s} with evaluator ${e} shares weights inside one process and cannot run on ` +
        'queue workers; run it without --queue (tabular benchmarks and evaluator: train can)',
    );
  }
}

/** Builds the evaluator from a stored config, exactly as the runner does for a local run. */
export async function buildWorkerParts(json: Json, experimentId: string): Promise<WorkerParts> {
  const config = storedConfig(json, experimentId);
  assertDistributable(config);
  const { space, evaluator } = await buildParts(config);
  return { space, evaluator };
}

/**
 * One set of parts per experiment config: a worker serves trial after trial of the same search, and
 * loading a table or a dataset per trial would cost more than the trial.
 */
export class PartsCache {
  private readonly cache = new Map<string, Promise<WorkerParts>>();

  constructor(
    private readonly build: (json: Json, experimentId: string) => Promise<WorkerParts> = buildWorkerParts,
    private readonly limit = 4,
  ) {}

  get(json: Json, experimentId: string): Promise<WorkerParts> {
    const id = JSON.stringify(json);
    let parts = this.cache.get(id);
    if (parts === undefined) {
      parts = this.build(json, experimentId);
      parts.catch(() => this.cache.delete(id));
      this.cache.set(id, parts);
      while (this.cache.size > this.limit) {
        const oldest = this.cache.keys().next().value as string;
        void this.cache
          .get(oldest)
          ?.then((p) => p.evaluator.close?.())
          .catch(() => undefined);
        this.cache.delete(oldest);
      }
    }
    return parts;
  }

  async close(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    await Promise.allSettled(all.map(async (p) => (await p).evaluator.close?.()));
  }
}
