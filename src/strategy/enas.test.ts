import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import type { StrategyContext } from '../core/strategy.js';
import type { Json, Sample, TrialRecord } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import { EnasStrategy, enasStrategy } from './enas.js';
import { flatSpace, keyOf } from './toy.testkit.js';

const space = flatSpace(6, [0, 1, 2, 3]);
const create = (options: Record<string, unknown> = {}, seed = 1) =>
  new EnasStrategy(space, parseConfig(enasStrategy.options, options, 'test'), new Rng(seed));
const ctx = (running = 0, progress = 0): StrategyContext => ({
  space,
  direction: 'maximize',
  progress,
  history: [],
  running,
});
/** The toy reward: the share of decisions that chose 3. */
const reward = (s: Sample) => Object.values(s).filter((v) => v === 3).length / 6;
const trial = (sample: Sample, score: number, number = 0): TrialRecord => ({
  id: String(number),
  experimentId: '1',
  number,
  sample,
  key: keyOf(sample),
  state: 'complete',
  metrics: { valid_acc: score },
  score,
  cost: 0,
  createdAt: 0,
});

describe('enas controller', () => {
  it('learns a toy reward with REINFORCE (EMA baseline, entropy bonus)', () => {
    const s = create({ lr: 0.005, hidden: 16 });
    const mean = (n: number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += reward(s.sampleChild());
      return sum / n;
    };
    const before = mean(200);
    let entropy = 0;
    for (let step = 0; step < 150; step++) {
      const batch = Array.from({ length: 10 }, () => s.sampleChild()).map((sample) => ({
        sample,
        reward: reward(sample),
      }));
      entropy = s.learn(batch);
    }
    expect(before).toBeLessThan(0.4); // about 1/4 at the start
    expect(mean(200)).toBeGreaterThan(0.8);
    expect(entropy).toBeLessThan(6 * Math.log(4)); // the policy sharpened
  });

  it('plans epochs, distinct candidates, then the best candidate retrained, then done', async () => {
    const s = create({ epochs: 2, candidates: 3 });
    const asked: string[] = [];
    const samples: Sample[] = [];
    for (let n = 0; n < 6; n++) {
      const p = await s.ask(ctx());
      if (p.kind !== 'trial') throw new Error(`trial expected, got ${p.kind}`);
      asked.push(s.plan().phase);
      samples.push(p.sample);
      await s.tell(trial(p.sample, n === 3 ? 0.9 : 0.1 * n, n), ctx());
    }
    expect(asked).toEqual(['epoch', 'epoch', 'candidate', 'candidate', 'candidate', 'retrain']);
    expect(new Set(samples.slice(2, 5).map(keyOf)).size).toBe(3);
    expect(samples[5]).toEqual(samples[3]); // the best-scored candidate
    expect((await s.ask(ctx())).kind).toBe('done');
  });

  it('ends the epochs early when another would leave less than `reserve` of the budget', async () => {
    const s = create({ epochs: 10, candidates: 2, reserve: 0.1, retrain: false });
    const phases: string[] = [];
    // Each epoch uses 0.25 of the budget: epochs at 0, 0.25 and 0.5; a fourth would end at 1.0 > 0.9.
    for (let n = 0; n < 6; n++) {
      const p = await s.ask(ctx(0, Math.min(1, 0.25 * n)));
      if (p.kind !== 'trial') {
        phases.push(p.kind);
        break;
      }
      phases.push(s.plan().phase);
      await s.tell(trial(p.sample, 0.5, n), ctx());
    }
    expect(phases).toEqual(['epoch', 'epoch', 'epoch', 'candidate', 'candidate', 'done']);
    // The cut survives a restore.
    const b = create({ epochs: 10, candidates: 2, reserve: 0.1, retrain: false }, 7);
    b.restore(JSON.parse(JSON.stringify(s.state())));
    expect(b.state()).toEqual(s.state());
  });

  it('waits while an epoch runs', async () => {
    const s = create({ epochs: 2 });
    expect((await s.ask(ctx())).kind).toBe('trial');
    expect((await s.ask(ctx(1))).kind).toBe('wait');
  });

  it('restores exactly, companion state included (before or after the companion attaches)', async () => {
    const a = create({ epochs: 3, hidden: 8 });
    let held: Json = { weights: 1 };
    a.attach({ state: () => held, restore: (j) => (held = j) });
    await a.ask(ctx());
    a.learn([{ sample: a.sampleChild(), reward: 0.5 }]);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = create({ epochs: 3, hidden: 8 }, 99);
    b.restore(saved);
    let restored: Json = null;
    b.attach({ state: () => restored, restore: (j) => (restored = j) });
    expect(restored).toEqual({ weights: 1 });
    expect(b.plan()).toEqual(a.plan());
    expect(b.sampleChild()).toEqual(a.sampleChild());
    expect(b.state()).toEqual(a.state());
  });
});
