/**
 * The standard normal CDF, through erf (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7: ample for
 * a stopping probability compared with a threshold like 0.05).
 */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - poly * Math.exp(-x * x));
}

export function normalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  return Math.min(1, Math.max(0, 0.5 * (1 + erf(z / Math.SQRT2))));
}

/** P(X > threshold) for X ~ N(mean, std^2); a point mass when std is 0. */
export function normalAbove(mean: number, std: number, threshold: number): number {
  if (std <= 0) return mean > threshold ? 1 : mean < threshold ? 0 : 0.5;
  return 1 - normalCdf((threshold - mean) / std);
}
