import { describe, expect, it } from 'vitest';
import { HyperbandPruner } from './hyperband.js';
import { line, runCurve, trial } from './prune.testkit.js';

const hyperband = (seed = 0, maxResource = 27) =>
  new HyperbandPruner({ minResource: 1, maxResource, eta: 3, seed });

/** The first `count` trial numbers in bracket `b`. */
function inBracket(pruner: HyperbandPruner, b: number, count: number): number[] {
  const found: number[] = [];
  for (let n = 0; found.length < count; n++) if (pruner.bracketOf(trial(n)) === b) found.push(n);
  return found;
}

describe('HyperbandPruner', () => {
  it('has floor(log_eta(max / min)) + 1 brackets', () => {
    expect(hyperband(0, 27).bracketCount).toBe(4);
    expect(hyperband(0, 26).bracketCount).toBe(3);
    expect(hyperband(0, 1).bracketCount).toBe(1);
  });

  it('assigns brackets deterministically from seed and trial number, weighted like Hyperband', () => {
    const numbers = Array.from({ length: 4900 }, (_, n) => n);
    const a = numbers.map((n) => hyperband(3).bracketOf(trial(n)));
    const twin = hyperband(3);
    // The id plays no part: only the seed and the number.
    const again = numbers.map((n) => twin.bracketOf({ id: 'other', number: n }));
    expect(again).toEqual(a);
    const other = numbers.map((n) => hyperband(4).bracketOf(trial(n)));
    expect(other).not.toEqual(a);
    // Shares 27 : 12 : 6 : 4 of 49 (Hyperband's trial counts per bracket for eta 3, 4 brackets).
    const counts = [0, 1, 2, 3].map((b) => a.filter((x) => x === b).length);
    [2700, 1200, 600, 400].forEach((expected, b) => {
      expect(counts[b]).toBeGreaterThan(expected * 0.8);
      expect(counts[b]).toBeLessThan(expected * 1.2);
    });
  });

  it('lets trials compete only inside their bracket; the last bracket runs every trial to the end', () => {
    const pruner = hyperband();
    const [good, bad] = inBracket(pruner, 0, 2) as [number, number];
    const [late] = inBracket(pruner, 1, 1) as [number];
    const [full1, full2] = inBracket(pruner, 3, 2) as [number, number];
    expect(runCurve(pruner, trial(good), line(0.9, 0, 27))).toBeUndefined();
    // Bracket 1's first rung is at step 3: judged there, alone in its bracket, it passes.
    expect(runCurve(pruner, trial(late), line(0.1, 0, 27))).toBeUndefined();
    // In bracket 0 the bad curve meets the good one at step 1.
    expect(runCurve(pruner, trial(bad), line(0.1, 0, 27))).toBe(1);
    expect(runCurve(pruner, trial(full1), line(0.9, 0, 27))).toBeUndefined();
    expect(runCurve(pruner, trial(full2), line(0.1, 0, 27))).toBeUndefined();
  });
});
