import type { Pruner, TrialRef } from './pruner.js';

/** A trial reference numbered n (id "tn"). */
export const trial = (n: number): TrialRef => ({ id: `t${n}`, number: n });

/**
 * Runs one scripted curve (values at steps 1, 2, ...) through the pruner as an evaluator that honours
 * the verdict would: returns the step after whose report it was told to stop, or undefined.
 */
export function runCurve(pruner: Pruner, ref: TrialRef, curve: readonly number[]): number | undefined {
  for (let i = 0; i < curve.length; i++) {
    pruner.report(ref, i + 1, curve[i]!);
    if (pruner.shouldStop(ref)) return i + 1;
  }
  return undefined;
}

/** A curve rising from `start` by `slope` per step, for `steps` steps. */
export const line = (start: number, slope: number, steps = 10): number[] =>
  Array.from({ length: steps }, (_, i) => start + slope * (i + 1));
