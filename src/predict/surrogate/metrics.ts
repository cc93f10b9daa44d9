/**
 * Rank and error metrics for judging predictors: Kendall's tau-b is the figure NAS papers report for
 * predictor quality (White et al. 2021), because a search only needs the ranking right.
 */

function checkPaired(a: readonly number[], b: readonly number[], what: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${what}: the two lists differ in length (${a.length} vs ${b.length})`);
  }
}

/**
 * Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties in a) (n0 - ties in b)) over all pairs,
 * so ties in either list are allowed (as scipy.stats.kendalltau). When one list has no two different
 * values the rank correlation carries no information and is 0 here (scipy says NaN), so tables of
 * results stay numeric. O(n^2), which is instant for the few thousand points a benchmark uses.
 */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  checkPaired(a, b, 'kendallTau');
  const n = a.length;
  let concordant = 0;
  let discordant = 0;
  let tiedA = 0;
  let tiedB = 0;
  for (let i = 0; i < n; i++) {
    const ai = a[i]!;
    const bi = b[i]!;
    for (let j = i + 1; j < n; j++) {
      const da = Math.sign(ai - a[j]!);
      const db = Math.sign(bi - b[j]!);
      if (da === 0) tiedA++;
      if (db === 0) tiedB++;
      const s = da * db;
      if (s > 0) concordant++;
      else if (s < 0) discordant++;
    }
  }
  const pairs = (n * (n - 1)) / 2;
  const denominator = Math.sqrt((pairs - tiedA) * (pairs - tiedB));
  return denominator === 0 ? 0 : (concordant - discordant) / denominator;
}

/** Mean of squared differences. */
export function meanSquaredError(predicted: readonly number[], actual: readonly number[]): number {
  checkPaired(predicted, actual, 'meanSquaredError');
  if (predicted.length === 0) throw new RangeError('meanSquaredError: no values');
  let sum = 0;
  for (let i = 0; i < predicted.length; i++) sum += (predicted[i]! - actual[i]!) ** 2;
  return sum / predicted.length;
}
