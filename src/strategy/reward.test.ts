import { describe, expect, it } from 'vitest';
import { RunningRange } from './reward.js';

describe('RunningRange', () => {
  it('maps scores into [0, 1] over the observed range, clamping outside it', () => {
    const r = new RunningRange();
    expect(r.normalize(5)).toBe(0.5);
    r.observe(80);
    r.observe(90);
    r.observe(Number.NaN);
    expect(r.normalize(85)).toBeCloseTo(0.5);
    expect(r.normalize(90)).toBe(1);
    expect(r.normalize(70)).toBe(0);
    expect(r.normalize(95)).toBe(1);
  });

  it('round-trips through JSON', () => {
    const r = new RunningRange();
    expect(RunningRange.fromJSON(JSON.parse(JSON.stringify(r.toJSON()))).normalize(1)).toBe(0.5);
    r.observe(-3);
    r.observe(1);
    const back = RunningRange.fromJSON(JSON.parse(JSON.stringify(r.toJSON())));
    expect(back.normalize(-1)).toBeCloseTo(0.5);
  });
});
