/**
 * Pareto dominance over minimisation vectors (see toMinimization): NSGA-II's fast non-dominated sort
 * and crowding distance (Deb et al. 2002), and the first front alone.
 */

/** True when `a` is no worse than `b` in every objective and better in at least one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/**
 * Deb's fast non-dominated sort, O(M N^2): fronts of indices into `points`, best first, each front in
 * ascending index order. Every index appears in exactly one front.
 */
export function nonDominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = new Int32Array(n); // how many points dominate i
  const dominating: number[][] = Array.from({ length: n }, () => []); // the points i dominates
  for (let i = 0; i < n; i++) {
    const p = points[i] as readonly number[];
    for (let j = i + 1; j < n; j++) {
      const q = points[j] as readonly number[];
      if (dominates(p, q)) {
        (dominating[i] as number[]).push(j);
        dominatedBy[j] = (dominatedBy[j] as number) + 1;
      } else if (dominates(q, p)) {
        (dominating[j] as number[]).push(i);
        dominatedBy[i] = (dominatedBy[i] as number) + 1;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominating[i] as number[]) {
        if (--(dominatedBy[j] as number) === 0) next.push(j);
      }
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * NSGA-II's crowding distance of each member of one front (aligned with `front`): per objective, the
 * two extremes get Infinity and the others add the normalised gap between their neighbours. An
 * objective whose span over the front is zero or not finite (worst-ranked trials are +Infinity) adds
 * nothing, so distances stay numbers.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const size = front.length;
  const distance = new Array<number>(size).fill(0);
  if (size === 0) return distance;
  const m = (points[front[0] as number] as readonly number[]).length;
  const order = Array.from({ length: size }, (_, k) => k);
  for (let o = 0; o < m; o++) {
    const value = (k: number): number => (points[front[k] as number] as readonly number[])[o] as number;
    // Ties broken by position, so the result does not depend on the sort's stability.
    order.sort((a, b) => value(a) - value(b) || a - b);
    const lo = value(order[0] as number);
    const hi = value(order[size - 1] as number);
    distance[order[0] as number] = Infinity;
    distance[order[size - 1] as number] = Infinity;
    const span = hi - lo;
    if (!(span > 0) || !Number.isFinite(span)) continue;
    for (let k = 1; k < size - 1; k++) {
      const at = order[k] as number;
      distance[at] =
        (distance[at] as number) + (value(order[k + 1] as number) - value(order[k - 1] as number)) / span;
    }
  }
  return distance;
}

/**
 * Indices of the non-dominated points, ascending. Sorting lexicographically first means a point can only
 * be dominated by one before it, and then by one already on the front (dominance is transitive), so
 * each point is checked against the front alone: O(N log N + N F), fast enough for a whole benchmark
 * table.
 */
export function paretoFront(points: readonly (readonly number[])[]): number[] {
  const order = points.map((_, i) => i);
  order.sort((a, b) => {
    const p = points[a] as readonly number[];
    const q = points[b] as readonly number[];
    for (let k = 0; k < p.length; k++) {
      const d = (p[k] as number) - (q[k] as number);
      if (d !== 0) return d;
    }
    return a - b;
  });
  const front: number[] = [];
  for (const i of order) {
    const p = points[i] as readonly number[];
    if (!front.some((f) => dominates(points[f] as readonly number[], p))) front.push(i);
  }
  return front.sort((a, b) => a - b);
}
