import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { Sample } from '../../core/types.js';
import { randomSample } from '../../space/walk.js';
import { conditionalSpace, flatSpace, keyOf } from '../toy.testkit.js';
import { Adam } from '../../numeric/adam.js';
import { FactorizedPolicy } from './factorized.js';
import { checkGradient } from './policy.testkit.js';

const plain = { temperature: 1, tanhClip: 0 };
const shaped = { temperature: 2.5, tanhClip: 1.5 };

/** A policy whose logits are far from zero, so the tanh clip works in its curved part. */
function spreadPolicy(shaping = plain, seed = 1): FactorizedPolicy {
  const policy = new FactorizedPolicy(shaping, new Rng(seed));
  const space = conditionalSpace();
  const rng = new Rng(seed + 100);
  for (let i = 0; i < 40; i++) policy.forward(space, randomSample(space, rng));
  for (let i = 0; i < policy.params.size; i++) policy.params.values[i] = rng.float() * 8 - 4;
  policy.params.touch();
  return policy;
}

describe('factorized policy', () => {
  it('log-probability is the sum of per-decision log-softmax values, entropy the sum of entropies', () => {
    const space = flatSpace(2, ['x', 'y', 'z']);
    const policy = new FactorizedPolicy(plain, new Rng(1));
    policy.forward(space, { d0: 'x', d1: 'x' });
    policy.params.values.set([1, 2, 3, 0, 0, Math.log(2)]);
    policy.params.touch();
    const { logp, entropy } = policy.forward(space, { d0: 'z', d1: 'z' });
    const logZ0 = Math.log(Math.E + Math.E ** 2 + Math.E ** 3);
    expect(logp).toBeCloseTo(3 - logZ0 + Math.log(2 / 4), 12);
    const p0 = [1, 2, 3].map((v) => Math.exp(v - logZ0));
    const h0 = -p0.reduce((s, p) => s + p * Math.log(p), 0);
    const h1 = -(2 * 0.25 * Math.log(0.25) + 0.5 * Math.log(0.5));
    expect(entropy).toBeCloseTo(h0 + h1, 12);
  });

  it('temperature divides the logits and the tanh clip bounds them: c * tanh(u / T / c)', () => {
    const space = flatSpace(1, ['a', 'b']);
    const policy = new FactorizedPolicy({ temperature: 2, tanhClip: 1.5 }, new Rng(1));
    policy.forward(space, { d0: 'a' });
    policy.params.values.set([10, -4]);
    policy.params.touch();
    const za = 1.5 * Math.tanh(5 / 1.5);
    const zb = 1.5 * Math.tanh(-2 / 1.5);
    const { logp } = policy.forward(space, { d0: 'a' });
    expect(logp).toBeCloseTo(za - Math.log(Math.exp(za) + Math.exp(zb)), 12);
  });

  for (const [label, shaping] of [
    ['plain', plain],
    ['temperature 2.5 + tanh clip 1.5', shaped],
  ] as const) {
    it(`gradients match central finite differences (${label})`, () => {
      const space = conditionalSpace();
      const rng = new Rng(7);
      for (let trial = 0; trial < 6; trial++) {
        const policy = spreadPolicy(shaping, trial);
        const sample = randomSample(space, rng);
        for (const [a, b] of [
          [1, 0],
          [0, 1],
          [0.7, -0.3],
        ] as const) {
          const check = checkGradient(policy, space, sample, a, b, rng);
          expect(check.worst).toBeLessThan(1);
          expect(check.nonZero).toBeGreaterThan(4);
        }
      }
    });
  }

  it('samples each choice with its probability', () => {
    const space = flatSpace(1, [0, 1, 2]);
    const policy = new FactorizedPolicy(plain, new Rng(1));
    policy.forward(space, { d0: 0 });
    policy.params.values.set([0, Math.log(2), Math.log(5)]);
    policy.params.touch();
    const rng = new Rng(3);
    const counts = [0, 0, 0];
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const s = policy.sample(space, rng);
      const c = s.sample.d0 as number;
      counts[c] = (counts[c] as number) + 1;
      expect(s.logp).toBeCloseTo(Math.log([1, 2, 5][c]! / 8), 12);
    }
    expect(counts.map((c) => c / n)).toEqual([
      expect.closeTo(1 / 8, 2),
      expect.closeTo(2 / 8, 2),
      expect.closeTo(5 / 8, 2),
    ]);
  });

  it('policy gradient moves probability toward the rewarded choice', () => {
    const space = flatSpace(3, ['a', 'b', 'c', 'd']);
    const policy = new FactorizedPolicy(plain, new Rng(2));
    const adam = new Adam({ lr: 0.05, clipNorm: 0 });
    const rng = new Rng(5);
    const target: Sample = { d0: 'c', d1: 'a', d2: 'd' };
    const probability = (): number => Math.exp(policy.forward(space, target).logp);
    expect(probability()).toBeCloseTo(1 / 64, 2);
    let baseline = 0;
    for (let step = 0; step < 300; step++) {
      const { sample } = policy.sample(space, rng);
      const reward = Object.keys(target).filter((k) => sample[k] === target[k]).length;
      baseline = step === 0 ? reward : 0.9 * baseline + 0.1 * reward;
      policy.params.zeroGrad();
      policy.forward(space, sample);
      policy.backward(-(reward - baseline), 0); // the loss is -advantage * logp
      adam.update(policy.params);
    }
    expect(probability()).toBeGreaterThan(0.8);
  });

  it('creates a decision block the first time the decision is met, in first-seen order', () => {
    const space = conditionalSpace();
    const policy = new FactorizedPolicy(plain, new Rng(1));
    policy.forward(space, { op: 'pool', depth: 1, layer0: 'a' });
    expect(policy.params.size).toBe(3 + 3 + 2);
    policy.forward(space, { op: 'conv', filters: 16, depth: 2, layer0: 'b', layer1: 'a' });
    expect(policy.params.size).toBe(3 + 3 + 2 + 3 + 2);
    const saved = policy.toJSON() as { blocks: unknown };
    expect(saved.blocks).toEqual([
      ['op', 3],
      ['depth', 3],
      ['layer0', 2],
      ['filters', 3],
      ['layer1', 2],
    ]);
  });

  it('gives a decision offered with another number of choices after another prefix its own head', () => {
    const space = {
      name: 'resized',
      next: (p: Sample) =>
        !('kind' in p)
          ? { name: 'kind', choices: ['small', 'large'] }
          : !('width' in p)
            ? { name: 'width', choices: p.kind === 'small' ? [8, 16] : [32, 64, 128] }
            : null,
      decode: (s: Sample) => s,
      key: keyOf,
      toJSON: () => ({ type: 'resized' }),
    };
    const policy = new FactorizedPolicy(plain, new Rng(1));
    const rng = new Rng(2);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) seen.add(keyOf(policy.sample(space, rng).sample));
    expect(seen.size).toBe(5);
    expect((policy.toJSON() as { blocks: unknown }).blocks).toEqual([
      ['kind', 2],
      ['width', expect.any(Number)],
      ['width', expect.any(Number)],
    ]);
    expect(policy.params.size).toBe(2 + 2 + 3);
    const copy = new FactorizedPolicy(plain, new Rng(3));
    copy.load(policy.toJSON());
    expect(copy.forward(space, { kind: 'large', width: 64 }).logp).toBe(
      policy.forward(space, { kind: 'large', width: 64 }).logp,
    );
  });

  it('round-trips through JSON exactly and then samples the same architectures', () => {
    const space = conditionalSpace();
    const policy = spreadPolicy(shaped, 3);
    const copy = new FactorizedPolicy(shaped, new Rng(99));
    copy.load(JSON.parse(JSON.stringify(policy.toJSON())));
    expect(copy.params.values.slice(0, copy.params.size)).toEqual(
      policy.params.values.slice(0, policy.params.size),
    );
    const r1 = new Rng(4);
    const r2 = new Rng(4);
    for (let i = 0; i < 50; i++) {
      const a = policy.sample(space, r1);
      const b = copy.sample(space, r2);
      expect(keyOf(b.sample)).toBe(keyOf(a.sample));
      expect(b.logp).toBe(a.logp);
      expect(b.entropy).toBe(a.entropy);
    }
  });

  it('refuses a sample outside the space and a corrupted save', () => {
    const space = flatSpace(2, [0, 1]);
    const policy = new FactorizedPolicy(plain, new Rng(1));
    expect(() => policy.forward(space, { d0: 0, d1: 7 })).toThrow(InvalidArchitectureError);
    expect(() => policy.forward(space, { d0: 0 })).toThrow(/decision "d1" has undefined/);
    const saved = policy.toJSON() as Record<string, unknown>;
    expect(() => policy.load({ ...saved, params: 'AAAA' })).toThrow(ConfigError);
    expect(() => policy.load({ ...saved, kind: 'lstm' })).toThrow(ConfigError);
  });
});
