/**
 * Centred rank of `x` among `values` (which should include x): the share of values below it, ties
 * counted half, shifted to (-0.5, 0.5). 0 for a single value or the median. Rank-based rewards (as in
 * evolution strategies' fitness shaping) are invariant to the scale and skew of the scores: a few broken
 * architectures at chance accuracy neither squash the differences among good ones (as min-max
 * normalisation does) nor dominate a moving average (as an EMA baseline does).
 */
export function centredRank(x: number, values: readonly number[]): number {
  if (values.length <= 1) return 0;
  let below = 0;
  let equal = 0;
  for (const v of values) {
    if (v < x) below++;
    else if (v === x) equal++;
  }
  // x itself is among the equal ones; a value not in the list is ranked as if it were.
  if (equal === 0) equal = 1;
  const n = Math.max(values.length, below + equal);
  return (below + (equal - 1) / 2) / (n - 1) - 0.5;
}

/** The centred rank of each value within the list (ties share their average rank). */
export function centredRanks(values: readonly number[]): number[] {
  const n = values.length;
  if (n <= 1) return values.map(() => 0);
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 / (n - 1) - 0.5;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}

/** A growing multiset of scores kept sorted, for ranks in O(log n). Non-finite scores are ignored. */
export class SortedScores {
  private readonly values: number[] = [];

  get size(): number {
    return this.values.length;
  }

  add(score: number): void {
    if (!Number.isFinite(score)) return;
    this.values.splice(this.lowerBound(score), 0, score);
  }

  clear(): void {
    this.values.length = 0;
  }

  /**
   * The score's place among the results in [0, 1]: (below + equal / 2) / n, with a score not among
   * them counted as if it were; 0.5 with no results. Non-finite scores are 0 or 1.
   */
  share(score: number): number {
    if (Number.isNaN(score)) return 0.5;
    if (score === -Infinity) return 0;
    if (score === Infinity) return 1;
    const n = this.values.length;
    if (n === 0) return 0.5;
    const below = this.lowerBound(score);
    let equal = this.upperBound(score) - below;
    let total = n;
    if (equal === 0) {
      equal = 1;
      total++;
    }
    return (below + equal / 2) / total;
  }

  /** The median result (NaN with none). */
  median(): number {
    const n = this.values.length;
    if (n === 0) return NaN;
    return n % 2 === 1 ? this.values[n >> 1]! : (this.values[n / 2 - 1]! + this.values[n / 2]!) / 2;
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(x: number): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
