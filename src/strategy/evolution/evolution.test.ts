import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import type { Proposal, Sample } from '../../core/types.js';
import { EvolutionStrategy, type EvolutionOptions } from './evolution.js';
import { createStrategy } from '../registry.js';
import { context, flatSpace, Harness, keyOf, trialRecord } from '../toy.testkit.js';

const space4x4 = flatSpace(4, [0, 1, 2, 3]);

function evolution(options: EvolutionOptions, seed = 1, space = space4x4): EvolutionStrategy {
  return new EvolutionStrategy(space, options, new Rng(seed));
}

function trialOf(p: Proposal): Sample {
  if (p.kind !== 'trial') throw new Error(`expected a trial, got ${p.kind}`);
  return p.sample;
}

interface Member {
  sample: Sample;
  score: number;
}
function population(strategy: EvolutionStrategy): Member[] {
  return (strategy.state().data as unknown as { population: Member[] }).population;
}

function hamming(a: Sample, b: Sample): number {
  return Object.keys(a).filter((k) => a[k] !== b[k]).length;
}

describe('evolution strategy', () => {
  it('finds the optimum of an additive toy objective where random search does not', async () => {
    // 6 decisions x 4 choices = 4096 architectures; the score is the sum of the choices, optimum 18.
    const space = flatSpace(6, [0, 1, 2, 3]);
    const budget = 300;
    const solved = async (name: string, seed: number): Promise<boolean> => {
      let evaluations = 0;
      let found = false;
      const objective = (s: Sample): number => {
        evaluations++;
        const score = Object.values(s).reduce<number>((sum, c) => sum + Number(c), 0);
        if (score === 18) found = true;
        return score;
      };
      const harness = new Harness(createStrategy(name, {}, space, seed), space, objective);
      while (evaluations < budget && !found) await harness.step();
      return found;
    };
    let evolutionWins = 0;
    let randomWins = 0;
    for (let seed = 0; seed < 30; seed++) {
      if (await solved('evolution', seed)) evolutionWins++;
      if (await solved('random', seed)) randomWins++;
    }
    // Measured: evolution 26/30 (defaults P=10, S=3), random 2/30 (expected about 7%).
    expect(evolutionWins).toBeGreaterThanOrEqual(21);
    expect(randomWins).toBeLessThanOrEqual(7);
  });

  it('starts with P random architectures, then mutates one decision of a population member', async () => {
    const strategy = evolution({ population: 5, sample: 2 });
    const initial = [];
    for (let i = 0; i < 5; i++) initial.push(trialOf(await strategy.ask(context(space4x4, i))));
    expect(new Set(initial.map(keyOf)).size).toBeGreaterThan(1);
    for (const [i, s] of initial.entries()) await strategy.tell(trialRecord(s, i), context(space4x4, 4 - i));
    for (let i = 0; i < 50; i++) {
      const child = trialOf(await strategy.ask(context(space4x4, 0)));
      const members = population(strategy).map((m) => m.sample);
      expect(members.some((m) => hamming(m, child) === 1)).toBe(true);
      await strategy.tell(trialRecord(child, 10 + i), context(space4x4, 0));
    }
  });

  it('picks the parent as the best of S members drawn with replacement', async () => {
    // Members 4 decisions apart, so each child (one decision changed) names its parent.
    const members = [0, 1, 2, 3].map((c): Sample => ({ d0: c, d1: c, d2: c, d3: c }));
    const strategy = evolution({ population: 4, sample: 3 });
    for (let i = 0; i < 4; i++) await strategy.ask(context(space4x4, i));
    for (const [i, m] of members.entries()) await strategy.tell(trialRecord(m, i + 1), context(space4x4, 0));
    const parents = [0, 0, 0, 0];
    const n = 8000;
    for (let i = 0; i < n; i++) {
      const child = trialOf(await strategy.ask(context(space4x4, i)));
      const parent = members.findIndex((m) => hamming(m, child) === 1);
      parents[parent] = (parents[parent] ?? 0) + 1;
    }
    // P(the best of 3 draws with replacement is the k-th of 4) = (k^3 - (k-1)^3) / 64.
    const expected = [1, 7, 19, 37].map((x) => x / 64);
    for (let k = 0; k < 4; k++) expect((parents[k] ?? 0) / n).toBeCloseTo(expected[k] ?? 0, 1);
    // Without replacement the best would win 3/4 of the time; with it, 37/64 = 0.578.
    expect((parents[3] ?? 0) / n).toBeGreaterThan(0.55);
    expect((parents[3] ?? 0) / n).toBeLessThan(0.61);
  });

  it('never holds more than P members, and the oldest is the one that dies', async () => {
    const strategy = evolution({ population: 3, sample: 2 });
    const told: Sample[] = [];
    for (let i = 0; i < 12; i++) {
      const sample = trialOf(await strategy.ask(context(space4x4, 0)));
      await strategy.tell(trialRecord(sample, i), context(space4x4, 0));
      told.push(sample);
      const members = population(strategy);
      expect(members.length).toBe(Math.min(i + 1, 3));
      expect(members.map((m) => m.score)).toEqual([i - 2, i - 1, i].filter((x) => x >= 0));
      expect(members.map((m) => m.sample)).toEqual(told.slice(-3));
    }
  });

  it('waits while the initial population is out, re-proposes for failures, then never waits', async () => {
    const strategy = evolution({ population: 3, sample: 2 });
    const ctx = (running: number) => context(space4x4, running);
    const a = trialOf(await strategy.ask(ctx(0)));
    const b = trialOf(await strategy.ask(ctx(1)));
    const c = trialOf(await strategy.ask(ctx(2)));
    expect((await strategy.ask(ctx(3))).kind).toBe('wait');
    await strategy.tell(trialRecord(a, 1), ctx(2));
    expect((await strategy.ask(ctx(2))).kind).toBe('wait');
    // A failed trial does not join: its slot gets another random architecture.
    await strategy.tell(trialRecord(b, undefined), ctx(1));
    expect(population(strategy)).toHaveLength(1);
    const d = trialOf(await strategy.ask(ctx(1)));
    expect((await strategy.ask(ctx(2))).kind).toBe('wait');
    await strategy.tell(trialRecord(c, 2), ctx(1));
    await strategy.tell(trialRecord(d, 3), ctx(0));
    expect(population(strategy)).toHaveLength(3);
    // Full: children come at once, however many are in flight.
    for (let running = 0; running < 10; running++)
      expect((await strategy.ask(ctx(running))).kind).toBe('trial');
    // Failed children change nothing.
    await strategy.tell(trialRecord(a, undefined), ctx(9));
    expect(population(strategy).map((m) => m.score)).toEqual([1, 2, 3]);
  });

  it('does not deadlock when no pending result can arrive', async () => {
    const strategy = evolution({ population: 3, sample: 2 });
    for (let i = 0; i < 3; i++) await strategy.ask(context(space4x4, i));
    expect((await strategy.ask(context(space4x4, 3))).kind).toBe('wait');
    expect((await strategy.ask(context(space4x4, 0))).kind).toBe('trial');
  });

  it('keeps invalid architectures: they come back with the invalid reward as their score', async () => {
    const strategy = evolution({ population: 3, sample: 3 });
    const samples = [];
    for (let i = 0; i < 3; i++) samples.push(trialOf(await strategy.ask(context(space4x4, i))));
    await strategy.tell({ ...trialRecord(samples[0] as Sample, -5), state: 'invalid' }, context(space4x4, 2));
    await strategy.tell(trialRecord(samples[1] as Sample, 1), context(space4x4, 1));
    await strategy.tell(trialRecord(samples[2] as Sample, 2), context(space4x4, 0));
    expect(population(strategy).map((m) => m.score)).toEqual([-5, 1, 2]);
  });

  it('runs with several trials in flight, failures and duplicates, without waiting on nothing', async () => {
    const space = flatSpace(3, [0, 1, 2]);
    // d0 = 2 fails; d1 = 2 is invalid (reward -1). A 27-architecture space repeats itself often.
    let best = -Infinity;
    const objective = (s: Sample): number | undefined => {
      const score = s.d0 === 2 ? undefined : s.d1 === 2 ? -1 : Number(s.d0) + Number(s.d2);
      best = Math.max(best, score ?? -Infinity);
      return score;
    };
    const harness = new Harness(evolution({ population: 6, sample: 2 }, 3, space), space, objective, 4);
    await harness.run(300); // the harness throws if the strategy waits with nothing in flight
    expect(harness.log.filter((s) => s === 'wait').length).toBeGreaterThan(0);
    expect(harness.log.filter((s) => s !== 'wait').length).toBeGreaterThan(100);
    const members = population(harness.strategy as EvolutionStrategy);
    expect(members).toHaveLength(6);
    expect(members.every((m) => m.sample.d0 !== 2)).toBe(true);
    expect(best).toBe(3);
  });
});
