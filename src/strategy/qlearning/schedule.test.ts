import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '../../core/validate.js';
import { metaqnnEpsilon, scheduledEpsilon, scheduleOption } from './schedule.js';

describe("MetaQNN's epsilon schedule", () => {
  it('explores fully for the warm-up, then steps 0.9, 0.8, ..., 0.1 in equal shares of the rest', () => {
    // warmup 0.5: the other half is cut into 9 shares of 1/18 each.
    const points: [number, number][] = [
      [0, 1],
      [0.25, 1],
      [0.4999, 1],
      [0.5, 0.9],
      [0.5 + 1 / 18 - 1e-9, 0.9],
      [0.5 + 1 / 18 + 1e-9, 0.8],
      [0.5 + 2.5 / 18, 0.7],
      [0.75, 0.5], // 4.5 shares in: the fifth step
      [0.5 + 8 / 18 + 1e-9, 0.1],
      [0.99, 0.1],
      [1, 0.1],
      [1.2, 0.1], // the runner may overshoot its budget with trials in flight
    ];
    for (const [progress, epsilon] of points) expect(metaqnnEpsilon(progress, 0.5)).toBe(epsilon);
  });

  it('follows the warm-up option, and a warm-up of 1 never stops exploring', () => {
    expect(metaqnnEpsilon(0.2, 0.3)).toBe(1);
    expect(metaqnnEpsilon(0.3, 0.3)).toBe(0.9);
    expect(metaqnnEpsilon(0.3 + (0.7 * 3) / 9 + 1e-9, 0.3)).toBe(0.6);
    expect(metaqnnEpsilon(0, 0)).toBe(0.9);
    expect(metaqnnEpsilon(1, 1)).toBe(1);
  });
});

describe('explicit schedule', () => {
  const parse = (text: string) =>
    parseConfig(z.strictObject({ schedule: scheduleOption }), { schedule: text }, 'opts');

  it('parses from:epsilon pairs and applies the last one reached', () => {
    const { schedule } = parse('0:1, 0.5:0.5,0.8:0.1');
    expect(schedule).toEqual([
      { from: 0, epsilon: 1 },
      { from: 0.5, epsilon: 0.5 },
      { from: 0.8, epsilon: 0.1 },
    ]);
    expect(scheduledEpsilon(0, schedule)).toBe(1);
    expect(scheduledEpsilon(0.49, schedule)).toBe(1);
    expect(scheduledEpsilon(0.5, schedule)).toBe(0.5);
    expect(scheduledEpsilon(0.9, schedule)).toBe(0.1);
    expect(parse('').schedule).toEqual([]);
  });

  it('names the bad pair', () => {
    expect(() => parse('0:1,0.5')).toThrow(/schedule pair "0.5" is not of the form from:epsilon/);
    expect(() => parse('0.1:1')).toThrow(/"0.1:1" must start at 0/);
    expect(() => parse('0:1,0.5:0.2,0.4:0.1')).toThrow(/"0.4:0.1" must come after the previous pair/);
    expect(() => parse('0:1.5')).toThrow(/"0:1.5" needs from and epsilon in \[0, 1\]/);
  });
});
