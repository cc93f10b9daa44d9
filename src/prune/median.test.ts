import { describe, expect, it } from 'vitest';
import { MedianPruner, type MedianOptions } from './median.js';
import { line, runCurve, trial } from './prune.testkit.js';

function withReference(
  options: Partial<MedianOptions> = {},
  references = [line(0.5, 0.04), line(0.6, 0.04)],
) {
  const pruner = new MedianPruner({ startupTrials: 2, warmupSteps: 2, minTrials: 1, ...options });
  references.forEach((curve, i) => {
    expect(runCurve(pruner, trial(i), curve)).toBeUndefined();
    pruner.finish(trial(i), 'complete');
  });
  return pruner;
}

describe('MedianPruner', () => {
  it('stops a clearly bad curve at the first step after the warm-up, never a good one', () => {
    const pruner = withReference();
    expect(runCurve(pruner, trial(10), line(0.7, 0.04))).toBeUndefined();
    expect(runCurve(pruner, trial(11), line(0.1, 0.01))).toBe(3);
    // Median at step s is 0.55 + 0.04 s: a curve just above it goes on, just under it stops.
    expect(runCurve(pruner, trial(12), line(0.551, 0.04))).toBeUndefined();
    expect(runCurve(pruner, trial(13), line(0.549, 0.04))).toBe(3);
  });

  it('judges a trial by its best value so far, against the others at the same step', () => {
    const pruner = withReference();
    // Good until step 5, then collapses: the best so far (0.9 at step 5) still beats the median.
    const dip = [...line(0.7, 0.04).slice(0, 5), 0.1, 0.1, 0.1];
    expect(runCurve(pruner, trial(20), dip)).toBeUndefined();
    // A curve equal to the median is not strictly worse.
    const pruner2 = withReference({}, [line(0.5, 0.04), line(0.5, 0.04)]);
    expect(runCurve(pruner2, trial(21), line(0.5, 0.04))).toBeUndefined();
  });

  it('judges nothing before startupTrials completed, or with fewer than minTrials values at a step', () => {
    expect(runCurve(withReference({ startupTrials: 3 }), trial(30), line(0, 0))).toBeUndefined();
    expect(runCurve(withReference({ minTrials: 3 }), trial(31), line(0, 0))).toBeUndefined();
    // References with 4 steps: steps 5.. have no reference values, so a late-only curve goes on.
    const short = withReference({}, [line(0.5, 0.04, 4), line(0.6, 0.04, 4)]);
    expect(runCurve(short, trial(32), line(0, 0))).toBe(3);
    expect(runCurve(short, trial(33), [9, 9, 9, 9, 0, 0])).toBeUndefined();
  });

  it('takes only completed trials as the reference', () => {
    const pruner = withReference();
    // A pruned and a failed trial with excellent curves do not raise the median.
    for (const [n, state] of [
      [40, 'pruned'],
      [41, 'failed'],
    ] as const) {
      runCurve(pruner, trial(n), line(5, 1));
      pruner.finish(trial(n), state);
    }
    expect(runCurve(pruner, trial(42), line(0.551, 0.04))).toBeUndefined();
    // A completed one does: the median of 0.5.., 0.6.., 5.. is the 0.6 curve.
    runCurve(pruner, trial(43), line(5, 1));
    pruner.finish(trial(43), 'complete');
    expect(runCurve(pruner, trial(44), line(0.599, 0.04))).toBe(3);
  });

  it('keeps a verdict once given', () => {
    const pruner = withReference();
    expect(runCurve(pruner, trial(50), line(0.1, 0.01))).toBe(3);
    pruner.report(trial(50), 4, 100);
    expect(pruner.shouldStop(trial(50))).toBe(true);
  });
});
