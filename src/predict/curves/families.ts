/**
 * Parametric learning-curve families from Domhan, Springenberg & Hutter (2015), "Speeding up automatic
 * hyperparameter optimization of deep neural networks by extrapolation of learning curves".
 * Each maps an epoch x >= 1 to an accuracy in [0, 1]. Bounds keep the fitted curves increasing and
 * saturating (the shape of a validation-accuracy curve) and keep the optimiser away from overflow.
 */

import { linearFit } from './linalg.js';

export interface CurveParam {
  readonly name: string;
  readonly lower: number;
  readonly upper: number;
  /** How random restarts sample this parameter: rates and exponents spread over decades are 'log'. */
  readonly scale: 'linear' | 'log';
}

export interface CurveFamily {
  readonly name: CurveFamilyName;
  readonly params: readonly CurveParam[];
  /** The curve's value at epoch x (x >= 1). */
  f(x: number, p: readonly number[]): number;
  /** A starting point read off the data (first and last values, or a linearised least-squares fit). */
  guess(xs: readonly number[], ys: readonly number[]): number[];
}

export type CurveFamilyName =
  'pow3' | 'logPower' | 'exp3' | 'janoschek' | 'mmf' | 'weibull' | 'vaporPressure' | 'ilog2';

const lin = (name: string, lower: number, upper: number): CurveParam => ({
  name,
  lower,
  upper,
  scale: 'linear',
});
const log = (name: string, lower: number, upper: number): CurveParam => ({
  name,
  lower,
  upper,
  scale: 'log',
});

function first(ys: readonly number[]): number {
  return ys[0] ?? 0;
}

/** An asymptote guess a little above the best value seen, clamped to accuracy's range. */
function ceiling(ys: readonly number[]): number {
  return Math.min(1, Math.max(...ys) + 0.02);
}

/** y = c - a * x^(-alpha) */
const pow3: CurveFamily = {
  name: 'pow3',
  params: [lin('c', 0, 1), lin('a', 0, 2), log('alpha', 0.01, 5)],
  f: (x, [c = 0, a = 0, alpha = 0]) => c - a * Math.pow(x, -alpha),
  guess: (_xs, ys) => {
    const c = ceiling(ys);
    return [c, Math.max(c - first(ys), 0.01), 0.5];
  },
};

/** y = a / (1 + (x / e^b)^c), c < 0 so the curve rises to a. */
const logPower: CurveFamily = {
  name: 'logPower',
  params: [lin('a', 0, 1), lin('b', -5, 10), lin('c', -10, -0.01)],
  f: (x, [a = 0, b = 0, c = 0]) => a / (1 + Math.pow(x / Math.exp(b), c)),
  guess: (_xs, ys) => {
    const a = ceiling(ys);
    // With c = -1, y(1) = a / (1 + e^b).
    const ratio = a / Math.max(first(ys), 1e-3) - 1;
    return [a, Math.log(Math.max(ratio, 1e-2)), -1];
  },
};

/** y = c - exp(-a * x + b) */
const exp3: CurveFamily = {
  name: 'exp3',
  params: [lin('c', 0, 1), log('a', 1e-4, 5), lin('b', -10, 5)],
  f: (x, [c = 0, a = 0, b = 0]) => c - Math.exp(-a * x + b),
  guess: (_xs, ys) => {
    const c = ceiling(ys);
    const a = 0.1;
    return [c, a, Math.log(Math.max(c - first(ys), 1e-3)) + a];
  },
};

/** y = alpha - (alpha - beta) * exp(-kappa * x^delta) */
const janoschek: CurveFamily = {
  name: 'janoschek',
  params: [lin('alpha', 0, 1), lin('beta', -1, 1), log('kappa', 1e-4, 10), log('delta', 0.05, 5)],
  f: (x, [alpha = 0, beta = 0, kappa = 0, delta = 0]) =>
    alpha - (alpha - beta) * Math.exp(-kappa * Math.pow(x, delta)),
  guess: (_xs, ys) => [ceiling(ys), first(ys) - 0.05, 0.1, 1],
};

/** Morgan-Mercer-Flodin: y = alpha - (alpha - beta) / (1 + (kappa * x)^delta) */
const mmf: CurveFamily = {
  name: 'mmf',
  params: [lin('alpha', 0, 1), lin('beta', -1, 1), log('kappa', 1e-4, 10), log('delta', 0.05, 5)],
  f: (x, [alpha = 0, beta = 0, kappa = 0, delta = 0]) =>
    alpha - (alpha - beta) / (1 + Math.pow(kappa * x, delta)),
  guess: (_xs, ys) => [ceiling(ys), first(ys) - 0.05, 0.2, 1],
};

/** y = alpha - (alpha - beta) * exp(-(kappa * x)^delta) */
const weibull: CurveFamily = {
  name: 'weibull',
  params: [lin('alpha', 0, 1), lin('beta', -1, 1), log('kappa', 1e-4, 10), log('delta', 0.05, 5)],
  f: (x, [alpha = 0, beta = 0, kappa = 0, delta = 0]) =>
    alpha - (alpha - beta) * Math.exp(-Math.pow(kappa * x, delta)),
  guess: (_xs, ys) => [ceiling(ys), first(ys) - 0.05, 0.1, 1],
};

/** y = exp(a + b / x + c * ln x); linear in (a, b, c) after taking logs, which gives the guess. */
const vaporPressure: CurveFamily = {
  name: 'vaporPressure',
  params: [lin('a', -10, 5), lin('b', -10, 10), lin('c', -2, 2)],
  f: (x, [a = 0, b = 0, c = 0]) => Math.exp(a + b / x + c * Math.log(x)),
  guess: (xs, ys) => {
    const rows = xs.map((x) => [1, 1 / x, Math.log(x)]);
    const fit = linearFit(
      rows,
      ys.map((y) => Math.log(Math.max(y, 1e-4))),
    );
    return fit ?? [Math.log(Math.max(ceiling(ys), 1e-3)), -1, 0];
  },
};

/** y = c - a / ln(x + 1); linear in (c, a), which gives the guess. (Domhan uses ln x; +1 keeps x = 1 finite.) */
const ilog2: CurveFamily = {
  name: 'ilog2',
  params: [lin('c', 0, 1), lin('a', 0, 5)],
  f: (x, [c = 0, a = 0]) => c - a / Math.log(x + 1),
  guess: (xs, ys) => {
    const fit = linearFit(
      xs.map((x) => [1, -1 / Math.log(x + 1)]),
      ys,
    );
    return fit ?? [ceiling(ys), 0.1];
  },
};

export const CURVE_FAMILIES: readonly CurveFamily[] = [
  pow3,
  logPower,
  exp3,
  janoschek,
  mmf,
  weibull,
  vaporPressure,
  ilog2,
];

export const CURVE_FAMILY_NAMES: readonly CurveFamilyName[] = CURVE_FAMILIES.map((f) => f.name);

export function curveFamily(name: CurveFamilyName): CurveFamily {
  const family = CURVE_FAMILIES.find((f) => f.name === name);
  if (!family) throw new RangeError(`unknown curve family '${String(name)}'`);
  return family;
}
