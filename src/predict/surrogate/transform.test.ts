import { describe, expect, it } from 'vitest';
import type { Prediction, Predictor } from './predictor.js';
import { logErrorTransform, TransformedTarget } from './transform.js';

describe('logErrorTransform', () => {
  const t = logErrorTransform(100, 0.5);

  it('is increasing and inverts exactly', () => {
    expect(t.forward(90)).toBeLessThan(t.forward(95));
    for (const y of [10, 50, 93.7, 99.9]) expect(t.inverse(t.forward(y))).toBeCloseTo(y, 10);
    // slope = d inverse / dz: compare with a finite difference.
    const z = t.forward(93);
    expect(t.slope(z)).toBeCloseTo((t.inverse(z + 1e-6) - t.inverse(z - 1e-6)) / 2e-6, 5);
  });

  it('names the ceiling when a target is above it', () => {
    expect(() => t.forward(100.5)).toThrow(/ceiling 100/);
  });
});

describe('TransformedTarget', () => {
  it('fits the inner predictor on transformed targets and maps predictions back', () => {
    const t = logErrorTransform();
    const seen: number[] = [];
    const inner: Predictor = {
      fit: (_X, y) => void seen.push(...y),
      predict: (): Prediction => ({ mean: t.forward(90), std: 0.1 }),
    };
    const model = new TransformedTarget(inner, t);
    model.fit([[0], [1]], [80, 90]);
    expect(seen).toEqual([t.forward(80), t.forward(90)]);
    const p = model.predict([0]);
    expect(p.mean).toBeCloseTo(90, 10);
    // Delta method: 0.1 * (100.5 - 90).
    expect(p.std).toBeCloseTo(1.05, 10);
  });
});
