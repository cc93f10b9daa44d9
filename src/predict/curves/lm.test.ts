import { describe, expect, it } from 'vitest';
import { curveFamily } from './families.js';
import { linearFit, solveLinear } from './linalg.js';
import { clampToBox, levenbergMarquardt } from './lm.js';
import { normalAbove, normalCdf } from './normal.js';

describe('linear algebra', () => {
  it('solves a small system with pivoting and reports a singular one', () => {
    const x = solveLinear(
      [
        [0, 2, 1],
        [1, 1, 0],
        [3, 0, 1],
      ],
      [7, 3, 6],
    );
    expect(x).not.toBeNull();
    [1, 2, 3].forEach((v, i) => expect(x![i]).toBeCloseTo(v, 12));
    expect(
      solveLinear(
        [
          [1, 2],
          [2, 4],
        ],
        [1, 2],
      ),
    ).toBeNull();
  });

  it('fits a linear model exactly and refuses an unidentifiable one', () => {
    const xs = [1, 2, 3, 4];
    expect(
      linearFit(
        xs.map((x) => [1, x]),
        xs.map((x) => 2 - 0.5 * x),
      ),
    ).toEqual([expect.closeTo(2, 12), expect.closeTo(-0.5, 12)]);
    expect(
      linearFit(
        xs.map(() => [1, 1]),
        [1, 1, 1, 1],
      ),
    ).toBeNull();
  });
});

describe('bounded Levenberg-Marquardt', () => {
  const pow3 = curveFamily('pow3');
  const problem = (ys: number[]) => ({
    model: pow3.f,
    xs: ys.map((_, i) => i + 1),
    ys,
    lower: pow3.params.map((p) => p.lower),
    upper: pow3.params.map((p) => p.upper),
  });

  it('stops on the bound when the best unbounded fit lies outside it', () => {
    // An asymptote of 1.2 is not an accuracy: the fit must stop at c = 1.
    const ys = Array.from({ length: 20 }, (_, i) => 1.2 - 0.9 * Math.pow(i + 1, -0.5));
    const result = levenbergMarquardt(problem(ys), [0.5, 0.5, 1], { maxIterations: 200 });
    expect(result.params[0]).toBe(1);
    expect(Number.isFinite(result.sse)).toBe(true);
    expect(result.sse).toBeGreaterThan(0);
    expect(result.iterations).toBeLessThan(200);
  });

  it('clamps starting points into the box', () => {
    expect(clampToBox([-1, 3, 0.5], [0, 0, 0], [1, 2, 1])).toEqual([0, 2, 0.5]);
  });

  it('gives an infinite error, not a throw, when the model is not finite at the start', () => {
    const bad = { ...problem([0.5, 0.6]), model: () => NaN };
    expect(levenbergMarquardt(bad, [0.5, 0.5, 1], { maxIterations: 10 }).sse).toBe(Infinity);
  });
});

describe('normal distribution', () => {
  it('matches tabulated values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
  });

  it('treats a zero spread as a point mass', () => {
    expect(normalAbove(0.8, 0, 0.7)).toBe(1);
    expect(normalAbove(0.8, 0, 0.9)).toBe(0);
    expect(normalAbove(0.8, 0, 0.8)).toBe(0.5);
  });
});
