import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { Mlp } from './mlp.js';

const EPS = 1e-5;

/** |a - n| / (|a| + |n|), 0 when both vanish: the relative error of an analytic against a numeric slope. */
function relativeError(analytic: number, numeric: number): number {
  const scale = Math.abs(analytic) + Math.abs(numeric);
  return scale < 1e-10 ? 0 : Math.abs(analytic - numeric) / scale;
}

describe('Mlp', () => {
  // Inputs with zeros in them take the sparse first-layer path the encodings use.
  for (const [label, zeros] of [
    ['dense input', 0],
    ['sparse input', 0.5],
  ] as const) {
    it(`backward matches central finite differences on every weight (${label})`, () => {
      for (const seed of [1, 2, 3]) {
        const rng = new Rng(seed);
        const widths = [6, 5, 4, 1];
        const mlp = new Mlp(6, widths.slice(1, -1), rng);
        const p = mlp.params;
        // Biases start at 0, which puts a unit fed only by dead units exactly on its ReLU's kink, where
        // the slope is undefined: check at a random point instead, biases mostly positive so that most
        // units are alive (layout: per layer the weights, then the biases).
        let at = 0;
        for (let l = 0; l + 1 < widths.length; l++) {
          for (let i = 0; i < widths[l]! * widths[l + 1]!; i++) p.values[at++] = rng.normal() * 0.7;
          for (let i = 0; i < widths[l + 1]!; i++) p.values[at++] = 0.3 + rng.normal() * 0.3;
        }
        expect(at).toBe(p.size);
        p.touch();
        const x = Float64Array.from({ length: 6 }, () => (rng.float() < zeros ? 0 : rng.normal()));
        const y = rng.normal();
        const loss = (): number => 0.5 * (mlp.forward(x) - y) ** 2;
        p.zeroGrad();
        mlp.backward(mlp.forward(x) - y);
        const grad = p.grad.slice(0, p.size);
        let worst = 0;
        let nonZero = 0;
        for (let i = 0; i < p.size; i++) {
          const keep = p.values[i]!;
          p.values[i] = keep + EPS;
          const up = loss();
          p.values[i] = keep - EPS;
          const down = loss();
          p.values[i] = keep;
          worst = Math.max(worst, relativeError(grad[i]!, (up - down) / (2 * EPS)));
          if (grad[i] !== 0) nonZero++;
        }
        expect(worst).toBeLessThan(1e-6);
        // Dead ReLUs and zero inputs leave weights without gradient; enough have one to make the check bite.
        expect(nonZero).toBeGreaterThan(10);
      }
    });
  }

  it('training lowers the squared error on a smooth target', () => {
    const rng = new Rng(4);
    const X = Array.from({ length: 64 }, () => Float64Array.from({ length: 3 }, () => rng.normal()));
    const y = X.map((x) => Math.sin(x[0]!) + 0.5 * x[1]! * x[2]!);
    const mlp = new Mlp(3, [16, 16], rng);
    const mse = (): number => X.reduce((s, x, i) => s + (mlp.forward(x) - y[i]!) ** 2, 0) / X.length;
    const before = mse();
    mlp.train(X, y, { epochs: 200, batchSize: 16, lr: 0.01, weightDecay: 0 }, rng);
    expect(mse()).toBeLessThan(before / 5);
  });
});
