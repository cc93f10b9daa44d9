import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Sample } from '../../core/types.js';
import { randomSample } from '../../space/walk.js';
import { conditionalSpace, flatSpace, keyOf } from '../toy.testkit.js';
import { Adam } from '../../numeric/adam.js';
import { LstmPolicy } from './lstm.js';
import { checkGradient } from './policy.testkit.js';

const plain = { temperature: 1, tanhClip: 0 };
const shaped = { temperature: 2.5, tanhClip: 1.5 };

/** Decision `a` over x, y then decision `b` over 0, 1, 2. */
const twoStep: SearchSpace<unknown> = {
  name: 'two-step',
  next: (p) =>
    !('a' in p) ? { name: 'a', choices: ['x', 'y'] } : !('b' in p) ? { name: 'b', choices: [0, 1, 2] } : null,
  decode: (s) => s,
  key: keyOf,
  toJSON: () => ({ type: 'two-step' }),
};

/** Weights larger than the initial ones, so gates and tanh clips work away from their linear part. */
function spreadLstm(hidden: number, shaping = plain, seed = 1, space = conditionalSpace()): LstmPolicy {
  const policy = new LstmPolicy(hidden, shaping, new Rng(seed));
  const rng = new Rng(seed + 100);
  for (let i = 0; i < 40; i++) policy.forward(space, randomSample(space, rng));
  for (let i = 0; i < policy.params.size; i++) policy.params.values[i] = rng.float() * 2 - 1;
  policy.params.touch();
  return policy;
}

describe('lstm controller', () => {
  it('log-probability and entropy match a hand-computed one-unit LSTM', () => {
    const policy = new LstmPolicy(1, plain, new Rng(1));
    policy.forward(twoStep, { a: 'x', b: 0 });
    // Layout for H = 1: Wx[4] Wh[4] b[4] start | a: W[2] b[2] E[2] | b: W[3] b[3] E[3].
    const [wi, wf, wg, wo] = [0.5, -0.3, 0.8, 0.1];
    const [ui, uf, ug, uo] = [0.2, 0.4, -0.6, 0.3];
    const [bi, bf, bg, bo] = [0.1, 0.2, -0.1, 0.05];
    const start = 1;
    const headA = { w: [1.5, -1], b: [0, 0.3], e: [0.7, -0.9] };
    const headB = { w: [2, 0.5, -1.5], b: [0.1, 0, -0.2], e: [0.3, 0.6, -0.4] };
    policy.params.values.set([
      ...[wi, wf, wg, wo, ui, uf, ug, uo, bi, bf, bg, bo, start],
      ...headA.w,
      ...headA.b,
      ...headA.e,
      ...headB.w,
      ...headB.b,
      ...headB.e,
    ]);
    policy.params.touch();
    expect(policy.params.size).toBe(13 + 6 + 9);

    // By hand: step 1 reads the start token from h0 = c0 = 0, step 2 reads the embedding of a = y.
    const sig = (x: number): number => 1 / (1 + Math.exp(-x));
    const cell = (x: number, h: number, c: number): [number, number] => {
      const i = sig(wi * x + ui * h + bi);
      const f = sig(wf * x + uf * h + bf);
      const g = Math.tanh(wg * x + ug * h + bg);
      const o = sig(wo * x + uo * h + bo);
      const c2 = f * c + i * g;
      return [o * Math.tanh(c2), c2];
    };
    const logSoftmax = (z: number[], k: number): [number, number] => {
      const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
      return [z[k]! - lse, -z.reduce((s, v) => s + Math.exp(v - lse) * (v - lse), 0)];
    };
    const [h1, c1] = cell(start, 0, 0);
    const [la, ea] = logSoftmax([headA.w[0]! * h1 + headA.b[0]!, headA.w[1]! * h1 + headA.b[1]!], 1);
    const [h2] = cell(headA.e[1]!, h1, c1);
    const [lb, eb] = logSoftmax(
      headB.w.map((w, m) => w * h2 + headB.b[m]!),
      2,
    );
    const { logp, entropy } = policy.forward(twoStep, { a: 'y', b: 2 });
    expect(logp).toBeCloseTo(la + lb, 12);
    expect(entropy).toBeCloseTo(ea + eb, 12);
    // The same figures from an independent Python script (math module, float64).
    expect(logp).toBeCloseTo(-2.007268941426198, 12);
    expect(entropy).toBeCloseTo(1.783778072548631, 12);

    // Temperature 2 and tanh clip 1.5 shape the same logits: z = 1.5 tanh(u / 2 / 1.5).
    const clipped = new LstmPolicy(1, { temperature: 2, tanhClip: 1.5 }, new Rng(1));
    clipped.forward(twoStep, { a: 'x', b: 0 });
    clipped.params.values.set(policy.params.values.subarray(0, policy.params.size));
    clipped.params.touch();
    const shapedOutcome = clipped.forward(twoStep, { a: 'y', b: 2 });
    expect(shapedOutcome.logp).toBeCloseTo(-1.8972156281393504, 12);
    expect(shapedOutcome.entropy).toBeCloseTo(1.7897611527869761, 12);
  });

  for (const [label, shaping] of [
    ['plain', plain],
    ['temperature 2.5 + tanh clip 1.5', shaped],
  ] as const) {
    it(`gradients (BPTT) match central finite differences on every weight (${label})`, () => {
      for (const space of [conditionalSpace(), flatSpace(5, ['a', 'b', 'c'])]) {
        const rng = new Rng(11);
        for (let trial = 0; trial < 3; trial++) {
          const policy = spreadLstm(3, shaping, trial, space);
          const sample = randomSample(space, rng);
          for (const [a, b] of [
            [1, 0],
            [0, 1],
            [-0.6, 0.4],
          ] as const) {
            const check = checkGradient(policy, space, sample, a, b, rng);
            expect(check.worst).toBeLessThan(1);
            expect(check.nonZero).toBeGreaterThan(30);
          }
        }
      }
    });
  }

  it('gradients match finite differences at the default size (100 units, 400 weights drawn)', () => {
    const space = flatSpace(6, [0, 1, 2, 3, 4]);
    const policy = new LstmPolicy(100, shaped, new Rng(3));
    const rng = new Rng(5);
    const sample = randomSample(space, rng);
    const check = checkGradient(policy, space, sample, 1, 0.5, rng, 400);
    expect(check.worst).toBeLessThan(1);
    expect(check.nonZero).toBeGreaterThan(100);
  });

  it('starts near uniform with weights in [-0.1, 0.1], 100 hidden units', () => {
    const space = flatSpace(6, [0, 1, 2, 3, 4]);
    const policy = new LstmPolicy(100, plain, new Rng(3));
    const { logp } = policy.sample(space, new Rng(1));
    expect(policy.params.size).toBe(8 * 100 * 100 + 5 * 100 + 6 * 5 * 201);
    const weights = policy.params.values.subarray(0, policy.params.size);
    expect(Math.max(...weights)).toBeLessThanOrEqual(0.1);
    expect(Math.min(...weights)).toBeGreaterThanOrEqual(-0.1);
    expect(logp).toBeCloseTo(6 * Math.log(1 / 5), 0);
  });

  it('policy gradient moves probability toward the rewarded choices', () => {
    const space = conditionalSpace();
    const policy = new LstmPolicy(20, plain, new Rng(2));
    const adam = new Adam({ lr: 0.01, clipNorm: 0 });
    const rng = new Rng(5);
    const target: Sample = { op: 'conv', filters: 64, depth: 2, layer0: 'b', layer1: 'a' };
    const probability = (): number => Math.exp(policy.forward(space, target).logp);
    const before = probability();
    expect(before).toBeLessThan(0.02);
    let baseline = 0;
    for (let step = 0; step < 300; step++) {
      const { sample } = policy.sample(space, rng);
      const reward =
        keyOf(sample) === keyOf(target)
          ? 1
          : Object.keys(target).filter((k) => sample[k] === target[k]).length / 10;
      baseline = step === 0 ? reward : 0.9 * baseline + 0.1 * reward;
      policy.params.zeroGrad();
      policy.forward(space, sample);
      policy.backward(-(reward - baseline), 0);
      adam.update(policy.params);
    }
    expect(probability()).toBeGreaterThan(0.5);
  });

  it('reuses the walk of the sample it just drew, and only while the weights are unchanged', () => {
    const space = conditionalSpace();
    const policy = spreadLstm(5, shaped, 6);
    const drawn = policy.sample(space, new Rng(8));
    // A copy of the sample is another object: it is walked again, and everything must agree.
    const copy = { ...drawn.sample };
    const gradientOf = (s: typeof copy): number[] => {
      const outcome = policy.forward(space, s);
      policy.params.zeroGrad();
      policy.backward(0.8, 0.3);
      expect(outcome.logp).toBe(drawn.logp);
      return Array.from(policy.params.grad.subarray(0, policy.params.size));
    };
    const reused = gradientOf(drawn.sample);
    expect(gradientOf(copy)).toEqual(reused);
    const before = policy.forward(space, drawn.sample).logp;
    new Adam({ lr: 0.1, clipNorm: 0 }).update(policy.params);
    const after = policy.forward(space, drawn.sample).logp;
    expect(after).not.toBe(before);
    expect(after).toBe(policy.forward(space, copy).logp);
  });

  it('round-trips through JSON exactly and then samples the same architectures', () => {
    const space = conditionalSpace();
    const policy = spreadLstm(7, shaped, 4);
    const copy = new LstmPolicy(7, shaped, new Rng(99));
    copy.load(JSON.parse(JSON.stringify(policy.toJSON())));
    expect(copy.params.size).toBe(policy.params.size);
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
    }
  });

  it('refuses a save with another hidden size', () => {
    const saved = new LstmPolicy(4, plain, new Rng(1)).toJSON();
    expect(() => new LstmPolicy(5, plain, new Rng(1)).load(saved)).toThrow(ConfigError);
    expect(() => new LstmPolicy(5, plain, new Rng(1)).load(saved)).toThrow(
      /4 hidden units, the options say 5/,
    );
  });
});
