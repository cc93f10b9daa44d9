/** One choice value of a decision. */
export type Choice = string | number;

/** One architecture, as the decisions taken: decision name -> choice. */
export type Sample = Readonly<Record<string, Choice>>;

/** A named metric -> value map (accuracy, latency, cost...). */
export type Metrics = Readonly<Record<string, number>>;

/** One step of a search space's decision process. */
export interface Decision {
  readonly name: string;
  readonly choices: readonly Choice[];
}

export type Direction = 'maximize' | 'minimize';

/**
 * queued: created, not started; running: an evaluator holds it; complete: metrics recorded;
 * invalid: the architecture cannot be built or has no benchmark row (the strategy is told, with the
 * configured invalid reward); failed: the evaluation threw; pruned: stopped early by a pruner.
 */
export type TrialState = 'queued' | 'running' | 'complete' | 'invalid' | 'failed' | 'pruned';

export const FINISHED_STATES: readonly TrialState[] = ['complete', 'invalid', 'failed', 'pruned'];

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}

export interface IntermediateReport {
  readonly step: number;
  readonly metrics: Metrics;
}

export interface TrialRecord {
  readonly id: string;
  readonly experimentId: string;
  /** 0-based creation order within the experiment. */
  readonly number: number;
  readonly sample: Sample;
  readonly key: string;
  readonly state: TrialState;
  readonly metrics: Metrics;
  /**
   * The reward the strategy learns from, always "higher is better": the objective's signal metric
   * (negated when minimizing), or the invalid reward for an invalid architecture. Undefined while
   * unfinished and for failed trials.
   */
  readonly score?: number;
  /** Simulated seconds this evaluation cost (tabular benchmarks), 0 when not simulated. */
  readonly cost: number;
  readonly error?: ErrorInfo;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly finishedAt?: number;
}

/** What a strategy returns from ask(). */
export type Proposal =
  | { readonly kind: 'trial'; readonly sample: Sample }
  /** Hold off until a running trial finishes (a batch or generation is incomplete). */
  | { readonly kind: 'wait' }
  /** Nothing more to propose (grid exhausted, or the algorithm has converged). */
  | { readonly kind: 'done' };

/** JSON-serialisable state. Binary blobs (network weights) go in base64 strings. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

export interface StrategyState {
  readonly strategy: string;
  readonly version: number;
  readonly data: Json;
}
