import type { z } from 'zod';
import type { Evaluator } from '../core/evaluator.js';
import type { SearchSpace } from '../core/space.js';
import type { TrainEvaluatorConfig } from './train/config.js';

/** An evaluator config section: its `type` selects the registered evaluator. */
export interface EvaluatorConfigBase {
  readonly type: string;
}

/** What building an evaluator from its config yields. */
export interface EvaluatorParts<C extends EvaluatorConfigBase = EvaluatorConfigBase> {
  /** The space the experiment searches. */
  readonly space: SearchSpace<unknown>;
  readonly evaluator: Evaluator<unknown>;
  /** The config with what loading resolved (a benchmark's default dataset), as it is stored. */
  readonly config: C;
}

/** What an evaluator is built with besides its own section. */
export interface EvaluatorContext {
  /** The experiment config's `space` field as written (a name, declared decisions or a space spec). */
  readonly space: unknown;
  /** Paths in the config are relative to this folder. */
  readonly baseDir: string;
}

/**
 * One registered evaluator: an `evaluator.type` of the experiment config (with its schema), or an
 * implementation a strategy builds from another type's config in its place (no schema of its own).
 */
export interface EvaluatorEntry<C extends EvaluatorConfigBase = EvaluatorConfigBase> {
  readonly type: string;
  /** The config section's zod schema (a strict object with `type: z.literal(type)`). */
  readonly schema?: z.ZodType<C>;
  /**
   * True when it trains networks on a data set: the space must decode to the graph IR and fit the
   * data, experiments are labelled `type:data`, and `naslab export` can rebuild the trained network.
   */
  readonly trains: boolean;
  /**
   * What an experiment is evaluated on, for listings ("nb201/cifar10", "train:fashion-mnist"), and the
   * stem of its default name ("nb201-cifar10"; a training evaluator's names start with the space type).
   */
  describe(config: C): { readonly label: string; readonly name: string };
  /**
   * The config with its file paths made absolute against `baseDir` (the config file's folder), so the
   * stored config resumes from any folder. Absent: the config has no paths.
   */
  resolvePaths?(config: C, baseDir: string): C;
  /** For an evaluator that trains nothing: what it is and why, for export's refusal. */
  readonly untrained?: { readonly what: string; readonly why: string };
  /** False when its trials cannot run on queue workers (state held in the coordinator's process). */
  readonly distributable?: boolean;
  // Method syntax on purpose: entries with specific config types must fit in one registry list.
  build(config: C, context: EvaluatorContext): Promise<EvaluatorParts<C>>;
  /**
   * The train evaluator config that trains one of its architectures from scratch, where that differs
   * from the config itself (a weight-sharing search retrains its winner): what `naslab export` uses.
   */
  retrain?(config: C): TrainEvaluatorConfig;
}

/** Identity helper that infers the config type of an entry and keeps its schema's exact type. */
export function defineEvaluator<
  C extends EvaluatorConfigBase,
  S extends z.ZodType<C> | undefined = undefined,
>(entry: EvaluatorEntry<C> & { readonly schema?: S }): EvaluatorEntry<C> & { readonly schema: S } {
  return entry as EvaluatorEntry<C> & { readonly schema: S };
}
