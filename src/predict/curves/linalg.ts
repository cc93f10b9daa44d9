/** Small dense linear algebra for curve fitting (systems of at most a few unknowns). */

/**
 * Least squares for y ~ sum_j c_j * basis_j(x), through the 2x2 / 3x3 normal equations; used by the
 * families that are linear after a change of variables, so their starting point is the exact fit on
 * noiseless data. Returns null when the system is singular (e.g. fewer distinct x than unknowns).
 */
export function linearFit(rows: readonly (readonly number[])[], ys: readonly number[]): number[] | null {
  const k = rows[0]?.length ?? 0;
  const a = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const b = new Array<number>(k).fill(0);
  rows.forEach((row, i) => {
    for (let r = 0; r < k; r++) {
      b[r]! += (row[r] ?? 0) * (ys[i] ?? 0);
      for (let c = 0; c < k; c++) a[r]![c]! += (row[r] ?? 0) * (row[c] ?? 0);
    }
  });
  return solveLinear(a, b);
}

/** Gaussian elimination with partial pivoting on a small dense system; null when singular. */
export function solveLinear(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    const scale = Math.max(...m.map((row) => Math.abs(row[col]!)), 1e-300);
    if (Math.abs(m[pivot]![col]!) <= 1e-13 * scale) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const factor = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= factor * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x.every(Number.isFinite) ? x : null;
}
