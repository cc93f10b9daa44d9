import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { validateSample } from '../space/walk.js';
import { GridStrategy, type GridOptions } from './grid.js';
import { CONDITIONAL_SIZE, conditionalSpace, context, flatSpace, keyOf } from './toy.testkit.js';
import type { SearchSpace } from '../core/space.js';
import type { Sample } from '../core/types.js';

// Grid search reads nothing from the context.
const ctx = context(flatSpace(1, [0]), 0);
const defaults: GridOptions = { limit: 100_000, shuffle: false };

async function drain(strategy: GridStrategy, max = 10_000): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < max; i++) {
    const p = await strategy.ask(ctx);
    if (p.kind === 'done') return out;
    if (p.kind !== 'trial') throw new Error(`grid answered ${p.kind}`);
    out.push(p.sample);
  }
  throw new Error('grid never said done');
}

function grid(space: SearchSpace<unknown>, options: Partial<GridOptions> = {}, seed = 1): GridStrategy {
  return new GridStrategy(space, { ...defaults, ...options }, new Rng(seed));
}

describe('grid strategy', () => {
  it('visits every architecture of a flat space exactly once, depth first, then says done', async () => {
    const strategy = grid(flatSpace(3, [0, 1, 2]));
    const samples = await drain(strategy);
    expect(samples).toHaveLength(27);
    expect(new Set(samples.map(keyOf)).size).toBe(27);
    expect(samples[0]).toEqual({ d0: 0, d1: 0, d2: 0 });
    expect(samples[1]).toEqual({ d0: 0, d1: 0, d2: 1 });
    expect(samples[26]).toEqual({ d0: 2, d1: 2, d2: 2 });
    expect((await strategy.ask(ctx)).kind).toBe('done');
  });

  it('visits every architecture of a conditional space exactly once', async () => {
    const space = conditionalSpace();
    const samples = await drain(grid(space));
    expect(samples).toHaveLength(CONDITIONAL_SIZE);
    expect(new Set(samples.map(keyOf)).size).toBe(CONDITIONAL_SIZE);
    for (const s of samples) validateSample(space, s);
  });

  it('shuffles with its seed: same set, another order, repeatable', async () => {
    const space = conditionalSpace();
    const plain = (await drain(grid(space))).map(keyOf);
    const shuffled = (await drain(grid(space, { shuffle: true }, 5))).map(keyOf);
    const again = (await drain(grid(space, { shuffle: true }, 5))).map(keyOf);
    const other = (await drain(grid(space, { shuffle: true }, 6))).map(keyOf);
    expect([...shuffled].sort()).toEqual([...plain].sort());
    expect(shuffled).not.toEqual(plain);
    expect(again).toEqual(shuffled);
    expect(other).not.toEqual(shuffled);
  });

  it('refuses a space larger than its limit, saying how to proceed', () => {
    const make = (): GridStrategy => grid(flatSpace(4, [0, 1, 2, 3]), { limit: 100 });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(
      /space "flat4x4" has more than 100 architectures.*--opt limit=N.*random or evolution/,
    );
    // 4^9 = 262,144 is over the default limit.
    expect(() => grid(flatSpace(9, [0, 1, 2, 3]))).toThrow(/more than 100000 architectures/);
    // Exactly at the limit is fine.
    expect(() => grid(flatSpace(4, [0, 1, 2, 3]), { limit: 256 })).not.toThrow();
  });
});
