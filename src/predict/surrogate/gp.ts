import { z } from 'zod';
import { parseConfig } from '../../core/validate.js';
import { cholesky, solveLower, solveUpper } from './linalg.js';
import {
  checkQuery,
  checkTrainingData,
  FeatureScale,
  TargetScale,
  type Prediction,
  type Predictor,
} from './predictor.js';

const optionsSchema = z.strictObject({
  kernel: z.enum(['rbf', 'matern52']).default('matern52'),
  /** Length scales tried, as multiples of the median distance between training rows. */
  lengthscales: z.array(z.number().positive()).min(1).default([0.25, 0.5, 1, 2, 4]),
  /** Noise variances tried, relative to the signal variance. */
  noises: z.array(z.number().positive()).min(1).default([1e-4, 1e-3, 1e-2, 0.1, 0.3, 1]),
});

export type GaussianProcessOptions = z.input<typeof optionsSchema>;

/** The hyperparameters the marginal likelihood chose. */
export interface GpHyperparameters {
  readonly lengthscale: number;
  /** Noise variance / signal variance. */
  readonly noise: number;
  /** Signal variance, in normalised target units. */
  readonly signalVariance: number;
  readonly logMarginalLikelihood: number;
}

/** Correlation at distance r (in length scales). */
function correlation(kernel: 'rbf' | 'matern52', r: number): number {
  if (kernel === 'rbf') return Math.exp(-0.5 * r * r);
  const s = Math.sqrt(5) * r;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return sum;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 1;
}

interface Fitted {
  readonly rows: readonly Float64Array[];
  readonly chol: Float64Array;
  /** (R + noise I)^-1 y */
  readonly alpha: Float64Array;
  readonly hyper: GpHyperparameters;
}

/**
 * Gaussian-process regression with a stationary kernel over the (scaled) encoding. The signal variance
 * has a closed form given the length scale and the noise ratio (K = s^2 (R + noise I) gives
 * s^2 = y^T (R + noise I)^-1 y / n), so maximising the marginal likelihood is a search over a small
 * grid of length scales x noise ratios, one Cholesky each. The std it reports is the posterior std of
 * the latent function (without the observation noise): near 0 at a training point when noise is small.
 */
export class GaussianProcess implements Predictor {
  private readonly options: z.output<typeof optionsSchema>;
  private fitted?: Fitted;
  private features?: FeatureScale;
  private target?: TargetScale;
  private width?: number;

  constructor(options: GaussianProcessOptions = {}) {
    this.options = parseConfig(optionsSchema, options, 'gaussian process options');
  }

  /** The chosen hyperparameters (after fit). */
  get hyperparameters(): GpHyperparameters | undefined {
    return this.fitted?.hyper;
  }

  fit(X: readonly (readonly number[])[], y: readonly number[]): void {
    checkTrainingData(X, y, 'GaussianProcess');
    const features = new FeatureScale(X);
    const target = new TargetScale(y);
    const rows = X.map((x) => features.apply(x));
    const targets = y.map((v) => target.forward(v));
    const n = rows.length;
    const distances = new Float64Array(n * n);
    const positive: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const d = Math.sqrt(squaredDistance(rows[i]!, rows[j]!));
        distances[i * n + j] = d;
        distances[j * n + i] = d;
        if (d > 0) positive.push(d);
      }
    }
    const scale = median(positive);
    let best: Fitted | undefined;
    for (const multiple of this.options.lengthscales) {
      const lengthscale = multiple * scale;
      const r = distances.map((d) => correlation(this.options.kernel, d / lengthscale));
      for (const noise of this.options.noises) {
        const a = r.slice();
        for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + noise;
        const chol = cholesky(a, n);
        if (chol === null) continue;
        const alpha = solveUpper(chol, n, solveLower(chol, n, targets));
        let fit = 0;
        for (let i = 0; i < n; i++) fit += targets[i]! * alpha[i]!;
        // Constant targets (all 0 after scaling): any tiny variance explains them; keep it positive.
        const signalVariance = Math.max(fit / n, 1e-12);
        let logDet = 0;
        for (let i = 0; i < n; i++) logDet += Math.log(chol[i * n + i]!);
        const logMarginalLikelihood =
          -0.5 * n * Math.log(signalVariance) - logDet - 0.5 * n * (1 + Math.log(2 * Math.PI));
        if (best === undefined || logMarginalLikelihood > best.hyper.logMarginalLikelihood) {
          best = {
            rows,
            chol,
            alpha,
            hyper: { lengthscale, noise, signalVariance, logMarginalLikelihood },
          };
        }
      }
    }
    if (best === undefined) {
      throw new Error('GaussianProcess.fit: no (length scale, noise) pair gave a positive-definite kernel');
    }
    this.fitted = best;
    this.features = features;
    this.target = target;
    this.width = X[0]!.length;
  }

  predict(x: readonly number[]): Prediction {
    checkQuery(x, this.width, 'GaussianProcess');
    const { rows, chol, alpha, hyper } = this.fitted!;
    const input = this.features!.apply(x);
    const n = rows.length;
    const k = new Float64Array(n);
    let mean = 0;
    for (let i = 0; i < n; i++) {
      k[i] = correlation(
        this.options.kernel,
        Math.sqrt(squaredDistance(input, rows[i]!)) / hyper.lengthscale,
      );
      mean += k[i]! * alpha[i]!;
    }
    const v = solveLower(chol, n, k);
    let explained = 0;
    for (let i = 0; i < n; i++) explained += v[i]! * v[i]!;
    const variance = hyper.signalVariance * Math.max(0, 1 - explained);
    return this.target!.back({ mean, std: Math.sqrt(variance) });
  }
}
