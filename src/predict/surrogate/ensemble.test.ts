import { describe, expect, it } from 'vitest';
import { MlpEnsemble } from './ensemble.js';
import { kendallTau, meanSquaredError } from './metrics.js';
import { syntheticOneHot } from './synthetic.testkit.js';

describe('MlpEnsemble', () => {
  const data = syntheticOneHot(150, 200, 7);
  const small = { members: 3, epochs: 60, seed: 3 };

  it('beats a constant predictor on a synthetic function of the one-hot encoding', () => {
    const model = new MlpEnsemble(small);
    model.fit(data.X, data.y);
    const predictions = data.testX.map((x) => model.predict(x));
    const means = predictions.map((p) => p.mean);
    const constant = data.y.reduce((s, v) => s + v, 0) / data.y.length;
    const constantMse = meanSquaredError(
      data.testY.map(() => constant),
      data.testY,
    );
    const mse = meanSquaredError(means, data.testY);
    expect(mse).toBeLessThan(0.2 * constantMse);
    expect(kendallTau(means, data.testY)).toBeGreaterThan(0.75);
    expect(
      kendallTau(
        data.testY.map(() => constant),
        data.testY,
      ),
    ).toBe(0);
    // The members disagree somewhat: a positive, finite spread.
    expect(predictions.every((p) => p.std > 0 && Number.isFinite(p.std))).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const X = data.X.slice(0, 40);
    const y = data.y.slice(0, 40);
    const run = (seed: number): number[] => {
      const model = new MlpEnsemble({ members: 2, epochs: 10, seed, bootstrap: true });
      model.fit(X, y);
      return data.testX.slice(0, 5).map((x) => model.predict(x).mean);
    };
    expect(run(1)).toEqual(run(1));
    expect(run(1)).not.toEqual(run(2));
  });

  it('rejects bad options and bad data with the field named', () => {
    expect(() => new MlpEnsemble({ members: 0 })).toThrow(/members/);
    const model = new MlpEnsemble(small);
    expect(() => model.predict([1])).toThrow(/call fit first/);
    expect(() => model.fit([[1, 2], [3]], [1, 2])).toThrow(/row 1 has 1 features/);
    expect(() => model.fit([[1]], [NaN])).toThrow(/target 0/);
  });
});
