import type { FinishedState, Pruner, TrialRef } from './pruner.js';

export interface SuccessiveHalvingOptions {
  /** The step of the first rung. */
  readonly minResource: number;
  /** Reduction factor: rungs at minResource * eta^k; the top 1/eta of a rung go on. */
  readonly eta: number;
  /** Rungs start at minResource * eta^rate: hyperband's brackets differ by it (0: the most aggressive). */
  readonly minEarlyStoppingRate?: number;
  /** The trials' full length: no rung at or past it (a verdict there would save nothing). */
  readonly maxResource?: number;
}

/**
 * Asynchronous successive halving (ASHA, Li et al. 2020, as Optuna's SuccessiveHalvingPruner): when a
 * trial reaches a rung it records its value there and goes on only if that value is among the best
 * max(1, floor(n / eta)) of the n values recorded at the rung so far (its own included). Decisions are
 * taken on arrival, never revised: early arrivals are judged against few, which is what lets it run
 * asynchronously. Every trial that reached a rung stays in it, pruned ones included.
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly type: string = 'successive-halving';
  /** rung index -> values recorded there, in arrival order. */
  private readonly rungs: number[][] = [];
  /** trial id -> the next rung it has not reached. */
  private readonly nextRung = new Map<string, number>();
  private readonly stopped = new Set<string>();

  constructor(private readonly options: SuccessiveHalvingOptions) {}

  /** The step of rung k, or undefined past maxResource (no such rung). */
  rungStep(k: number): number | undefined {
    const { minResource, eta, minEarlyStoppingRate = 0, maxResource } = this.options;
    const step = minResource * eta ** (minEarlyStoppingRate + k);
    return maxResource !== undefined && step >= maxResource ? undefined : step;
  }

  report(trial: TrialRef, step: number, value: number): void {
    if (this.stopped.has(trial.id)) return;
    let k = this.nextRung.get(trial.id) ?? 0;
    for (let at = this.rungStep(k); at !== undefined && step >= at; at = this.rungStep(k)) {
      const rung = (this.rungs[k] ??= []);
      rung.push(value);
      k++;
      if (!promotable(value, rung, this.options.eta)) {
        this.stopped.add(trial.id);
        break;
      }
    }
    this.nextRung.set(trial.id, k);
  }

  shouldStop(trial: TrialRef): boolean {
    return this.stopped.has(trial.id);
  }

  finish(trial: TrialRef, _state: FinishedState): void {
    this.nextRung.delete(trial.id);
    this.stopped.delete(trial.id);
  }
}

/** True when `value` is among the best max(1, floor(n / eta)) of the rung's n values. */
function promotable(value: number, rung: readonly number[], eta: number): boolean {
  const slots = Math.max(1, Math.floor(rung.length / eta));
  const sorted = [...rung].sort((a, b) => b - a);
  return value >= sorted[slots - 1]!;
}
