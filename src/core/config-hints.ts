/**
 * Helpers for config messages that point at the fix: "unknown field "sigal" ... did you mean "signal"?".
 */

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** `; did you mean "x"?` for the closest candidate within a small edit distance, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best = '';
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === '' ? '' : `; did you mean "${best}"?`;
}

/** One message per key of `value` that is not in `known`. */
export function unknownFields(
  value: Readonly<Record<string, unknown>>,
  known: readonly string[],
): { key: string; message: string }[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      key,
      message: `unknown field "${key}"${didYouMean(key, known)} (expected fields: ${known.join(', ')})`,
    }));
}
