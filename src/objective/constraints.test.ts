import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { constrainedReward, feasible, parseConstraints, violation } from './constraints.js';

describe('constraints', () => {
  const limits = parseConstraints(
    [
      { metric: 'params_M', max: 1 },
      { metric: 'latency_ms', max: 4, min: 1 },
    ],
    'exp.yaml',
  );

  it('decides feasibility from every limit', () => {
    expect(feasible({ params_M: 1, latency_ms: 4 }, limits)).toBe(true);
    expect(feasible({ params_M: 0.5, latency_ms: 2 }, limits)).toBe(true);
    expect(feasible({ params_M: 1.01, latency_ms: 2 }, limits)).toBe(false);
    expect(feasible({ params_M: 0.5, latency_ms: 0.5 }, limits)).toBe(false);
    expect(feasible({ params_M: 0.5 }, limits)).toBe(false);
  });

  it('measures the violation as the sum of relative excess', () => {
    expect(violation({ params_M: 0.5, latency_ms: 2 }, limits)).toBe(0);
    expect(violation({ params_M: 1.5, latency_ms: 2 }, limits)).toBeCloseTo(0.5, 15);
    expect(violation({ params_M: 1.5, latency_ms: 6 }, limits)).toBeCloseTo(0.5 + 0.5, 15);
    expect(violation({ params_M: 1, latency_ms: 0.25 }, limits)).toBeCloseTo(0.75, 15);
    expect(violation({ params_M: 1, latency_ms: NaN }, limits)).toBe(Infinity);
    // A zero limit has no scale: the excess is absolute.
    expect(violation({ x: 0.3 }, [{ metric: 'x', max: 0 }])).toBeCloseTo(0.3, 15);
  });

  it('rejects or penalises infeasible candidates, keeps feasible ones', () => {
    const ok = { params_M: 0.5, latency_ms: 2 };
    const over = { params_M: 1.2, latency_ms: 2 };
    expect(constrainedReward(90, ok, limits, 'reject')).toBe(90);
    expect(constrainedReward(90, ok, limits, 'penalize', 100)).toBe(90);
    expect(constrainedReward(90, over, limits, 'reject')).toBeUndefined();
    expect(constrainedReward(90, over, limits, 'penalize', 100)).toBeCloseTo(70, 12);
    expect(constrainedReward(90, {}, limits, 'penalize')).toBe(-Infinity);
  });

  it('names the bad field of a constraint', () => {
    const message = (value: unknown): string => {
      try {
        parseConstraints(value, 'exp.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).message;
      }
      throw new Error('expected a ConfigError');
    };
    expect(message([{ metric: 'lat' }])).toMatch(
      /constraints\[0\]\.max: a constraint on "lat" needs a limit/,
    );
    expect(message([{ metric: 'lat', max: 1, min: 2 }])).toMatch(
      /constraints\[0\]\.min: min must be at most max \(1\)/,
    );
    expect(message([{ metric: 'lat', max: 'fast' }])).toMatch(/constraints\[0\]\.max: .*expected number/);
  });
});
