import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { hypervolume } from './hypervolume.js';

/** Counts the unit cells of the integer grid dominated by some point: exact for integer points. */
function gridVolume(points: readonly number[][], reference: readonly number[]): number {
  const m = reference.length;
  let count = 0;
  const cell = new Array<number>(m).fill(0);
  const visit = (d: number): void => {
    if (d === m) {
      // The cell [c, c+1)^m is dominated when some point is <= its lower corner.
      if (points.some((p) => p.every((v, k) => v <= (cell[k] as number)))) count++;
      return;
    }
    for (let c = 0; c < (reference[d] as number); c++) {
      cell[d] = c;
      visit(d + 1);
    }
  };
  visit(0);
  return count;
}

describe('hypervolume', () => {
  it('computes hand-made 2-D cases', () => {
    // Reference (4, 4): the staircase of (1,3), (2,2), (3,1) covers 3 + 2 + 1 = 6.
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
        ],
        [4, 4],
      ),
    ).toBe(6);
    // A dominated point (3,3), a duplicate, and points on or beyond the reference add nothing.
    expect(
      hypervolume(
        [
          [1, 3],
          [3, 3],
          [2, 2],
          [2, 2],
          [3, 1],
          [4, 0],
          [0, 5],
          [5, 5],
        ],
        [4, 4],
      ),
    ).toBe(6);
    expect(hypervolume([[0.5, 0.5]], [1, 2])).toBe(0.75);
    expect(hypervolume([], [1, 1])).toBe(0);
    expect(hypervolume([[2, 2]], [1, 1])).toBe(0);
  });

  it('computes hand-made 3-D cases', () => {
    expect(hypervolume([[0, 0, 0]], [2, 3, 4])).toBe(24);
    // Two boxes [1,3]x[0,3]x[0,3] and [0,3]x[1,3]x[1,3]: 18 + 12 - overlap [1,3]x[1,3]x[1,3] = 8 -> 22.
    expect(
      hypervolume(
        [
          [1, 0, 0],
          [0, 1, 1],
        ],
        [3, 3, 3],
      ),
    ).toBe(22);
    // Adding a dominated point and one beyond the reference changes nothing.
    expect(
      hypervolume(
        [
          [1, 0, 0],
          [0, 1, 1],
          [2, 2, 2],
          [0, 0, 3],
        ],
        [3, 3, 3],
      ),
    ).toBe(22);
  });

  it('agrees with counting grid cells on random integer points', () => {
    const rng = new Rng(3);
    for (let round = 0; round < 30; round++) {
      const m = 2 + (round % 2);
      const reference = Array.from({ length: m }, () => 4 + rng.int(5));
      const points = Array.from({ length: 1 + rng.int(15) }, () =>
        Array.from({ length: m }, () => rng.int(10)),
      );
      expect(hypervolume(points, reference)).toBe(gridVolume(points, reference));
    }
  });

  it('refuses other dimensions and mismatched points with a RangeError', () => {
    expect(() => hypervolume([[1, 2, 3, 4]], [5, 5, 5, 5])).toThrow(
      /exact for 2 or 3 objectives only; the reference point has 4 coordinates/,
    );
    expect(() => hypervolume([[1]], [2])).toThrow(RangeError);
    expect(() => hypervolume([[1, 2, 3]], [5, 5])).toThrow(
      /point 0 has 3 coordinates, the reference point has 2/,
    );
    expect(() => hypervolume([[1, 2]], [5, NaN])).toThrow(/must be finite/);
  });
});
