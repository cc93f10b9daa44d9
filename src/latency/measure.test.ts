import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { smallCnn } from '../graph/networks.testkit.js';
import { measureLatency, parseLatencyOptions } from './measure.js';

describe('measureLatency', () => {
  it('times a small CNN at each batch size: positive, finite figures of the right shape', async () => {
    const result = await measureLatency(smallCnn(), { batches: [1, 4], warmup: 1, runs: 3, repeats: 2 });
    expect(result.options).toMatchObject({ batches: [1, 4], threads: 1, runs: 3, repeats: 2 });
    expect(result.onnxruntime).toMatch(/^\d+\.\d+/);
    expect(result.batches.map((b) => b.batch)).toEqual([1, 4]);
    for (const b of result.batches) {
      for (const v of [b.medianMs, b.p10Ms, b.p90Ms, b.meanMs]) {
        expect(v).toBeGreaterThan(0);
        expect(Number.isFinite(v)).toBe(true);
      }
      expect(b.p10Ms).toBeLessThanOrEqual(b.p90Ms);
      expect(Number.isFinite(b.cvAcross) && b.cvAcross >= 0).toBe(true);
      expect(b.repeats).toHaveLength(2);
      expect(b.repeats.every((r) => r.count === 3)).toBe(true);
    }
  });

  it('names a bad option and the fix', () => {
    expect(() => parseLatencyOptions({ runs: 0 })).toThrow(ConfigError);
    expect(() => parseLatencyOptions({ runs: 0 })).toThrow(/runs/);
    expect(() => parseLatencyOptions({ batches: [] })).toThrow(/batches/);
    expect(() => parseLatencyOptions({ thread: 2 })).toThrow(/thread/);
    expect(parseLatencyOptions(undefined)).toEqual({
      batches: [1, 32],
      threads: 1,
      warmup: 10,
      runs: 50,
      repeats: 5,
      seed: 0,
      graphOptimizationLevel: 'extended',
    });
  });
});
