import { describe, expect, it } from 'vitest';
import { classCounts, makeDataset } from './dataset.js';
import { splitDataset, splitIndices } from './split.js';

/** 100 samples: class 0 has 50, class 1 has 30, class 2 has 20; feature = the sample's index. */
function labels(): Int32Array {
  return Int32Array.from({ length: 100 }, (_, i) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : 2));
}

describe('splitIndices', () => {
  it('is disjoint, covers every sample and has the asked sizes', () => {
    const s = splitIndices(labels(), { valid: 0.2, test: 0.1, seed: 3 });
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([70, 20, 10]);
    const all = [...s.train, ...s.valid, ...s.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('is the same for the same seed and differs for another', () => {
    const a = splitIndices(labels(), { valid: 0.2, test: 0.2, seed: 7 });
    const b = splitIndices(labels(), { valid: 0.2, test: 0.2, seed: 7 });
    const c = splitIndices(labels(), { valid: 0.2, test: 0.2, seed: 8 });
    expect(Array.from(a.test)).toEqual(Array.from(b.test));
    expect(Array.from(a.valid)).toEqual(Array.from(b.valid));
    expect(Array.from(a.test)).not.toEqual(Array.from(c.test));
  });

  it('keeps class proportions in every split (stratified)', () => {
    const y = labels();
    const s = splitIndices(y, { valid: 0.2, test: 0.2, seed: 1 });
    const count = (idx: Int32Array) => [0, 1, 2].map((k) => Array.from(idx).filter((i) => y[i] === k).length);
    expect(count(s.test)).toEqual([10, 6, 4]);
    expect(count(s.valid)).toEqual([10, 6, 4]);
    expect(count(s.train)).toEqual([30, 18, 12]);
  });

  it('gives exact totals when classes do not divide evenly', () => {
    const y = Int32Array.from({ length: 10 }, (_, i) => i % 3);
    const s = splitIndices(y, { valid: 0.3, test: 0.2, seed: 0 });
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([5, 3, 2]);
    // Class sizes 4, 3, 3: the test quota 2 goes to the largest remainders (0.8, then 0.6 by index).
    expect(Array.from(s.test, (i) => y[i]).sort()).toEqual([0, 1]);
  });

  it('can split without stratification', () => {
    const s = splitIndices(labels(), { valid: 0.3, test: 0, seed: 0, stratify: false });
    expect([s.train.length, s.valid.length, s.test.length]).toEqual([70, 30, 0]);
  });

  it('refuses fractions that leave nothing to train on', () => {
    expect(() => splitIndices(labels(), { valid: 0.5, test: 0.5, seed: 0 })).toThrow('add up to less than 1');
  });
});

describe('splitDataset', () => {
  it('copies the features and labels of each split', () => {
    const y = labels();
    const data = makeDataset({
      source: 'toy',
      shape: [2],
      x: Float32Array.from({ length: 200 }, (_, k) => Math.floor(k / 2)),
      y,
      classes: ['a', 'b', 'c'],
      inputScale: 1,
    });
    const { train, valid, test } = splitDataset(data, { valid: 0.2, test: 0.2, seed: 5 });
    expect(train.count + valid.count + test.count).toBe(100);
    expect(classCounts(test)).toEqual([10, 6, 4]);
    for (const part of [train, valid, test]) {
      for (let k = 0; k < part.count; k++) {
        const i = part.x[2 * k] as number;
        expect(part.x[2 * k + 1]).toBe(i);
        expect(part.y[k]).toBe(y[i]);
      }
    }
    expect(test.source).toBe('toy (test)');
  });
});
