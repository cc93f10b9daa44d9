import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { parseConfig } from '../core/validate.js';
import { validateSample } from '../space/walk.js';
import { meanBest, SYNTH_SPACE, synthScore } from './bo/synthetic.testkit.js';
import { RandomStrategy } from './random.js';
import { TpeStrategy, tpeStrategy } from './tpe.js';
import { conditionalSpace, flatSpace, Harness, hashedObjective } from './toy.testkit.js';

function tpe(options: Record<string, unknown>, seed: number, space = SYNTH_SPACE): TpeStrategy {
  return new TpeStrategy(space, parseConfig(tpeStrategy.options, options, 'test'), new Rng(seed));
}

describe('tpe', () => {
  it('is deterministic with a seed and proposes distinct architectures', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const h = new Harness(tpe({}, seed), SYNTH_SPACE, synthScore);
      await h.run(80);
      return h.log;
    };
    const a = await run(3);
    expect(a).toHaveLength(40);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
    expect(new Set(a).size).toBe(a.length);
  });

  it('finds better architectures than random search (mean over seeds)', async () => {
    const seeds = [1, 2, 3, 4, 5];
    const model = await meanBest((s) => tpe({}, s), seeds, 40);
    const random = await meanBest((s) => new RandomStrategy(SYNTH_SPACE, new Rng(s)), seeds, 40);
    expect(model).toBeGreaterThan(random + 10);
  });

  it('the first `startup` proposals are random, then it concentrates on the good choices', async () => {
    const h = new Harness(tpe({ startup: 5 }, 7), SYNTH_SPACE, synthScore);
    await h.run(120);
    const random = new Harness(new RandomStrategy(SYNTH_SPACE, new Rng(7)), SYNTH_SPACE, synthScore);
    await random.run(10);
    expect(h.log.slice(0, 5)).toEqual(random.log);
    // After learning, each decision mostly takes its best choice (i mod 4); random search would 1/4.
    const late = h.log.slice(30).map((key) => key.split(',').map((kv) => Number(kv.split('=')[1])));
    let hits = 0;
    for (const d of late) for (let i = 0; i < 8; i++) if (d[i] === i % 4) hits++;
    expect(hits / (8 * late.length)).toBeGreaterThan(0.6);
  });

  it('continues exactly after state()/restore(), at 1 and 3 in flight', async () => {
    for (const space of [flatSpace(4, [0, 1, 2, 3]), conditionalSpace()]) {
      for (const concurrency of [1, 3]) {
        const original = new Harness(tpe({ startup: 4 }, 11, space), space, hashedObjective, concurrency);
        await original.run(25);
        const { state, pending } = original.snapshot();
        const before = original.log.length;
        await original.run(40);
        const fresh = tpe({ startup: 4 }, 99, space);
        fresh.restore(state);
        const resumed = new Harness(fresh, space, hashedObjective, concurrency, pending);
        await resumed.run(40);
        expect(resumed.log.length).toBeGreaterThan(15);
        expect(resumed.log).toEqual(original.log.slice(before));
      }
    }
  });

  it('walks conditional spaces: every proposal is a valid architecture', async () => {
    const space = conditionalSpace();
    const strategy = tpe({ startup: 3 }, 2, space);
    const h = new Harness(strategy, space, hashedObjective);
    await h.run(40);
    const p = await strategy.ask({ space, direction: 'maximize', progress: 0, history: [], running: 0 });
    if (p.kind !== 'trial') throw new Error('expected a trial');
    expect(() => validateSample(space, p.sample)).not.toThrow();
  });

  it('rejects bad options with the field named', () => {
    expect(() => parseConfig(tpeStrategy.options, { gamma: 1 }, 'tpe')).toThrow(/gamma/);
    expect(() => parseConfig(tpeStrategy.options, { startup: 0 }, 'tpe')).toThrow(/startup/);
    expect(() => parseConfig(tpeStrategy.options, { prior: 0 }, 'tpe')).toThrow(/prior/);
    expect(() => parseConfig(tpeStrategy.options, { bandwidth: 1 }, 'tpe')).toThrow(/bandwidth/);
  });
});
