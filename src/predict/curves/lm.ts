/**
 * Bounded Levenberg-Marquardt for small curve models: a numerical Jacobian (central differences, one-sided
 * at a bound), Marquardt's diagonal scaling (parameters differ in scale by decades), and steps projected
 * onto the box, accepted only when they lower the sum of squares.
 */
import { solveLinear } from './linalg.js';

export type Model = (x: number, p: readonly number[]) => number;

export interface LmProblem {
  readonly model: Model;
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
}

export interface LmResult {
  readonly params: number[];
  /** Sum of squared residuals; Infinity when the model is not finite anywhere near the start. */
  readonly sse: number;
  readonly iterations: number;
}

export function clampToBox(
  p: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
): number[] {
  return p.map((v, j) => Math.min(upper[j]!, Math.max(lower[j]!, v)));
}

export function sumOfSquares(problem: LmProblem, p: readonly number[]): number {
  let sse = 0;
  for (let i = 0; i < problem.xs.length; i++) {
    const r = problem.model(problem.xs[i]!, p) - problem.ys[i]!;
    sse += r * r;
  }
  return Number.isFinite(sse) ? sse : Infinity;
}

/** The step for d/dp_j, kept inside the box (some families are undefined outside it). */
function probe(v: number, lower: number, upper: number): { up: number; down: number } {
  const h = 1e-6 * Math.max(Math.abs(v), 1e-3);
  return { up: Math.min(v + h, upper), down: Math.max(v - h, lower) };
}

/**
 * d model(x, p) / d p_j at each x by central differences (one-sided at a bound): rows are points.
 * Perturbs each parameter once for all points, which keeps the fit's hot loop free of allocation.
 */
export function jacobianAt(
  model: Model,
  xs: readonly number[],
  p: readonly number[],
  lower: readonly number[],
  upper: readonly number[],
): number[][] {
  const rows = xs.map(() => new Array<number>(p.length).fill(0));
  for (let j = 0; j < p.length; j++) {
    const { up, down } = probe(p[j]!, lower[j]!, upper[j]!);
    if (up === down) continue;
    const pu = [...p];
    const pd = [...p];
    pu[j] = up;
    pd[j] = down;
    for (let i = 0; i < xs.length; i++) rows[i]![j] = (model(xs[i]!, pu) - model(xs[i]!, pd)) / (up - down);
  }
  return rows;
}

export function jacobian(problem: LmProblem, p: readonly number[]): number[][] {
  return jacobianAt(problem.model, problem.xs, p, problem.lower, problem.upper);
}

/** J^T J and J^T r at p. */
function normalEquations(problem: LmProblem, p: readonly number[]): { jtj: number[][]; jtr: number[] } {
  const k = p.length;
  const jtj = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const jtr = new Array<number>(k).fill(0);
  const jac = jacobian(problem, p);
  jac.forEach((row, i) => {
    const r = problem.model(problem.xs[i]!, p) - problem.ys[i]!;
    for (let a = 0; a < k; a++) {
      jtr[a]! += row[a]! * r;
      for (let b = 0; b < k; b++) jtj[a]![b]! += row[a]! * row[b]!;
    }
  });
  return { jtj, jtr };
}

export interface LmOptions {
  readonly maxIterations: number;
}

export function levenbergMarquardt(
  problem: LmProblem,
  start: readonly number[],
  options: LmOptions,
): LmResult {
  let p = clampToBox(start, problem.lower, problem.upper);
  let sse = sumOfSquares(problem, p);
  if (!Number.isFinite(sse)) return { params: p, sse: Infinity, iterations: 0 };
  let lambda = 1e-3;
  let iterations = 0;
  while (iterations < options.maxIterations && sse > 1e-28) {
    iterations++;
    const { jtj, jtr } = normalEquations(problem, p);
    let improved = false;
    // Raise the damping until a step lowers the error, or give up: we are at a (bounded) minimum.
    while (lambda < 1e12) {
      const damped = jtj.map((row, a) => row.map((v, b) => (a === b ? v + lambda * Math.max(v, 1e-12) : v)));
      const rhs = jtr.map((g) => -g);
      // Parameters pinned at a bound that the descent direction pushes outward stay put: solving for the
      // others only (instead of projecting a full step) keeps the fit from crawling along the bound.
      p.forEach((v, j) => {
        const blocked = (v <= problem.lower[j]! && jtr[j]! > 0) || (v >= problem.upper[j]! && jtr[j]! < 0);
        if (!blocked) return;
        damped.forEach((row, a) => (row[j] = a === j ? 1 : 0));
        damped[j]!.fill(0);
        damped[j]![j] = 1;
        rhs[j] = 0;
      });
      const step = solveLinear(damped, rhs);
      if (step) {
        const candidate = clampToBox(
          p.map((v, j) => v + step[j]!),
          problem.lower,
          problem.upper,
        );
        const candidateSse = sumOfSquares(problem, candidate);
        if (candidateSse < sse) {
          const gain = sse - candidateSse;
          p = candidate;
          lambda = Math.max(lambda / 3, 1e-12);
          improved = true;
          // Converged: the step no longer changes the error in a meaningful way.
          if (gain <= 1e-10 * sse) lambda = Infinity;
          sse = candidateSse;
          break;
        }
      }
      lambda *= 4;
    }
    if (!improved || lambda === Infinity) break;
  }
  return { params: p, sse, iterations };
}
