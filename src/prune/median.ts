import { Curves, type FinishedState, type Pruner, type TrialRef } from './pruner.js';

export interface MedianOptions {
  /** No trial is stopped before this many trials have completed (their curves are the reference). */
  readonly startupTrials: number;
  /** Steps at or below this are never judged: early epochs say little. */
  readonly warmupSteps: number;
  /** A step is judged only when at least this many completed trials reported a value at it. */
  readonly minTrials: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median stopping rule (Golovin et al. 2017, Optuna's MedianPruner): at step s, a trial stops when
 * its best value so far is strictly worse than the median of the values completed trials reported at
 * step s. Only completed trials are the reference (as in Optuna): a pruned trial's curve is cut short and
 * a failed one's is unreliable.
 */
export class MedianPruner implements Pruner {
  readonly type = 'median';
  private readonly curves = new Curves();
  /** Completed trials, in completion order. */
  private readonly completed: string[] = [];
  private readonly stopped = new Set<string>();

  constructor(private readonly options: MedianOptions) {}

  report(trial: TrialRef, step: number, value: number): void {
    this.curves.set(trial.id, step, value);
    if (this.stopped.has(trial.id) || step <= this.options.warmupSteps) return;
    if (this.completed.length < this.options.startupTrials) return;
    const others: number[] = [];
    for (const id of this.completed) {
      const v = this.curves.valueAt(id, step);
      if (v !== undefined) others.push(v);
    }
    if (others.length === 0 || others.length < this.options.minTrials) return;
    if (this.curves.bestUpTo(trial.id, step) < median(others)) this.stopped.add(trial.id);
  }

  shouldStop(trial: TrialRef): boolean {
    return this.stopped.has(trial.id);
  }

  finish(trial: TrialRef, state: FinishedState): void {
    this.stopped.delete(trial.id);
    if (state === 'complete') this.completed.push(trial.id);
    else this.curves.delete(trial.id);
  }
}
