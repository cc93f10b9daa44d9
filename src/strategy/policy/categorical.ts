/**
 * One categorical decision from raw logits u: s = u / T, then, when a tanh constant c > 0 is set, the
 * soft clip z = c * tanh(s / c), then p = softmax(z). The clip keeps slope 1 near 0 (turning it on
 * leaves a near-uniform policy as it was) and bounds every logit in (-c, c), so no choice's
 * probability can collapse to 0. ENAS writes c * tanh(u / T_enas): the same with T = T_enas / c (its
 * temperature 5 and constant 2.5 are temperature 2, tanhClip 2.5 here).
 */
export interface LogitShaping {
  /** T > 0: divides the logits (T > 1 flattens the distribution). */
  readonly temperature: number;
  /** c: bounds the logits by c * tanh(. / c); 0 turns it off. */
  readonly tanhClip: number;
}

/**
 * Fills z[zOff..+k) and p[zOff..+k) from u[uOff..+k); returns log of the normaliser (log-sum-exp of z), so
 * log p_j = z_j - lse without the underflow of log(p_j).
 */
export function distribution(
  shaping: LogitShaping,
  u: Float64Array,
  uOff: number,
  k: number,
  z: Float64Array,
  p: Float64Array,
  zOff: number,
): number {
  const invT = 1 / shaping.temperature;
  const c = shaping.tanhClip;
  let max = -Infinity;
  for (let j = 0; j < k; j++) {
    const s = u[uOff + j]! * invT;
    const zj = c > 0 ? c * Math.tanh(s / c) : s;
    z[zOff + j] = zj;
    if (zj > max) max = zj;
  }
  let sum = 0;
  for (let j = 0; j < k; j++) {
    const e = Math.exp(z[zOff + j]! - max);
    p[zOff + j] = e;
    sum += e;
  }
  for (let j = 0; j < k; j++) p[zOff + j] = p[zOff + j]! / sum;
  return max + Math.log(sum);
}

/** H = -sum_j p_j log p_j. */
export function entropyOf(z: Float64Array, p: Float64Array, zOff: number, k: number, lse: number): number {
  let h = 0;
  for (let j = 0; j < k; j++) h -= p[zOff + j]! * (z[zOff + j]! - lse);
  return h;
}

/** Inverse-CDF draw from p[zOff..+k) with a uniform number in [0, 1). */
export function drawIndex(p: Float64Array, zOff: number, k: number, uniform: number): number {
  let acc = 0;
  for (let j = 0; j < k - 1; j++) {
    acc += p[zOff + j]!;
    if (uniform < acc) return j;
  }
  return k - 1;
}

/**
 * Adds d(coefLogp * log p_a + coefEntropy * H) / du into du[duOff..+k):
 *   d log p_a / dz_j = [j = a] - p_j;  dH / dz_j = -p_j (log p_j + H);
 *   dz_j / du_j = (1 / T) (1 - (z_j / c)^2) with the tanh clip, 1 / T without.
 */
export function backwardLogits(
  shaping: LogitShaping,
  z: Float64Array,
  p: Float64Array,
  zOff: number,
  k: number,
  lse: number,
  entropy: number,
  action: number,
  coefLogp: number,
  coefEntropy: number,
  du: Float64Array,
  duOff: number,
): void {
  const invT = 1 / shaping.temperature;
  const c = shaping.tanhClip;
  for (let j = 0; j < k; j++) {
    const pj = p[zOff + j]!;
    const zj = z[zOff + j]!;
    let dz = coefLogp * ((j === action ? 1 : 0) - pj);
    if (coefEntropy !== 0) dz -= coefEntropy * pj * (zj - lse + entropy);
    const t = c > 0 ? zj / c : 0;
    du[duOff + j] = du[duOff + j]! + dz * invT * (1 - t * t);
  }
}
