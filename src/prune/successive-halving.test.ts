import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { trial } from './prune.testkit.js';
import { SuccessiveHalvingPruner } from './successive-halving.js';

const sh = (extra: { maxResource?: number; minEarlyStoppingRate?: number } = {}) =>
  new SuccessiveHalvingPruner({ minResource: 1, eta: 3, ...extra });

/** Each trial reports `value` at `step`; returns the numbers of those told to stop. */
function arrive(
  pruner: SuccessiveHalvingPruner,
  step: number,
  order: readonly number[],
  value = (n: number) => n,
) {
  const stopped: number[] = [];
  for (const n of order) {
    pruner.report(trial(n), step, value(n));
    if (pruner.shouldStop(trial(n))) stopped.push(n);
  }
  return stopped;
}

describe('SuccessiveHalvingPruner', () => {
  it('puts rungs at minResource * eta^(rate + k), none at or past maxResource', () => {
    expect([0, 1, 2, 3].map((k) => sh().rungStep(k))).toEqual([1, 3, 9, 27]);
    expect([0, 1, 2].map((k) => sh({ maxResource: 9 }).rungStep(k))).toEqual([1, 3, undefined]);
    expect([0, 1].map((k) => sh({ minEarlyStoppingRate: 1 }).rungStep(k))).toEqual([3, 9]);
  });

  it('with eta 3, lets only the top third of a rung pass it', () => {
    const pruner = sh();
    // Trials 1..9 scoring their number. Arriving in this order, each is judged against those already
    // at the rung: 7 (alone), 8 and 9 (each the best so far) pass, the rest are outside the top third.
    const rung0 = [7, 1, 2, 8, 9, 3, 4, 5, 6];
    expect(arrive(pruner, 1, rung0).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    // Between rungs nothing is judged.
    expect(arrive(pruner, 2, [9, 7, 8])).toEqual([]);
    // Rung 1 (step 3): of 9, 7, 8 only the best third (one: 9) goes on.
    expect(arrive(pruner, 3, [9, 7, 8])).toEqual([7, 8]);
    expect(pruner.shouldStop(trial(9))).toBe(false);
  });

  it('passes a trial exactly when it is in the top max(1, floor(n / 3)) of the n at the rung', () => {
    const pruner = sh();
    const order = Array.from({ length: 30 }, (_, i) => i);
    new Rng(5).shuffle(order);
    const seen: number[] = [];
    let passed = 0;
    for (const n of order) {
      seen.push(n);
      const slots = Math.max(1, Math.floor(seen.length / 3));
      const inTop = [...seen].sort((a, b) => b - a).indexOf(n) < slots;
      pruner.report(trial(n), 1, n);
      expect(pruner.shouldStop(trial(n))).toBe(!inTop);
      if (inTop) passed++;
    }
    // About a third in all: each is judged against those before it, so the count depends on the order.
    expect(passed).toBeGreaterThanOrEqual(7);
    expect(passed).toBeLessThanOrEqual(13);
  });

  it('records a trial at every rung its first report skipped past', () => {
    const pruner = sh();
    arrive(pruner, 9, [5]); // rungs 1, 3, 9 at once
    // Rung 9 now holds 5: a trial worth 4 arriving there is outside the top third of two.
    expect(arrive(pruner, 9, [4])).toEqual([4]);
  });

  it('never stops a trial at or past maxResource, nor before its bracket rate', () => {
    // Trial 1 is worth 5 throughout; trial 2 starts at 9 and falls to 1 by step 3.
    const value = (step: number) => (n: number) => (n === 1 ? 5 : step === 1 ? 9 : 1);
    for (const [pruner, stopped] of [
      [sh(), [2]],
      [sh({ maxResource: 3 }), []], // no rung at step 3: the trials' last step
    ] as const) {
      expect(arrive(pruner, 1, [1, 2], value(1))).toEqual([]);
      expect(arrive(pruner, 3, [1, 2], value(3))).toEqual(stopped);
    }
    const late = sh({ minEarlyStoppingRate: 1 });
    arrive(late, 1, [9]);
    expect(arrive(late, 2, [1])).toEqual([]);
    expect(arrive(late, 3, [9, 1])).toEqual([1]);
  });
});
