/** Synthetic learning curves for the curve tests (shared by more than one test file). */
import { Rng } from '../../core/rng.js';
import { curveFamily, type CurveFamilyName } from './families.js';

/** Known parameters per family: curves that are still rising at epoch 30 and end near 0.85-0.93. */
export const TRUTH: Record<CurveFamilyName, number[]> = {
  pow3: [0.9, 0.6, 0.7],
  logPower: [0.92, 2.5, -1.3],
  exp3: [0.88, 0.08, -0.6],
  janoschek: [0.93, 0.2, 0.15, 0.8],
  mmf: [0.9, 0.1, 0.08, 1.4],
  weibull: [0.91, 0.15, 0.06, 0.9],
  vaporPressure: [-0.1, -2.0, 0.01],
  ilog2: [0.95, 0.3],
};

/** The first `n` epochs of a family's curve with known parameters, plus seeded Gaussian noise. */
export function syntheticCurve(name: CurveFamilyName, n: number, noise = 0, seed = 0): number[] {
  const family = curveFamily(name);
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const y = family.f(i + 1, TRUTH[name]) + noise * rng.normal();
    return Math.min(1, Math.max(0, y));
  });
}

export function trueValue(name: CurveFamilyName, epoch: number): number {
  return curveFamily(name).f(epoch, TRUTH[name]);
}
