import { crowdingDistance, nonDominatedSort } from './pareto.js';

/** Each point's front (0 = non-dominated) and crowding distance within its front. */
export interface RankAndCrowding {
  readonly rank: readonly number[];
  readonly crowding: readonly number[];
}

export function rankAndCrowding(points: readonly (readonly number[])[]): RankAndCrowding {
  const rank = new Array<number>(points.length).fill(0);
  const crowding = new Array<number>(points.length).fill(0);
  nonDominatedSort(points).forEach((front, r) => {
    const distance = crowdingDistance(points, front);
    front.forEach((i, k) => {
      rank[i] = r;
      crowding[i] = distance[k] as number;
    });
  });
  return { rank, crowding };
}

/** NSGA-II's crowded-comparison operator: true when `a` beats `b` (lower rank, then less crowded). */
export function crowdedBetter(a: number, b: number, rc: RankAndCrowding): boolean {
  const ra = rc.rank[a] as number;
  const rb = rc.rank[b] as number;
  if (ra !== rb) return ra < rb;
  return (rc.crowding[a] as number) > (rc.crowding[b] as number);
}

/**
 * NSGA-II's environmental selection: whole fronts while they fit, then the least crowded members of the
 * front that does not (ties by index). Returns `n` indices (all of them when there are fewer), ascending.
 */
export function crowdedSelection(points: readonly (readonly number[])[], n: number): number[] {
  const chosen: number[] = [];
  for (const front of nonDominatedSort(points)) {
    if (chosen.length + front.length <= n) {
      chosen.push(...front);
      if (chosen.length === n) break;
      continue;
    }
    const distance = crowdingDistance(points, front);
    const order = front.map((_, k) => k);
    order.sort((a, b) => (distance[b] as number) - (distance[a] as number) || a - b);
    for (const k of order.slice(0, n - chosen.length)) chosen.push(front[k] as number);
    break;
  }
  return chosen.sort((a, b) => a - b);
}
