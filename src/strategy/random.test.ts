import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { validateSample } from '../space/walk.js';
import { RandomStrategy } from './random.js';
import { conditionalSpace, context, flatSpace, trialRecord } from './toy.testkit.js';

// Random search reads nothing from the context.
const ctx = context(flatSpace(1, [0]), 0);
import type { Sample } from '../core/types.js';

async function draw(strategy: RandomStrategy, n: number): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const p = await strategy.ask(ctx);
    if (p.kind !== 'trial') throw new Error(`expected a trial, got ${p.kind}`);
    out.push(p.sample);
  }
  return out;
}

describe('random strategy', () => {
  it('chooses every option of every decision about equally often', async () => {
    const space = flatSpace(4, ['a', 'b', 'c', 'd']);
    const samples = await draw(new RandomStrategy(space, new Rng(1)), 8000);
    for (const d of ['d0', 'd1', 'd2', 'd3']) {
      for (const c of ['a', 'b', 'c', 'd']) {
        const share = samples.filter((s) => s[d] === c).length / samples.length;
        // Expected 0.25; the standard error is 0.005, so this is about 4 standard errors wide.
        expect(share).toBeGreaterThan(0.23);
        expect(share).toBeLessThan(0.27);
      }
    }
  });

  it('walks conditional decisions: only the asked ones, each uniform', async () => {
    const space = conditionalSpace();
    const samples = await draw(new RandomStrategy(space, new Rng(2)), 6000);
    for (const s of samples) validateSample(space, s);
    const conv = samples.filter((s) => s.op === 'conv');
    expect(conv.length / samples.length).toBeGreaterThan(0.3);
    expect(conv.length / samples.length).toBeLessThan(0.367);
    expect(conv.every((s) => 'filters' in s)).toBe(true);
    expect(samples.filter((s) => s.op !== 'conv').some((s) => 'filters' in s)).toBe(false);
    const deep = samples.filter((s) => s.depth === 3);
    expect(deep.length / samples.length).toBeGreaterThan(0.3);
    expect(deep.every((s) => 'layer2' in s)).toBe(true);
  });

  it('never waits, and results do not change what it proposes', async () => {
    const space = flatSpace(3, [0, 1, 2]);
    const told = new RandomStrategy(space, new Rng(3));
    const proposals: Sample[] = [];
    for (let i = 0; i < 30; i++) {
      const p = await told.ask(ctx);
      if (p.kind !== 'trial') throw new Error(`random answered ${p.kind}`);
      proposals.push(p.sample);
      if (i % 2 === 1) await told.tell(trialRecord(p.sample, i % 4 === 1 ? undefined : i), ctx);
    }
    expect(proposals).toEqual(await draw(new RandomStrategy(space, new Rng(3)), 30));
  });

  it('is repeatable from its seed and differs across seeds', async () => {
    const space = flatSpace(4, [0, 1, 2, 3]);
    const a = await draw(new RandomStrategy(space, new Rng(7)), 50);
    const b = await draw(new RandomStrategy(space, new Rng(7)), 50);
    const c = await draw(new RandomStrategy(space, new Rng(8)), 50);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});
