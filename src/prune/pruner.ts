import type { Direction, TrialState } from '../core/types.js';

/** What a pruner needs of a trial: its id (the key of its curve) and its creation number. */
export interface TrialRef {
  readonly id: string;
  /** 0-based creation order: hyperband assigns brackets from it, so the assignment is reproducible. */
  readonly number: number;
}

export type FinishedState = Exclude<TrialState, 'queued' | 'running'>;

/**
 * Decides, from the intermediate values trials report, which running trials should stop early.
 * Values are "higher is better" (the runner negates a minimized metric) and steps are the evaluator's
 * fidelity (epochs, or whatever it reports).
 *
 * A pruner's state is a pure function of the sequence of calls it received, and holds no randomness,
 * so there is no state()/restore(): on resume the runner replays the stored reports of every finished
 * trial (in trial order, each followed by `finish`), which rebuilds exactly the state an uninterrupted
 * run had at that point (concurrency 1). Trials left unfinished are re-run and report again.
 */
export interface Pruner {
  readonly type: string;
  /** One intermediate value of a running trial at `step`; the verdict is decided here. */
  report(trial: TrialRef, step: number, value: number): void;
  /** The verdict: true once the trial should stop; it stays true for that trial. */
  shouldStop(trial: TrialRef): boolean;
  /** The trial ended: its values stay as reference for the others (as the pruner's rule says). */
  finish(trial: TrialRef, state: FinishedState): void;
}

/** A pruner and what it watches: the report metric and whether higher is better. */
export interface Pruning {
  readonly pruner: Pruner;
  readonly metric: string;
  readonly direction: Direction;
}

/** Each trial's reported curve, step -> value (a later report of the same step replaces it). */
export class Curves {
  private readonly byTrial = new Map<string, Map<number, number>>();

  set(trialId: string, step: number, value: number): void {
    let curve = this.byTrial.get(trialId);
    if (curve === undefined) this.byTrial.set(trialId, (curve = new Map()));
    curve.set(step, value);
  }

  valueAt(trialId: string, step: number): number | undefined {
    return this.byTrial.get(trialId)?.get(step);
  }

  /** The trial's best value at any step up to `step` (-Infinity when it has none). */
  bestUpTo(trialId: string, step: number): number {
    let best = -Infinity;
    for (const [s, v] of this.byTrial.get(trialId) ?? []) if (s <= step && v > best) best = v;
    return best;
  }

  delete(trialId: string): void {
    this.byTrial.delete(trialId);
  }
}
