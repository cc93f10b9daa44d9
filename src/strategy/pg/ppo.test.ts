import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import type { Proposal, Sample } from '../../core/types.js';
import { createWith, solvedRuns } from './strategy.testkit.js';
import { PpoStrategy, ppoStrategy, surrogateSlope, type PpoOptions } from './ppo.js';
import { randomStrategy } from '../random.js';
import { context, flatSpace, trialRecord } from '../toy.testkit.js';

const space = flatSpace(3, ['a', 'b', 'c']);

function ppo(options: Partial<PpoOptions> = {}, seed = 1, s = space): PpoStrategy {
  return new PpoStrategy(s, ppoStrategy.options.parse({ variant: 'paper', ...options }), new Rng(seed));
}

function trialOf(p: Proposal): Sample {
  if (p.kind !== 'trial') throw new Error(`expected a trial, got ${p.kind}`);
  return p.sample;
}

const weights = (p: PpoStrategy): number[] =>
  Array.from(p.learner.policy.params.values.subarray(0, p.learner.policy.params.size));
const adamSteps = (p: PpoStrategy): number => (p.state().data as { adam: { step: number } }).adam.step;

describe('ppo strategy', () => {
  it('the surrogate slope is the derivative of the clipped objective in logp', () => {
    const objective = (logp: number, old: number, a: number, clip: number): number => {
      const rho = Math.exp(logp - old);
      return Math.min(rho * a, Math.min(Math.max(rho, 1 - clip), 1 + clip) * a);
    };
    let clippedCases = 0;
    for (const a of [-2, -0.5, 0.7, 3]) {
      for (const shift of [-0.5, -0.25, -0.1, 0, 0.1, 0.15, 0.25, 0.5]) {
        const old = -2;
        const logp = old + shift;
        const h = 1e-6;
        const numeric = (objective(logp + h, old, a, 0.2) - objective(logp - h, old, a, 0.2)) / (2 * h);
        const slope = surrogateSlope(Math.exp(shift), a, 0.2);
        expect(slope).toBeCloseTo(numeric, 6);
        if (slope === 0) clippedCases++;
      }
    }
    // Where the clip is active: rho > 1.2 with A > 0 (shift 0.25, 0.5), rho < 0.8 with A < 0 (-0.25, -0.5).
    expect(clippedCases).toBe(8);
  });

  it('finds the optimum of an additive toy objective far more often than random search', async () => {
    const toy = flatSpace(6, [0, 1, 2, 3]);
    const runs = (entry: typeof randomStrategy | typeof ppoStrategy, options = {}) =>
      solvedRuns(
        (seed) =>
          createWith(entry, entry === ppoStrategy ? { variant: 'paper', ...options } : options, toy, seed),
        toy,
        18,
        300,
        30,
      );
    // Measured: factorized 22/30, LSTM (20 units, lr 0.003) 30/30, random 2/30 (expected about 7%).
    expect(await runs(ppoStrategy)).toBeGreaterThanOrEqual(17);
    expect(await runs(ppoStrategy, { policy: 'lstm', hidden: 20, lr: 0.003 })).toBeGreaterThanOrEqual(24);
    expect(await runs(randomStrategy)).toBeLessThanOrEqual(7);
  });

  it('learns once per batch, with one Adam step per epoch, and never waits', async () => {
    const p = ppo({ batch: 4, epochs: 3 });
    const first = trialOf(await p.ask(context(space, 0)));
    const initial = weights(p);
    const out = [first];
    for (let running = 1; running < 4; running++) out.push(trialOf(await p.ask(context(space, running))));
    for (const [i, s] of out.entries()) {
      expect(weights(p)).toEqual(initial);
      expect(adamSteps(p)).toBe(0);
      await p.tell(trialRecord(s, 10 * i), context(space, 3 - i));
    }
    expect(adamSteps(p)).toBe(3);
    expect(weights(p)).not.toEqual(initial);
    expect(p.batchSize).toBe(0);
  });

  it('takes the ratio against the log-probability recorded at sampling time', async () => {
    // Two results, one epoch: the first has advantage 0 (the baseline starts at the first reward); the
    // second, rewarded above it, moves the policy unless its ratio is already past 1 + eps.
    const run = async (shiftBeforeTell: number): Promise<boolean> => {
      const p = ppo({ batch: 2, epochs: 1 }, 5);
      const a = trialOf(await p.ask(context(space, 0)));
      const b = trialOf(await p.ask(context(space, 1)));
      // Raise every logit of b's choices: b became more likely since it was sampled.
      const policy = p.learner.policy;
      policy.forward(space, b);
      policy.params.zeroGrad();
      policy.backward(1, 0);
      for (let i = 0; i < policy.params.size; i++) {
        policy.params.values[i] =
          (policy.params.values[i] as number) + shiftBeforeTell * Math.sign(policy.params.grad[i] as number);
      }
      policy.params.touch();
      const before = weights(p);
      await p.tell(trialRecord(a, 0), context(space, 1));
      await p.tell(trialRecord(b, 10), context(space, 0));
      return weights(p).some((w, i) => w !== before[i]);
    };
    expect(await run(0)).toBe(true);
    // A shift of 0.5 on each of b's logits lifts its log-probability well past log(1.2): clipped.
    expect(await run(0.5)).toBe(false);
  });

  it('keeps memory bounded over 10,000 ask/tell cycles, results lost or not', async () => {
    const toy = flatSpace(4, [0, 1, 2]);
    for (const options of [{}, { policy: 'lstm' as const, hidden: 8, batch: 6, epochs: 2 }]) {
      const p = ppo(options, 3, toy);
      const inFlight: Sample[] = [];
      let stateLength = 0;
      let largestBatch = 0;
      for (let cycle = 1; cycle <= 10_000; cycle++) {
        while (inFlight.length < 3) inFlight.push(trialOf(await p.ask(context(toy, inFlight.length))));
        const s = inFlight.shift() as Sample;
        if (cycle % 4 !== 0) await p.tell(trialRecord(s, cycle % 17), context(toy, inFlight.length));
        largestBatch = Math.max(largestBatch, p.batchSize);
        if (cycle === 5_000) stateLength = JSON.stringify(p.state()).length;
      }
      expect(p.learner.pendingCount).toBe(1024);
      expect(largestBatch).toBeLessThan(options.batch ?? 10);
      expect(p.learner.adam.parameterCount).toBe(p.learner.policy.params.size);
      expect(JSON.stringify(p.state()).length).toBeLessThan(stateLength * 1.05);
    }
  });
});
