import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { StrategyState } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';
import { Nb201Space } from '../../space/nb201.js';
import { validateSample } from '../../space/walk.js';
import { expectedImprovement } from './acquisition.js';
import { meanBest, SYNTH_SPACE, synthScore } from './synthetic.testkit.js';
import { BoStrategy, boStrategy, type BoOptions } from './bo.js';
import { RandomStrategy } from '../random.js';
import { conditionalSpace, flatSpace, Harness, hashedObjective } from '../toy.testkit.js';

// Small models keep the tests fast; the behaviour does not depend on the size.
const FAST = { members: 2, epochs: 30, initial: 5, candidates: 30 };

function bo(options: Record<string, unknown>, seed: number, space = SYNTH_SPACE): BoStrategy {
  const parsed: BoOptions = parseConfig(boStrategy.options, { ...FAST, ...options }, 'test');
  return new BoStrategy(space, parsed, new Rng(seed));
}

describe('bo', () => {
  it('is deterministic with a seed and proposes valid, distinct architectures', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const h = new Harness(bo({}, seed), SYNTH_SPACE, synthScore);
      await h.run(40);
      return h.log;
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
    expect(new Set(a).size).toBe(a.length);
  });

  it.each([
    ['mlp', 'its'],
    ['gp', 'ei'],
    ['gp', 'ucb'],
  ])(
    '%s + %s finds better architectures than random search (mean over seeds)',
    async (predictor, acquisition) => {
      const seeds = [1, 2, 3];
      const model = await meanBest((s) => bo({ predictor, acquisition }, s), seeds, 25);
      const random = await meanBest((s) => new RandomStrategy(SYNTH_SPACE, new Rng(s)), seeds, 25);
      expect(model).toBeGreaterThan(random + 10);
    },
  );

  it('continues exactly after state()/restore(), at 1 and 3 in flight, with refit > 1', async () => {
    for (const space of [flatSpace(4, [0, 1, 2, 3]), conditionalSpace()]) {
      for (const concurrency of [1, 3]) {
        const options = { predictor: 'gp', refit: 3, encoding: 'onehot' };
        const original = new Harness(bo(options, 11, space), space, hashedObjective, concurrency);
        await original.run(25);
        const { state, pending } = original.snapshot();
        const before = original.log.length;
        await original.run(30);
        const fresh = bo(options, 99, space);
        fresh.restore(state);
        const resumed = new Harness(fresh, space, hashedObjective, concurrency, pending);
        await resumed.run(30);
        expect(resumed.log.length).toBeGreaterThan(10);
        expect(resumed.log).toEqual(original.log.slice(before));
      }
    }
  });

  it('saves observations compactly and refuses a state that does not fit the space', async () => {
    const h = new Harness(bo({}, 1), SYNTH_SPACE, synthScore);
    await h.run(12);
    const state = h.snapshot().state as { data: { observations: { path: number[] }[] } } & StrategyState;
    expect(state.data.observations).toHaveLength(6);
    expect(state.data.observations[0]!.path).toHaveLength(8);
    const other = bo({}, 1, flatSpace(2, [0, 1]));
    expect(() => other.restore(state)).toThrow(/observations\[0\] does not fit space "flat2x2"/);
  });

  it('uses the path encoding on nb201 and refuses it where the space has none', async () => {
    const nb201 = new Nb201Space();
    const h = new Harness(bo({ encoding: 'path', predictor: 'gp' }, 1, nb201), nb201, (s) =>
      Object.values(s).reduce<number>((acc, op) => acc + (op === 'nor_conv_3x3' ? 5 : 0), 50),
    );
    await h.run(40);
    expect(h.log).toHaveLength(20);
    expect(new Set(h.log).size).toBe(20);
    expect(() => bo({ encoding: 'path' }, 1)).toThrow(ConfigError);
    expect(() => bo({ encoding: 'path' }, 1)).toThrow(/space "flat8x4" has no path encoding/);
  });

  it('rejects bad options with the field named', () => {
    expect(() => parseConfig(boStrategy.options, { acquisition: 'pi' }, 'bo')).toThrow(/acquisition/);
    expect(() => parseConfig(boStrategy.options, { initial: 0 }, 'bo')).toThrow(/initial/);
    expect(() => parseConfig(boStrategy.options, { predictor: 'forest' }, 'bo')).toThrow(/predictor/);
    expect(() => parseConfig(boStrategy.options, { random: 2 }, 'bo')).toThrow(/random/);
  });

  it('expected improvement: positive gap without noise, grows with the uncertainty', () => {
    expect(expectedImprovement({ mean: 2, std: 0 }, 1)).toBe(1);
    expect(expectedImprovement({ mean: 0, std: 0 }, 1)).toBe(0);
    const low = expectedImprovement({ mean: 0, std: 0.5 }, 1);
    const high = expectedImprovement({ mean: 0, std: 2 }, 1);
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(low);
    // At mean = best, EI = std * phi(0).
    expect(expectedImprovement({ mean: 1, std: 1 }, 1)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 6);
  });

  it('proposals are valid architectures of a conditional space', async () => {
    const space = conditionalSpace();
    const strategy = bo({ encoding: 'onehot' }, 5, space);
    const h = new Harness(strategy, space, hashedObjective);
    await h.run(30);
    for (const key of h.log) expect(key).not.toBe('wait');
    const last = await strategy.ask({ space, direction: 'maximize', progress: 0, history: [], running: 0 });
    if (last.kind !== 'trial') throw new Error('expected a trial');
    expect(() => validateSample(space, last.sample)).not.toThrow();
  });
});
