/** Summary statistics of a set of timings (milliseconds). */
export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
  readonly std: number;
  /** Coefficient of variation: std / mean (a fraction, not a percentage); NaN when the mean is 0. */
  readonly cv: number;
}

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError('statistics of an empty set of values');
  if (values.some((v) => !Number.isFinite(v))) {
    throw new RangeError(`statistics need finite values, found ${values.find((v) => !Number.isFinite(v))}`);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * The q-th quantile (0..1) with linear interpolation between the closest ranks (NumPy's default), so
 * the median of an even count is the mean of the middle two.
 */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], found ${q}`);
  return quantileOfSorted(sorted(values), q);
}

function quantileOfSorted(s: readonly number[], q: number): number {
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  const a = s[lo] as number;
  return a + ((s[hi] as number) - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('mean of an empty set of values');
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (Bessel's correction); 0 for a single value. */
export function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/** std / mean; NaN when the mean is 0 (no relative spread to speak of). */
export function coefficientOfVariation(values: readonly number[]): number {
  const m = mean(values);
  return m === 0 ? NaN : std(values) / m;
}

export function summarize(values: readonly number[]): Summary {
  const s = sorted(values);
  const m = mean(s);
  const sd = std(s);
  return {
    count: s.length,
    median: quantileOfSorted(s, 0.5),
    p10: quantileOfSorted(s, 0.1),
    p90: quantileOfSorted(s, 0.9),
    mean: m,
    std: sd,
    cv: m === 0 ? NaN : sd / m,
  };
}
