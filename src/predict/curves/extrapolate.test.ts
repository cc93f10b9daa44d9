import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { syntheticCurve, trueValue } from './curves.testkit.js';
import { CURVE_FAMILY_NAMES } from './families.js';
import { extrapolate, shouldStop } from './extrapolate.js';

describe('extrapolate', () => {
  it('predicts a held-out tail better than the last observed value, with honest uncertainty', () => {
    let ensembleError = 0;
    let lastError = 0;
    for (const name of CURVE_FAMILY_NAMES) {
      const curve = syntheticCurve(name, 25, 0.004, 11);
      const truth = trueValue(name, 100);
      const prediction = extrapolate(curve, 100);
      const error = Math.abs(prediction.mean - truth);
      const naive = Math.abs(curve[24]! - truth);
      expect(error, name).toBeLessThan(naive);
      expect(error, name).toBeLessThan(3 * prediction.std);
      expect(prediction.members.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
      ensembleError += error / CURVE_FAMILY_NAMES.length;
      lastError += naive / CURVE_FAMILY_NAMES.length;
    }
    expect(ensembleError).toBeLessThan(0.02);
    expect(lastError).toBeGreaterThan(0.05);
  });

  it('gives a probability that falls as the threshold rises', () => {
    const prediction = extrapolate(syntheticCurve('mmf', 20, 0.005, 3), 100);
    let previous = 1;
    for (let t = 0; t <= 1.0001; t += 0.01) {
      const p = prediction.probabilityAbove(t);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(previous + 1e-12);
      previous = p;
    }
    expect(prediction.probabilityAbove(0)).toBeGreaterThan(0.999);
    expect(prediction.probabilityAbove(1)).toBeLessThan(0.01);
    expect(prediction.probabilityAbove(prediction.mean)).toBeGreaterThan(0.3);
    expect(prediction.probabilityAbove(prediction.mean)).toBeLessThan(0.7);
  });

  it('is deterministic for a seed', () => {
    const curve = syntheticCurve('weibull', 15, 0.01, 5);
    const a = extrapolate(curve, 60, { seed: 4 });
    const b = extrapolate(curve, 60, { seed: 4 });
    expect(a.mean).toBe(b.mean);
    expect(a.std).toBe(b.std);
  });

  it('reads uneven epochs: every other epoch predicts what the full curve does', () => {
    const full = syntheticCurve('exp3', 30);
    const odd = full.filter((_, i) => i % 2 === 0);
    const sparse = extrapolate(odd, 100, { epochs: odd.map((_, i) => 2 * i + 1), families: ['exp3'] });
    expect(sparse.members.map((m) => m.family)).toEqual(['exp3']);
    expect(sparse.mean).toBeCloseTo(trueValue('exp3', 100), 5);
  });

  it('follows a flat curve with a narrow spread', () => {
    const prediction = extrapolate(new Array<number>(10).fill(0.6), 50);
    expect(prediction.mean).toBeCloseTo(0.6, 4);
    expect(prediction.std).toBeLessThan(0.01);
    expect(prediction.fallback).toBeNull();
  });

  it('falls back to the last value, with an uninformative spread, when too few points fit any family', () => {
    const one = extrapolate([0.4], 50);
    expect(one.fallback).toEqual({ mean: 0.4, std: 0.5 });
    expect(one.mean).toBe(0.4);
    expect(one.members).toEqual([]);
    expect(one.rejected.map((r) => r.reason)).toEqual(new Array(8).fill('too-few-points'));
    // Three points fit the one two-parameter family only.
    expect(extrapolate([0.3, 0.5, 0.6], 50).members.map((m) => m.family)).toEqual(['ilog2']);
  });

  it('rejects fits that leave [0, 1] at the target', () => {
    // A straight climb: vapor pressure's exponential growth overshoots 1 by epoch 200.
    const curve = Array.from({ length: 10 }, (_, i) => 0.1 + 0.05 * i);
    const prediction = extrapolate(curve, 200, { families: ['vaporPressure'] });
    expect(prediction.rejected).toEqual([{ family: 'vaporPressure', reason: 'out-of-range' }]);
    expect(prediction.fallback).not.toBeNull();
  });

  it('names the bad value or option', () => {
    expect(() => extrapolate([0.2, NaN, 0.4], 10)).toThrow(/curve\[1\] is NaN/);
    expect(() => extrapolate([20, 40, 50], 10)).toThrow(/divide percentages by 100/);
    expect(() => extrapolate([], 10)).toThrow(/empty/);
    expect(() => extrapolate([0.2, 0.3, 0.4], 2)).toThrow(/targetEpoch 2/);
    expect(() => extrapolate([0.2, 0.3], 10, { epochs: [1, 1] })).toThrow(/must increase/);
    expect(() => extrapolate([0.2, 0.3], 10, { starts: 0 })).toThrow(ConfigError);
    expect(() => extrapolate([0.2, 0.3], 10, { starts: 0 })).toThrow(/starts/);
  });
});

describe('shouldStop', () => {
  const poor = syntheticCurve('pow3', 8, 0.003, 2).map((y) => y * 0.7); // heads for ~0.63
  const good = syntheticCurve('exp3', 8, 0.003, 2); // heads for ~0.88

  it('stops a curve that will not reach the best so far and keeps one that may', () => {
    const stop = shouldStop(poor, 0.85, 50);
    expect(stop.stop).toBe(true);
    expect(stop.reason).toBe('unlikely-to-beat-best');
    expect(stop.probability).toBeLessThan(0.05);
    const keep = shouldStop(good, 0.85, 50);
    expect(keep.stop).toBe(false);
    expect(keep.reason).toBe('may-beat-best');
    expect(keep.probability).toBeGreaterThan(0.5);
  });

  it('does not judge without a best, with too few points, or at the target', () => {
    expect(shouldStop(poor, undefined, 50)).toMatchObject({
      stop: false,
      reason: 'no-best',
      probability: null,
    });
    expect(shouldStop(poor.slice(0, 2), 0.85, 50).reason).toBe('too-few-points');
    expect(shouldStop(poor, 0.85, 50, { minPoints: 10 }).reason).toBe('too-few-points');
    expect(shouldStop(poor, 0.85, 8).reason).toBe('complete');
    expect(() => shouldStop(poor, 0.85, 50, { threshold: 2 })).toThrow(/threshold/);
  });

  it('stops more with a higher threshold', () => {
    const p = shouldStop(good, 0.9, 50).probability!;
    expect(shouldStop(good, 0.9, 50, { threshold: Math.min(p * 2, 0.99) }).stop).toBe(true);
    expect(shouldStop(good, 0.9, 50, { threshold: p / 2 }).stop).toBe(false);
  });
});
