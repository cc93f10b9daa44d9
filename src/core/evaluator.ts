import type { Strategy } from './strategy.js';
import type { Metrics, Sample } from './types.js';

/** The runner's handle on one running trial, given to the evaluator. */
export interface TrialHandle {
  readonly id: string;
  /** The decisions and canonical key of the architecture being evaluated (a table looks rows up by key). */
  readonly sample: Sample;
  readonly key: string;
  /**
   * Intermediate values (learning curves, pruning, the dashboard), from step 1: step 0
   * (DIAGNOSTICS_STEP) holds the strategy's diagnostics.
   */
  report(step: number, metrics: Metrics): Promise<void>;
  /** A pruner's verdict: the evaluator should stop and return what it has. */
  shouldStop(): boolean;
}

export interface Evaluation {
  readonly metrics: Metrics;
  /** Simulated seconds this evaluation stands for (tabular benchmarks); 0 or absent otherwise. */
  readonly cost?: number;
}

/**
 * Builds and scores one architecture. Throw InvalidArchitectureError for an architecture that cannot be
 * evaluated, TrialFailedError for a failure of this trial only, FatalError to stop the search.
 */
export interface Evaluator<A = unknown> {
  /** The metric the strategy optimises, and its direction. */
  readonly signal: string;
  readonly direction: 'maximize' | 'minimize';
  evaluate(arch: A, trial: TrialHandle, signal: AbortSignal): Promise<Evaluation>;
  /**
   * Connects an evaluator that works hand in hand with its strategy (weight sharing: the evaluator
   * follows the strategy's plan, and the strategy's saved state carries the evaluator's weights, so both
   * resume together). Called once before the first trial; throws a ConfigError naming the fix when
   * `strategy` cannot drive it. Evaluators without it serve any strategy.
   */
  attach?(strategy: Strategy): void;
  close?(): Promise<void>;
}
