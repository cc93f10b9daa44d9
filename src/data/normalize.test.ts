import { describe, expect, it } from 'vitest';
import { makeDataset } from './dataset.js';
import { applyNormalization, computeNormalization, normalizeSplits } from './normalize.js';
import { splitDataset } from './split.js';

/** Two-channel 1x2 images: channel 0 = i, channel 1 = 5 (constant); 10 samples. */
function images() {
  const x = new Float32Array(10 * 4);
  for (let i = 0; i < 10; i++) x.set([i, i, 5, 5], i * 4);
  return makeDataset({
    source: 'img',
    shape: [2, 1, 2],
    x,
    y: Int32Array.from({ length: 10 }, (_, i) => i % 2),
    classes: ['a', 'b'],
    inputScale: 1 / 255,
  });
}

describe('normalisation', () => {
  it('computes per-channel mean and std, and leaves a constant channel unscaled', () => {
    const n = computeNormalization(images());
    expect(n.mean[0]).toBeCloseTo(4.5, 10);
    expect(n.std[0]).toBeCloseTo(Math.sqrt(8.25), 10);
    expect(n.mean[1]).toBe(5);
    expect(n.std[1]).toBe(1);
    expect(n.inputScale).toBeCloseTo(1 / 255, 12);
  });

  it('gives each channel mean 0 and std 1', () => {
    const data = images();
    const out = applyNormalization(data, computeNormalization(data));
    const again = computeNormalization(out);
    expect(again.mean[0]).toBeCloseTo(0, 6);
    expect(again.std[0]).toBeCloseTo(1, 6);
    expect(out.x[1]).toBeCloseTo(-4.5 / Math.sqrt(8.25), 6);
    expect(data.x[1]).toBe(0); // the input is untouched
    const own = applyNormalization(data, computeNormalization(data), true);
    expect(own.x).toBe(data.x);
    expect(data.x[1]).toBeCloseTo(-4.5 / Math.sqrt(8.25), 6);
  });

  it('treats each feature of tabular data as a channel', () => {
    const data = makeDataset({
      source: 'tab',
      shape: [2],
      x: Float32Array.of(1, 10, 3, 30),
      y: Int32Array.of(0, 1),
      classes: ['a', 'b'],
      inputScale: 1,
    });
    const n = computeNormalization(data);
    expect(n.mean).toEqual([2, 20]);
    expect(n.std).toEqual([1, 10]);
  });

  it('computes statistics on the training split only and applies them to all splits', () => {
    const data = images();
    const splits = splitDataset(data, { valid: 0.2, test: 0.2, seed: 2 });
    const out = normalizeSplits(splits);
    const fromTrain = computeNormalization(splits.train);
    const fromAll = computeNormalization(data);
    expect(out.normalization).toEqual(fromTrain);
    expect(out.normalization.mean[0]).not.toBeCloseTo(fromAll.mean[0] as number, 6);
    const m = fromTrain.mean[0] as number;
    const s = fromTrain.std[0] as number;
    expect(out.test.x[0]).toBeCloseTo(((splits.test.x[0] as number) - m) / s, 6);
    expect(out.valid.x[0]).toBeCloseTo(((splits.valid.x[0] as number) - m) / s, 6);
  });
});
