/**
 * Combining the per-family fits into one prediction (Domhan et al. combine the families in one model and
 * sample it by MCMC; this is the cheap deterministic version): each accepted fit is a Gaussian at the
 * target epoch (its value, its linearised prediction spread), weighted by how well it explains the
 * observed points; the prediction is that mixture.
 */
import type { CurveFamilyName } from './families.js';
import { normalAbove } from './normal.js';

export type CurveWeighting = 'bic' | 'inverse-mse' | 'uniform';

/** One family's contribution to the prediction. */
export interface CurveMember {
  readonly family: CurveFamilyName;
  readonly params: readonly number[];
  readonly sse: number;
  /** Residual standard deviation of the fit (floored). */
  readonly sigma: number;
  /** The fit's value at the target epoch, and the spread of an observation there. */
  readonly value: number;
  readonly std: number;
  /** Normalised weight; the members' weights sum to 1. */
  readonly weight: number;
}

export interface RejectedFit {
  readonly family: CurveFamilyName;
  readonly reason: 'too-few-points' | 'no-finite-fit' | 'out-of-range';
}

/** What `weighFits` needs from a fit. */
export interface WeighInput {
  readonly sse: number;
  readonly n: number;
  readonly k: number;
}

/**
 * Unnormalised log-weights. 'bic': -BIC/2 with a Gaussian likelihood, so a family pays ln(n)/2 per
 * parameter; the error variance is floored at noiseFloor^2 so fits that differ only below the noise
 * level are weighted alike instead of the exact one taking everything.
 */
export function logWeights(
  fits: readonly WeighInput[],
  weighting: CurveWeighting,
  noiseFloor: number,
): number[] {
  return fits.map(({ sse, n, k }) => {
    const mse = Math.max(sse / n, noiseFloor * noiseFloor);
    if (weighting === 'uniform') return 0;
    if (weighting === 'inverse-mse') return -Math.log(mse);
    return -0.5 * (n * Math.log(mse) + k * Math.log(n));
  });
}

export function normalise(logW: readonly number[]): number[] {
  const top = Math.max(...logW);
  const w = logW.map((l) => Math.exp(l - top));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

export class CurvePrediction {
  /** Mixture mean at the target epoch. */
  readonly mean: number;
  /** Mixture standard deviation: the members' own spreads plus their disagreement. */
  readonly std: number;

  constructor(
    readonly targetEpoch: number,
    readonly members: readonly CurveMember[],
    readonly rejected: readonly RejectedFit[],
    /** Set when no family could be fitted: mean is the last observed value, std is uninformative. */
    readonly fallback: { readonly mean: number; readonly std: number } | null = null,
  ) {
    if (fallback) {
      this.mean = fallback.mean;
      this.std = fallback.std;
      return;
    }
    this.mean = members.reduce((s, m) => s + m.weight * m.value, 0);
    const variance = members.reduce((s, m) => s + m.weight * (m.std * m.std + (m.value - this.mean) ** 2), 0);
    this.std = Math.sqrt(variance);
  }

  /**
   * P(value at the target epoch > threshold) under the mixture (each member Gaussian): non-increasing in
   * the threshold. A pruner stops a trial when this, at the best value so far, is small.
   */
  probabilityAbove(threshold: number): number {
    if (this.fallback) return normalAbove(this.mean, this.std, threshold);
    return this.members.reduce((s, m) => s + m.weight * normalAbove(m.value, m.std, threshold), 0);
  }
}
