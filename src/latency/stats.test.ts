import { describe, expect, it } from 'vitest';
import { batchLatency } from './measure.js';
import { coefficientOfVariation, mean, median, quantile, std, summarize } from './stats.js';

describe('latency statistics', () => {
  it('median of odd and even counts, in any order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('quantiles interpolate linearly between ranks (NumPy default)', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110];
    expect(quantile(v, 0.1)).toBe(20);
    expect(quantile(v, 0.9)).toBe(100);
    expect(quantile([1, 2, 3, 4], 0.1)).toBeCloseTo(1.3, 12);
    expect(quantile([1, 2, 3, 4], 0)).toBe(1);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
  });

  it('sample std and coefficient of variation', () => {
    // mean 5, squared deviations sum 32, n - 1 = 7: std = sqrt(32 / 7)
    const v = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(v)).toBe(5);
    expect(std(v)).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(coefficientOfVariation(v)).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12);
    expect(std([3])).toBe(0);
    expect(coefficientOfVariation([0, 0])).toBeNaN();
  });

  it('summarize gathers them', () => {
    expect(summarize([1, 2, 3, 4])).toEqual({
      count: 4,
      median: 2.5,
      p10: expect.closeTo(1.3, 12) as number,
      p90: expect.closeTo(3.7, 12) as number,
      mean: 2.5,
      std: expect.closeTo(Math.sqrt(5 / 3), 12) as number,
      cv: expect.closeTo(Math.sqrt(5 / 3) / 2.5, 12) as number,
    });
  });

  it('refuses empty and non-finite data', () => {
    expect(() => median([])).toThrow('empty');
    expect(() => summarize([1, NaN])).toThrow('finite');
    expect(() => quantile([1], 1.5)).toThrow('q must be in [0, 1]');
  });

  it('batchLatency: median of the repeat medians, CV across them, CV within as the median', () => {
    const b = batchLatency(32, [
      [1, 2, 3],
      [2, 4, 6],
      [3, 3, 3],
    ]);
    expect(b.batch).toBe(32);
    expect(b.medianMs).toBe(3); // medians 2, 4, 3
    expect(b.cvAcross).toBeCloseTo(1 / 3, 12); // std of 2, 4, 3 is 1; mean 3
    expect(b.cvWithin).toBeCloseTo(0.5, 12); // CVs 0.5, 0.5, 0
    expect(b.meanMs).toBe(3);
    expect(b.repeats.map((r) => r.count)).toEqual([3, 3, 3]);
    expect(batchLatency(1, [[1, 2]]).cvAcross).toBeNaN();
  });
});
