import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { crowdingDistance, dominates, nonDominatedSort, paretoFront } from './pareto.js';

function randomPoints(rng: Rng, n: number, m: number, grid?: number): number[][] {
  return Array.from({ length: n }, () =>
    Array.from({ length: m }, () => (grid === undefined ? rng.float() : rng.int(grid))),
  );
}

/** Fronts by definition: peel off the points no remaining point dominates. */
function bruteForceFronts(points: readonly number[][]): number[][] {
  let remaining = points.map((_, i) => i);
  const fronts: number[][] = [];
  while (remaining.length > 0) {
    const front = remaining.filter(
      (i) => !remaining.some((j) => dominates(points[j] as number[], points[i] as number[])),
    );
    fronts.push(front);
    remaining = remaining.filter((i) => !front.includes(i));
  }
  return fronts;
}

/** Crowding by definition, for distinct values: the gap between each point's neighbours per objective. */
function bruteForceCrowding(points: readonly number[][], front: readonly number[]): number[] {
  const m = (points[0] as number[]).length;
  return front.map((i) => {
    let d = 0;
    for (let o = 0; o < m; o++) {
      const values = front.map((j) => (points[j] as number[])[o] as number);
      const v = (points[i] as number[])[o] as number;
      const below = values.filter((x) => x < v);
      const above = values.filter((x) => x > v);
      if (below.length === 0 || above.length === 0) return Infinity;
      d += (Math.min(...above) - Math.max(...below)) / (Math.max(...values) - Math.min(...values));
    }
    return d;
  });
}

describe('Pareto dominance', () => {
  it('dominates means no worse everywhere and better somewhere', () => {
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([1, 3], [1, 3])).toBe(false);
    expect(dominates([0, 4], [1, 3])).toBe(false);
    expect(dominates([1, 2, 3], [2, 3, 4])).toBe(true);
    expect(dominates([1, 2], [Infinity, Infinity])).toBe(true);
  });

  it('sorts a hand-made set into fronts', () => {
    const points = [
      [1, 5],
      [2, 2],
      [5, 1],
      [3, 3],
      [2, 2],
      [6, 6],
      [4, 4],
    ];
    expect(nonDominatedSort(points)).toEqual([[0, 1, 2, 4], [3], [6], [5]]);
    expect(paretoFront(points)).toEqual([0, 1, 2, 4]);
  });

  it('agrees with brute force on random seeded points (2 to 4 objectives, with ties)', () => {
    const rng = new Rng(7);
    for (let round = 0; round < 40; round++) {
      const m = 2 + (round % 3);
      const points = randomPoints(rng, 5 + rng.int(60), m, round % 2 === 0 ? 6 : undefined);
      const fronts = nonDominatedSort(points);
      expect(fronts).toEqual(bruteForceFronts(points));
      expect(paretoFront(points)).toEqual(fronts[0]);
    }
  });

  it('gives every member of a front its crowding distance, as brute force does', () => {
    const rng = new Rng(11);
    for (let round = 0; round < 30; round++) {
      const points = randomPoints(rng, 3 + rng.int(40), 2 + (round % 2));
      for (const front of nonDominatedSort(points)) {
        const got = crowdingDistance(points, front);
        const want = bruteForceCrowding(points, front);
        got.forEach((d, k) => {
          if (want[k] === Infinity) expect(d).toBe(Infinity);
          else expect(d).toBeCloseTo(want[k] as number, 12);
        });
      }
    }
  });

  it('computes crowding by hand and survives worst-ranked +Infinity points', () => {
    const points = [
      [0, 4],
      [1, 2],
      [3, 1],
      [4, 0],
    ];
    // middle points: (3-0)/4 + (4-1)/4 = 1.5 and (4-1)/4 + (2-0)/4 = 1.25
    expect(crowdingDistance(points, [0, 1, 2, 3])).toEqual([Infinity, 1.5, 1.25, Infinity]);
    const worst = [
      [Infinity, Infinity],
      [Infinity, Infinity],
      [Infinity, Infinity],
    ];
    expect(crowdingDistance(worst, [0, 1, 2])).toEqual([Infinity, 0, Infinity]);
    expect(crowdingDistance(worst, [])).toEqual([]);
  });
});
