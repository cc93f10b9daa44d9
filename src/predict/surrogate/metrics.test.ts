import { describe, expect, it } from 'vitest';
import { kendallTau, meanSquaredError } from './metrics.js';

describe('kendallTau (tau-b)', () => {
  it('is 1 for the same order and -1 for the reverse', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
  });

  it('matches a hand count without ties', () => {
    // Pairs of [1,2,3,4] vs [1,3,2,4]: only (2,3) is discordant: (5 - 1) / 6.
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 12);
  });

  it('matches a hand count with ties on both sides', () => {
    // a = [1,1,2,3], b = [1,2,2,3]: 6 pairs; a ties (1,2); b ties (2,3).
    // (1,2) tie in a; (1,3) C; (1,4) C; (2,3) tie in b; (2,4) C; (3,4) C -> C=4, D=0.
    // tau-b = 4 / sqrt((6-1)(6-1)) = 0.8 (scipy.stats.kendalltau gives 0.8).
    expect(kendallTau([1, 1, 2, 3], [1, 2, 2, 3])).toBeCloseTo(0.8, 12);
    // a = [1,2,2,3], b = [3,1,2,1]: (1,2) D; (1,3) D; (1,4) D; (2,3) tie a; (2,4) tie b; (3,4) D.
    // C=0, D=4, ties a=1, ties b=1 -> -4/5.
    expect(kendallTau([1, 2, 2, 3], [3, 1, 2, 1])).toBeCloseTo(-0.8, 12);
  });

  it('is 0 when one side is constant, and rejects lists of different lengths', () => {
    expect(kendallTau([5, 5, 5], [1, 2, 3])).toBe(0);
    expect(() => kendallTau([1, 2], [1])).toThrow(/differ in length/);
  });
});

describe('meanSquaredError', () => {
  it('averages squared differences', () => {
    expect(meanSquaredError([1, 2, 3], [1, 4, 0])).toBeCloseTo((0 + 4 + 9) / 3, 12);
  });
});
