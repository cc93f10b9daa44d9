import { describe, expect, it } from 'vitest';
import { GaussianProcess } from './gp.js';
import { cholesky, solveLower, solveUpper } from './linalg.js';
import { kendallTau, meanSquaredError } from './metrics.js';
import { syntheticOneHot } from './synthetic.testkit.js';

describe('GaussianProcess', () => {
  const data = syntheticOneHot(150, 200, 11);

  it('beats a constant predictor on a synthetic function of the one-hot encoding', () => {
    for (const kernel of ['rbf', 'matern52'] as const) {
      const model = new GaussianProcess({ kernel });
      model.fit(data.X, data.y);
      const means = data.testX.map((x) => model.predict(x).mean);
      const constant = data.y.reduce((s, v) => s + v, 0) / data.y.length;
      const constantMse = meanSquaredError(
        data.testY.map(() => constant),
        data.testY,
      );
      expect(meanSquaredError(means, data.testY)).toBeLessThan(0.1 * constantMse);
      expect(kendallTau(means, data.testY)).toBeGreaterThan(0.8);
    }
  });

  it('is sure at training points and unsure far from them', () => {
    // 1-D: a smooth function sampled on [0, 1]; query at the data and far outside it.
    const X = Array.from({ length: 12 }, (_, i) => [i / 11]);
    const y = X.map(([x]) => 50 + 10 * Math.sin(4 * x!));
    const model = new GaussianProcess({ kernel: 'rbf', noises: [1e-6] });
    model.fit(X, y);
    const atData = model.predict([5 / 11]);
    const far = model.predict([8]);
    expect(atData.mean).toBeCloseTo(y[5]!, 2);
    expect(atData.std).toBeLessThan(0.01);
    expect(far.std).toBeGreaterThan(100 * atData.std);
    // Far away the posterior reverts to the prior: the mean of the targets, the prior's std.
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    expect(far.mean).toBeCloseTo(mean, 1);
    expect(model.hyperparameters?.noise).toBe(1e-6);
  });

  it('is deterministic and handles constant targets and repeated rows', () => {
    const fit = (): number[] => {
      const model = new GaussianProcess();
      model.fit(data.X.slice(0, 30), data.y.slice(0, 30));
      return data.testX.slice(0, 5).map((x) => model.predict(x).mean);
    };
    expect(fit()).toEqual(fit());
    const model = new GaussianProcess();
    model.fit(
      [
        [0, 1],
        [0, 1],
        [1, 0],
      ],
      [3, 3, 3],
    );
    expect(model.predict([0, 1]).mean).toBeCloseTo(3, 9);
    expect(() => new GaussianProcess({ kernel: 'linear' as 'rbf' })).toThrow(/kernel/);
  });
});

describe('cholesky', () => {
  it('factors and solves a small SPD system', () => {
    const a = new Float64Array([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const l = cholesky(a, 3)!;
    const x = solveUpper(l, 3, solveLower(l, 3, [1, 2, 3]));
    const ax = [0, 1, 2].map((i) => a[i * 3]! * x[0]! + a[i * 3 + 1]! * x[1]! + a[i * 3 + 2]! * x[2]!);
    expect(ax[0]).toBeCloseTo(1, 12);
    expect(ax[1]).toBeCloseTo(2, 12);
    expect(ax[2]).toBeCloseTo(3, 12);
    expect(cholesky(new Float64Array([1, 2, 2, 1]), 2)).toBeNull();
  });
});
