/**
 * Fitting one curve family to a partial learning curve: Levenberg-Marquardt from the family's data-driven
 * guess and from seeded random restarts inside the bounds, keeping the lowest error. The fit also
 * carries what the ensemble needs to predict with an uncertainty: the residual noise and the linearised
 * parameter covariance, so a poorly pinned-down extrapolation reports a wide spread.
 */
import type { Rng } from '../../core/rng.js';
import type { CurveFamily, CurveFamilyName } from './families.js';
import { solveLinear } from './linalg.js';
import { jacobian, jacobianAt, levenbergMarquardt, type LmProblem } from './lm.js';

export interface FitOptions {
  /** Starting points: the family's guess plus `starts - 1` random ones. */
  readonly starts: number;
  readonly maxIterations: number;
  /** Smallest residual standard deviation assumed (noiseless curves would otherwise claim certainty). */
  readonly noiseFloor: number;
  readonly rng: Rng;
}

export interface CurveFit {
  readonly family: CurveFamilyName;
  readonly params: readonly number[];
  readonly sse: number;
  /** Number of points fitted. */
  readonly n: number;
  /** Residual standard deviation, sqrt(sse / (n - k)), floored at the noise floor. */
  readonly sigma: number;
  /** (J^T J)^-1 at the optimum, or null when the parameters are not identifiable from these points. */
  readonly inverseHessian: readonly (readonly number[])[] | null;
}

function randomStart(family: CurveFamily, rng: Rng): number[] {
  return family.params.map((p) =>
    p.scale === 'log'
      ? Math.exp(Math.log(p.lower) + rng.float() * (Math.log(p.upper) - Math.log(p.lower)))
      : p.lower + rng.float() * (p.upper - p.lower),
  );
}

function invert(a: readonly (readonly number[])[]): number[][] | null {
  const k = a.length;
  const columns: number[][] = [];
  for (let c = 0; c < k; c++) {
    const e = Array.from({ length: k }, (_, i) => (i === c ? 1 : 0));
    const col = solveLinear(
      a.map((row) => [...row]),
      e,
    );
    if (!col) return null;
    columns.push(col);
  }
  return Array.from({ length: k }, (_, r) => columns.map((col) => col[r]!));
}

/** Least-squares fit of one family; null when no start gives a finite error. */
export function fitFamily(
  family: CurveFamily,
  xs: readonly number[],
  ys: readonly number[],
  options: FitOptions,
): CurveFit | null {
  const problem: LmProblem = {
    model: family.f,
    xs,
    ys,
    lower: family.params.map((p) => p.lower),
    upper: family.params.map((p) => p.upper),
  };
  let best: { params: number[]; sse: number } | null = null;
  for (let s = 0; s < options.starts; s++) {
    const start = s === 0 ? family.guess(xs, ys) : randomStart(family, options.rng);
    const result = levenbergMarquardt(problem, start, { maxIterations: options.maxIterations });
    if (Number.isFinite(result.sse) && (!best || result.sse < best.sse)) best = result;
  }
  if (!best) return null;
  const k = family.params.length;
  const dof = Math.max(xs.length - k, 1);
  const sigma = Math.max(Math.sqrt(best.sse / dof), options.noiseFloor);
  const jac = jacobian(problem, best.params);
  const jtj = Array.from({ length: k }, (_, a) =>
    Array.from({ length: k }, (_, b) => jac.reduce((s, row) => s + row[a]! * row[b]!, 0)),
  );
  // A tiny ridge: a parameter with no effect (pow3's exponent when a = 0, on a flat curve) makes J^T J
  // singular; with the ridge its variance is huge but its gradient at the target is 0 too, so it adds nothing.
  const trace = jtj.reduce((s, row, a) => s + row[a]!, 0);
  jtj.forEach((row, a) => (row[a]! += 1e-10 * trace + 1e-14));
  return {
    family: family.name,
    params: best.params,
    sse: best.sse,
    n: xs.length,
    sigma,
    inverseHessian: invert(jtj),
  };
}

/** Cap on a single fit's extrapolation spread: beyond this the fit says nothing about accuracy in [0, 1]. */
const MAX_STD = 0.5;

/**
 * The fit's prediction at epoch x: the curve value, and the standard deviation of an observation there,
 * sqrt(sigma^2 * (1 + g^T (J^T J)^-1 g)) with g the gradient of the value in the parameters (the usual
 * linearised prediction interval). Unidentifiable fits get the cap.
 */
export function predictFit(family: CurveFamily, fit: CurveFit, x: number): { value: number; std: number } {
  const value = family.f(x, fit.params);
  const h = fit.inverseHessian;
  if (!h) return { value, std: MAX_STD };
  const g = jacobianAt(
    family.f,
    [x],
    fit.params,
    family.params.map((p) => p.lower),
    family.params.map((p) => p.upper),
  )[0]!;
  let leverage = 0;
  for (let a = 0; a < g.length; a++) for (let b = 0; b < g.length; b++) leverage += g[a]! * h[a]![b]! * g[b]!;
  const std = fit.sigma * Math.sqrt(1 + Math.max(leverage, 0));
  return { value, std: Number.isFinite(std) ? Math.min(std, MAX_STD) : MAX_STD };
}
