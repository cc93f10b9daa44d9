import { describe, expect, it } from 'vitest';
import {
  MNAS_HARD,
  MNAS_SOFT,
  mnasReward,
  mnasRewardOf,
  mnasRewardSchema,
  weightedSum,
} from './scalarize.js';

describe('MnasNet reward', () => {
  it('is ACC x (LAT/T)^w with the soft exponent -0.07 on both sides', () => {
    expect(mnasReward(0.75, 80, 80)).toBe(0.75);
    expect(mnasReward(0.75, 40, 80, MNAS_SOFT)).toBeCloseTo(0.75 * Math.pow(0.5, -0.07), 15);
    expect(mnasReward(0.75, 40, 80)).toBeCloseTo(0.78729, 5);
    expect(mnasReward(0.75, 160, 80)).toBeCloseTo(0.71448, 5);
    // The paper's reading: 2x the latency costs about 5% of the reward.
    expect(mnasReward(1, 160, 80) / mnasReward(1, 80, 80)).toBeCloseTo(0.9526, 4);
  });

  it('hard variant: no gain below the target, ACC x T/LAT above it', () => {
    expect(mnasReward(0.75, 40, 80, MNAS_HARD)).toBe(0.75);
    expect(mnasReward(0.75, 80, 80, MNAS_HARD)).toBe(0.75);
    expect(mnasReward(0.75, 160, 80, MNAS_HARD)).toBe(0.375);
  });

  it('refuses a non-positive latency or target', () => {
    expect(() => mnasReward(0.7, 0, 80)).toThrow(/latency must be a positive number, got 0/);
    expect(() => mnasReward(0.7, 10, -1)).toThrow(/target T must be a positive number, got -1/);
  });

  it('reads the metrics a config names', () => {
    const spec = mnasRewardSchema.parse({ accuracy: 'acc', latency: 'lat', target: 10, variant: 'hard' });
    expect(mnasRewardOf({ acc: 90, lat: 20 }, spec)).toBe(45);
    expect(mnasRewardOf({ acc: 90 }, spec)).toBeUndefined();
    expect(mnasRewardOf({ acc: 90, lat: 0 }, spec)).toBeUndefined();
    expect(mnasRewardSchema.parse({ accuracy: 'a', latency: 'l', target: 1 }).variant).toBe('soft');
  });
});

describe('weighted sum', () => {
  const terms = [
    { metric: 'acc', direction: 'maximize', weight: 0.8 },
    { metric: 'lat', direction: 'minimize', weight: 0.2 },
  ] as const;
  const ranges = { acc: { min: 80, max: 90 }, lat: { min: 1, max: 5 } };

  it('normalises each metric to [0, 1] over its range, best end 1', () => {
    expect(weightedSum({ acc: 90, lat: 1 }, terms, ranges)).toBeCloseTo(1, 15);
    expect(weightedSum({ acc: 85, lat: 4 }, terms, ranges)).toBeCloseTo(0.8 * 0.5 + 0.2 * 0.25, 15);
    expect(weightedSum({ acc: 85, lat: 4 }, terms, { ...ranges, lat: { min: 2, max: 2 } })).toBeCloseTo(
      0.5,
      15,
    );
  });

  it('is undefined for a missing metric and refuses a missing range', () => {
    expect(weightedSum({ acc: 85 }, terms, ranges)).toBeUndefined();
    expect(() => weightedSum({ acc: 85, lat: 2 }, terms, { acc: ranges.acc })).toThrow(
      /no range given for metric "lat"/,
    );
  });
});
