import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { CURVE_FAMILIES, CURVE_FAMILY_NAMES, curveFamily, type CurveFamilyName } from './families.js';
import { fitFamily, predictFit } from './fit.js';
import { TRUTH } from './curves.testkit.js';

const xs = Array.from({ length: 30 }, (_, i) => i + 1);
const options = { starts: 4, maxIterations: 100, noiseFloor: 1e-3 };

describe('curve families', () => {
  it('has eight distinct families, each with bounds that contain the test parameters', () => {
    expect(CURVE_FAMILY_NAMES).toHaveLength(8);
    for (const family of CURVE_FAMILIES) {
      const truth = TRUTH[family.name];
      expect(truth).toHaveLength(family.params.length);
      family.params.forEach((p, j) => {
        expect(p.lower).toBeLessThan(p.upper);
        expect(truth[j]).toBeGreaterThanOrEqual(p.lower);
        expect(truth[j]).toBeLessThanOrEqual(p.upper);
      });
    }
    expect(() => curveFamily('nope' as CurveFamilyName)).toThrow(/unknown curve family 'nope'/);
  });

  describe.each(CURVE_FAMILIES.map((f) => [f.name, f] as const))('%s', (_name, family) => {
    const truth = TRUTH[family.name];
    const final = family.f(100, truth);

    it('recovers its parameters from a noiseless curve and predicts the final value', () => {
      const ys = xs.map((x) => family.f(x, truth));
      const fit = fitFamily(family, xs, ys, { ...options, rng: new Rng(1) });
      expect(fit).not.toBeNull();
      fit!.params.forEach((v, j) =>
        expect(Math.abs(v - truth[j]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(truth[j]!))),
      );
      expect(fit!.sse).toBeLessThan(1e-16);
      const { value, std } = predictFit(family, fit!, 100);
      expect(Math.abs(value - final)).toBeLessThan(1e-5);
      // An exact fit is only as certain as the noise floor allows, widened by extrapolating 70 epochs.
      expect(std).toBeGreaterThanOrEqual(1e-3);
      expect(std).toBeLessThan(0.05);
    });

    it('recovers its parameters approximately from a noisy curve', () => {
      const rng = new Rng(7);
      const ys = xs.map((x) => family.f(x, truth) + 0.003 * rng.normal());
      const fit = fitFamily(family, xs, ys, { ...options, rng: new Rng(1) });
      expect(fit).not.toBeNull();
      fit!.params.forEach((v, j) => {
        const scale = Math.max(Math.abs(truth[j]!), 0.1);
        expect(Math.abs(v - truth[j]!) / scale).toBeLessThan(0.15);
      });
      // The residual noise estimate finds the 0.003 that was added.
      expect(fit!.sigma).toBeGreaterThan(0.002);
      expect(fit!.sigma).toBeLessThan(0.0045);
      const { value, std } = predictFit(family, fit!, 100);
      expect(Math.abs(value - final)).toBeLessThan(0.015);
      expect(Math.abs(value - final)).toBeLessThan(3 * std);
    });
  });
});
