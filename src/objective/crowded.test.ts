import { describe, expect, it } from 'vitest';
import { crowdedBetter, crowdedSelection, rankAndCrowding } from './crowded.js';

describe('crowded selection', () => {
  const points = [
    [0, 4], // front 0, extreme
    [1, 2], // front 0, crowding 1.5
    [3, 1], // front 0, crowding 1.25
    [4, 0], // front 0, extreme
    [2, 3], // front 1
    [5, 5], // front 2
    [Infinity, Infinity], // worst
  ];

  it('ranks and crowds each point within its front', () => {
    const rc = rankAndCrowding(points);
    expect(rc.rank).toEqual([0, 0, 0, 0, 1, 2, 3]);
    expect(rc.crowding.slice(0, 4)).toEqual([Infinity, 1.5, 1.25, Infinity]);
    expect(crowdedBetter(4, 5, rc)).toBe(true); // lower rank
    expect(crowdedBetter(1, 2, rc)).toBe(true); // same rank, less crowded
    expect(crowdedBetter(2, 1, rc)).toBe(false);
    expect(crowdedBetter(0, 3, rc)).toBe(false); // a tie is not a win
  });

  it('keeps whole fronts, then the least crowded of the front that does not fit', () => {
    expect(crowdedSelection(points, 5)).toEqual([0, 1, 2, 3, 4]);
    expect(crowdedSelection(points, 3)).toEqual([0, 1, 3]);
    expect(crowdedSelection(points, 2)).toEqual([0, 3]);
    expect(crowdedSelection(points, 20)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});
