import { hashString } from '../core/rng.js';
import type { FinishedState, Pruner, TrialRef } from './pruner.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';

export interface HyperbandOptions {
  readonly minResource: number;
  /** The trials' full length (epochs): sets the number of brackets. */
  readonly maxResource: number;
  readonly eta: number;
  /** Mixed into the bracket assignment, so two seeds spread trials differently. */
  readonly seed: number;
}

/**
 * Hyperband (Li et al. 2018) as brackets of asynchronous successive halving (Optuna's HyperbandPruner):
 * bracket i starts its rungs at minResource * eta^i, so bracket 0 is the most aggressive and the last
 * runs every trial to maxResource. A trial belongs to one bracket, chosen by a hash of (seed, trial
 * number) with weights following Hyperband's trial counts per bracket, and competes only inside it.
 */
export class HyperbandPruner implements Pruner {
  readonly type = 'hyperband';
  private readonly brackets: SuccessiveHalvingPruner[] = [];
  /** Bracket i's share of trials: ceil(B * eta^(B-1-i) / (B-i)) for B brackets (Hyperband's n_i). */
  private readonly budgets: number[] = [];
  private readonly total: number;

  constructor(private readonly options: HyperbandOptions) {
    const { minResource, maxResource, eta } = options;
    let count = 0;
    while (minResource * eta ** count <= maxResource) count++;
    count = Math.max(1, count);
    for (let i = 0; i < count; i++) {
      this.brackets.push(
        new SuccessiveHalvingPruner({ minResource, eta, minEarlyStoppingRate: i, maxResource }),
      );
      this.budgets.push(Math.ceil((count * eta ** (count - 1 - i)) / (count - i)));
    }
    this.total = this.budgets.reduce((a, b) => a + b, 0);
  }

  get bracketCount(): number {
    return this.brackets.length;
  }

  /** The trial's bracket: a pure function of the seed and its number. */
  bracketOf(trial: TrialRef): number {
    let ticket = hashString(`hyperband:${this.options.seed}:${trial.number}`) % this.total;
    for (let i = 0; i < this.budgets.length; i++) {
      ticket -= this.budgets[i]!;
      if (ticket < 0) return i;
    }
    return this.budgets.length - 1;
  }

  report(trial: TrialRef, step: number, value: number): void {
    this.bracket(trial).report(trial, step, value);
  }

  shouldStop(trial: TrialRef): boolean {
    return this.bracket(trial).shouldStop(trial);
  }

  finish(trial: TrialRef, state: FinishedState): void {
    this.bracket(trial).finish(trial, state);
  }

  private bracket(trial: TrialRef): SuccessiveHalvingPruner {
    return this.brackets[this.bracketOf(trial)]!;
  }
}
