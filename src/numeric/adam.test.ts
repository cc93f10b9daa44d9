import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { Adam } from './adam.js';
import { ParamVector } from './params.js';

function vector(values: number[]): ParamVector {
  const p = new ParamVector();
  let i = 0;
  p.alloc(values.length, () => values[i++] as number);
  return p;
}

describe('Adam', () => {
  it('follows the published update on a worked example', () => {
    const p = vector([1, -2]);
    const adam = new Adam({ lr: 0.1, clipNorm: 0 });
    p.grad.set([0.5, -4]);
    adam.update(p);
    // Step 1: mhat = g, vhat = g^2, so each parameter moves by lr * sign(g) (up to eps).
    expect(p.values[0]).toBeCloseTo(0.9, 6);
    expect(p.values[1]).toBeCloseTo(-1.9, 6);
    p.grad.set([1, 0]);
    adam.update(p);
    // Step 2 for parameter 0: m = 0.9*0.05 + 0.1*1 = 0.145, v = 0.999*0.00025 + 0.001*1 = 0.00124975.
    const first = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    const mhat = 0.145 / (1 - 0.9 ** 2);
    const vhat = 0.00124975 / (1 - 0.999 ** 2);
    expect(p.values[0]).toBeCloseTo(first - (0.1 * mhat) / (Math.sqrt(vhat) + 1e-8), 12);
  });

  it('rescales a gradient longer than clipNorm (scale included)', () => {
    // Adam's first step is lr * sign(g) at any scale; the second step shows what the first remembered.
    const run = (clipNorm: number, first: number[], scale: number): number[] => {
      const p = vector([0, 0]);
      const adam = new Adam({ lr: 0.1, clipNorm });
      p.grad.set(first);
      adam.update(p, scale);
      p.grad.set([0.06, 0.08]);
      adam.update(p);
      return Array.from(p.values.subarray(0, 2));
    };
    // (30, 40) x 0.1 has norm 5; clipped to norm 1 it is (0.6, 0.8).
    const clipped = run(1, [30, 40], 0.1);
    const reference = run(0, [0.6, 0.8], 1);
    const unclipped = run(0, [30, 40], 0.1);
    expect(clipped[0]).toBeCloseTo(reference[0] as number, 12);
    expect(clipped[1]).toBeCloseTo(reference[1] as number, 12);
    expect(Math.abs((unclipped[0] as number) - (clipped[0] as number))).toBeGreaterThan(1e-3);
  });

  it('gives parameters added later their own bias correction', () => {
    const p = vector([0]);
    const adam = new Adam({ lr: 0.1, clipNorm: 0 });
    for (let i = 0; i < 5; i++) adam.update(p);
    p.alloc(1, () => 0);
    p.grad.set([0, 2]);
    adam.update(p);
    // Its first step, as a fresh optimiser's: lr * sign(g).
    expect(p.values[1]).toBeCloseTo(-0.1, 6);
  });

  it('round-trips through JSON and continues identically', () => {
    const a = vector([0.3, 0.1, -0.2]);
    const adamA = new Adam({ lr: 0.05, clipNorm: 0 });
    const grads = [
      [1, 2, 3],
      [-1, 0.5, 0],
      [0.2, 0.2, -3],
    ];
    for (const g of grads) {
      a.grad.set(g);
      adamA.update(a);
    }
    const b = vector(Array.from(a.values.subarray(0, 3)));
    const adamB = new Adam({ lr: 0.05, clipNorm: 0 });
    adamB.load(JSON.parse(JSON.stringify(adamA.toJSON())));
    for (const g of grads) {
      a.grad.set(g);
      b.grad.set(g);
      adamA.update(a);
      adamB.update(b);
    }
    expect(Array.from(b.values.subarray(0, 3))).toEqual(Array.from(a.values.subarray(0, 3)));
    expect(() => adamB.load({ ...(adamA.toJSON() as object), segments: [[2, 0]] })).toThrow(ConfigError);
  });
});
