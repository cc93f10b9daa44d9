import type { Rng } from './rng.js';
import type { SearchSpace } from './space.js';
import type { Direction, Metrics, Proposal, StrategyState, TrialRecord } from './types.js';

/** What the runner shows a strategy on each call. */
export interface StrategyContext {
  readonly space: SearchSpace<unknown>;
  /** The direction of the raw objective; strategies learn from TrialRecord.score (always maximised). */
  readonly direction: Direction;
  /** Share of the budget used so far, in [0, 1] (the largest of trials, simulated and wall seconds). */
  readonly progress: number;
  /** Finished trials so far, oldest first. */
  readonly history: readonly TrialRecord[];
  /** Trials proposed and not yet finished. */
  readonly running: number;
}

/**
 * The runner owns the loop; a strategy only proposes and learns. Strategies are deterministic given
 * their seed and the sequence of tell() calls, and state() captures everything needed to continue.
 */
export interface Strategy {
  readonly name: string;
  ask(ctx: StrategyContext): Promise<Proposal>;
  /** A finished trial (complete, invalid or failed). Duplicates reused from the store are told too. */
  tell(trial: TrialRecord, ctx: StrategyContext): Promise<void>;
  state(): StrategyState;
  restore(state: StrategyState): void;
  /**
   * How the strategy's learner stands after the last tell (an RL controller: the reward it learned
   * from, its baseline, the entropy of its policy): recorded with the trial for the dashboard, as its
   * report at DIAGNOSTICS_STEP.
   */
  diagnostics?(): Metrics | undefined;
}

/**
 * The report step that holds a strategy's diagnostics: an evaluator's own reports (epochs, batches)
 * start at step 1, so the step alone tells the dashboard which report is the strategy's.
 */
export const DIAGNOSTICS_STEP = 0;

/** How a strategy is created: the registry passes validated options and a seeded Rng. */
export interface StrategyInit<O> {
  readonly space: SearchSpace<unknown>;
  readonly options: O;
  readonly rng: Rng;
}
