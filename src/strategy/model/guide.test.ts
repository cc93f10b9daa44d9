import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { Nb201Space } from '../../space/nb201.js';
import { randomSample } from '../../space/walk.js';
import { flatSpace, trialRecord } from '../toy.testkit.js';
import { MAX_OBSERVATIONS, ModelGuide } from './guide.js';
import { centredRank, centredRanks, SortedScores } from './rank.js';

describe('rank rewards', () => {
  it('centre ranks in [-0.5, 0.5], ties sharing their average', () => {
    expect(centredRanks([10, 30, 20])).toEqual([-0.5, 0.5, 0]);
    centredRanks([1, 1, 2, 3]).forEach((r, i) => expect(r).toBeCloseTo([-1 / 3, -1 / 3, 1 / 6, 0.5][i]!, 12));
    expect(centredRanks([7])).toEqual([0]);
    expect(centredRank(30, [10, 20, 30])).toBe(0.5);
    expect(centredRank(10, [10, 20, 30])).toBe(-0.5);
    expect(centredRank(20, [10, 20, 30])).toBe(0);
    // A broken architecture far below changes no other rank by more than one place.
    expect(centredRank(20, [-1000, 10, 20, 30])).toBeCloseTo(1 / 6);
  });

  it('sorted scores give shares in [0, 1] and the median', () => {
    const s = new SortedScores();
    expect(s.share(5)).toBe(0.5);
    for (const v of [3, 1, 2, 2, Infinity]) s.add(v);
    expect(s.size).toBe(4);
    expect(s.share(1)).toBe(0.125);
    expect(s.share(2)).toBe(0.5);
    expect(s.share(3)).toBe(0.875);
    expect(s.share(10)).toBe(0.9);
    expect(s.share(-Infinity)).toBe(0);
    expect(s.median()).toBe(2);
  });
});

describe('ModelGuide', () => {
  const space = new Nb201Space();
  // A smooth objective of the cell: percent-like scores, so the log-error target applies.
  const score = (s: Record<string, unknown>): number =>
    60 + Object.values(s).filter((op) => op === 'nor_conv_3x3').length * 5;

  it('fits once `initial` results are in, refits as they grow by 15%, and predicts the trend', () => {
    const guide = new ModelGuide(space, 'gp', 5);
    const rng = new Rng(3);
    const fits: number[] = [];
    for (let i = 0; i < 40; i++) {
      const sample = randomSample(space, rng);
      guide.observe(trialRecord(sample, score(sample)));
      if (guide.ready(rng)) fits.push((guide.state().fit as [number, number])[0]);
    }
    // n >= max(last + 1, 1.15 last): 13 fits in the first 40 results.
    expect([...new Set(fits)]).toEqual([5, 6, 7, 9, 11, 13, 15, 18, 21, 25, 29, 34, 40]);
    const good = { ...randomSample(space, rng) };
    for (const k of Object.keys(good)) good[k] = 'nor_conv_3x3';
    const bad = { ...good };
    for (const k of Object.keys(bad)) bad[k] = 'avg_pool_3x3';
    expect(guide.predict(good).mean).toBeGreaterThan(guide.predict(bad).mean + 10);
    expect(guide.error).toBeGreaterThanOrEqual(0);
  });

  it('trusts predictions less the more uncertain they are', () => {
    const guide = new ModelGuide(space, 'gp', 2);
    const rng = new Rng(1);
    for (let i = 0; i < 10; i++) {
      const sample = randomSample(space, rng);
      guide.observe(trialRecord(sample, score(sample)));
    }
    guide.ready(rng);
    const sure = guide.trust([{ mean: 70, std: 0 }]);
    const unsure = guide.trust([{ mean: 70, std: 100 }]);
    expect(sure).toBe(1);
    expect(unsure).toBeLessThan(0.01);
    expect(guide.trust([])).toBe(0);
  });

  it('restores to the same model from its saved results and fit', () => {
    const rng = new Rng(5);
    const guide = new ModelGuide(space, 'gp', 5);
    for (let i = 0; i < 20; i++) {
      const sample = randomSample(space, rng);
      guide.observe(trialRecord(sample, score(sample)));
      guide.ready(rng);
    }
    const copy = new ModelGuide(space, 'gp', 5);
    copy.restore(JSON.parse(JSON.stringify(guide.state())) as never, 'test');
    const probe = randomSample(space, new Rng(9));
    expect(copy.predict(probe)).toEqual(guide.predict(probe));
    expect(copy.has(space.key(probe))).toBe(guide.has(space.key(probe)));
  });

  it('records each architecture once, failed trials never, and at most MAX_OBSERVATIONS', () => {
    const toy = flatSpace(8, [0, 1, 2, 3]);
    const guide = new ModelGuide(toy, 'off', 5);
    const rng = new Rng(2);
    expect(guide.observe(trialRecord({ d0: 0 }, undefined))).toBe(false);
    let added = 0;
    for (let i = 0; i < MAX_OBSERVATIONS + 2000; i++) {
      if (guide.observe(trialRecord(randomSample(toy, rng), i))) added++;
    }
    expect(added).toBe(MAX_OBSERVATIONS);
    expect(guide.observations.size).toBe(MAX_OBSERVATIONS);
    expect(guide.ready(rng)).toBe(false);
  });
});
