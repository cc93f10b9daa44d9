import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { StrategyContext } from '../../core/strategy.js';
import type { Proposal, Sample, TrialRecord } from '../../core/types.js';
import { MorphSpace } from '../../space/morph.js';
import { Nb201Space } from '../../space/nb201.js';
import { createSpace } from '../../space/registry.js';
import { EasStrategy, easStrategy } from './eas.js';
import { decodeWeights, encodeWeights } from './weights.js';

const space = new MorphSpace(
  {
    type: 'morph',
    base: { type: 'chain', input: [1, 8, 8], classes: 3, convFilters: [4], fcSizes: [6] },
    start: 'C(4,3,1)-P(max,2,2)-FC(6)-T',
    widths: [4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512],
    maxSteps: 200,
  },
  createSpace,
);

const ctx = { space, direction: 'maximize', progress: 0, history: [], running: 0 } as StrategyContext;

function make(options: object = {}, seed = 1): EasStrategy {
  return easStrategy.create({
    space,
    options: easStrategy.options.parse(options),
    rng: new Rng(seed),
  }) as EasStrategy;
}

let n = 0;
function record(sample: Sample, score: number | undefined): TrialRecord {
  return {
    id: String(n),
    experimentId: '1',
    number: n++,
    sample,
    key: space.key(sample),
    state: score === undefined ? 'failed' : 'complete',
    metrics: score === undefined ? {} : { valid_acc: score },
    score,
    cost: 0,
    createdAt: 0,
  };
}

const weightsOf = (x: number) => new Map([['w', Float32Array.from([x, x + 1, x + 2])]]);

async function trial(s: EasStrategy): Promise<Sample> {
  const p: Proposal = await s.ask(ctx);
  if (p.kind !== 'trial') throw new Error(`expected a trial, got ${p.kind}`);
  return p.sample;
}

describe('eas strategy', () => {
  it('needs a morph space', () => {
    expect(() =>
      easStrategy.create({
        space: new Nb201Space(),
        options: easStrategy.options.parse({}),
        rng: new Rng(1),
      }),
    ).toThrow(ConfigError);
  });

  it('trains the start network, then grows episodes of children from the best network with its weights', async () => {
    const s = make({ children: 2, steps: 2, baseEpochs: 4 });
    const base = await trial(s);
    expect(space.steps(base)).toEqual([]);
    expect(s.startOf(base)).toEqual({ epochs: 4, noise: 0.05 });
    expect((await s.ask(ctx)).kind).toBe('wait');
    s.offer(space.key(base), weightsOf(1));
    await s.tell(record(base, 0.5), ctx);
    const a = await trial(s);
    const b = await trial(s);
    expect((await s.ask(ctx)).kind).toBe('wait');
    for (const child of [a, b]) {
      expect(space.steps(child)).toHaveLength(2);
      const start = s.startOf(child);
      expect(start.parent?.sample).toEqual(space.sampleOf([]));
      expect(start.parent?.weights.get('w')).toEqual(Float32Array.from([1, 2, 3]));
    }
    s.offer(space.key(a), weightsOf(10));
    await s.tell(record(a, 0.4), ctx);
    s.offer(space.key(b), weightsOf(20));
    await s.tell(record(b, 0.7), ctx);
    // Episode 2 grows from b, the best.
    const c = await trial(s);
    expect(space.steps(c).slice(0, 2)).toEqual(space.steps(b));
    expect(s.startOf(c).parent?.weights.get('w')?.[0]).toBe(20);
  });

  it('stops when the start network fails', async () => {
    const s = make();
    const base = await trial(s);
    await s.tell(record(base, undefined), ctx);
    expect((await s.ask(ctx)).kind).toBe('done');
  });

  it('saves and restores everything, weights included: the restored strategy continues identically', async () => {
    const run = async (s: EasStrategy, steps: number, log: string[]): Promise<void> => {
      for (let i = 0; i < steps; i++) {
        const p = await s.ask(ctx);
        if (p.kind !== 'trial') continue;
        const key = space.key(p.sample);
        log.push(key);
        s.offer(key, weightsOf(i));
        await s.tell(record(p.sample, (key.length % 17) / 17), ctx);
      }
    };
    const whole = make({ children: 3, steps: 2 }, 7);
    const log: string[] = [];
    await run(whole, 20, log);
    const first = make({ children: 3, steps: 2 }, 7);
    const cutLog: string[] = [];
    await run(first, 8, cutLog);
    const saved = JSON.parse(JSON.stringify(first.state())) as ReturnType<EasStrategy['state']>;
    const second = make({ children: 3, steps: 2 }, 99);
    second.restore(saved);
    expect(second.state()).toEqual(first.state());
    await run(second, 12, cutLog);
    expect(cutLog).toEqual(log);
  });

  it('learns: rewarding widening makes the controller widen', async () => {
    const s = make({ children: 4, steps: 1, lr: 0.1, entropy: 0, hidden: 8 }, 3);
    const base = await trial(s);
    s.offer(space.key(base), weightsOf(0));
    await s.tell(record(base, 0.1), ctx);
    const kinds: string[] = [];
    // 20 episodes: the parent gains one widen each, within the 15 widths of both layers.
    for (let e = 0; e < 20; e++) {
      for (let c = 0; c < 4; c++) {
        const child = await trial(s);
        const last = space.steps(child).at(-1)!;
        kinds.push(last.split(':')[0]!);
        s.offer(space.key(child), weightsOf(e));
        await s.tell(record(child, last.startsWith('widen') ? 0.2 + 0.02 * e : 0.1), ctx);
      }
    }
    const share = (xs: string[]) => xs.filter((k) => k === 'widen').length / xs.length;
    expect(share(kinds.slice(0, 8))).toBeLessThan(0.5);
    expect(share(kinds.slice(-40))).toBeGreaterThan(0.85);
  });

  it('keeps weights bit for bit in JSON', () => {
    const w = new Map([
      ['a', Float32Array.from([1.5, -0, Number.NaN, 3e-38])],
      ['b', Float32Array.from([7])],
    ]);
    const back = decodeWeights(JSON.parse(JSON.stringify(encodeWeights(w))), 'test');
    expect([...back.keys()]).toEqual(['a', 'b']);
    expect(new Uint8Array(back.get('a')!.buffer)).toEqual(new Uint8Array(w.get('a')!.buffer));
    expect(back.get('b')).toEqual(Float32Array.from([7]));
    expect(() => decodeWeights({ names: ['a'], lengths: [3], data: 'AAAA' }, 'saved')).toThrow(ConfigError);
  });
});
