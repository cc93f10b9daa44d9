import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Metrics, Proposal, Sample, StrategyState, TrialRecord, TrialState } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import { reinforceStrategy } from './pg/reinforce.js';
import {
  constraintsConfigSchema,
  rewardConfigSchema,
  rewardObjectives,
  RewardStrategy,
  trialReward,
  withReward,
  type RewardObjective,
} from './reward-objective.js';
import { flatSpace } from './toy.testkit.js';

const space = flatSpace(2, [0, 1]);

/** An inner strategy that records what it is told. */
class Recorder implements Strategy {
  readonly name = 'recorder';
  readonly told: TrialRecord[] = [];
  restored = 0;
  ask(): Promise<Proposal> {
    return Promise.resolve({ kind: 'trial', sample: { d0: 0, d1: 0 } });
  }
  tell(trial: TrialRecord): Promise<void> {
    this.told.push(trial);
    return Promise.resolve();
  }
  state(): StrategyState {
    return { strategy: this.name, version: 1, data: { told: this.told.length } };
  }
  restore(): void {
    this.restored++;
  }
}

let n = 0;
function trial(
  metrics: Metrics,
  state: TrialState = 'complete',
  score?: number,
  sample: Sample = { d0: 0, d1: 0 },
): TrialRecord {
  const number = n++;
  return {
    id: `t${number}`,
    experimentId: 'x',
    number,
    sample,
    key: `k${number}`,
    state,
    metrics,
    ...(score === undefined ? {} : { score }),
    cost: 0,
    createdAt: 0,
  };
}

const ctx = (history: readonly TrialRecord[] = []): StrategyContext => ({
  space,
  direction: 'maximize',
  progress: 0,
  history,
  running: 0,
});

const reward = (raw: unknown) => parseConfig(rewardConfigSchema, raw, 'reward');
const constraints = (raw: unknown) => parseConfig(constraintsConfigSchema, raw, 'constraints');
const MNAS = { type: 'mnas', accuracy: 'acc', latency: 'lat', target: 80 };

describe('reward objective wrapper', () => {
  it("tells the inner strategy MnasNet's ACC x (LAT/T)^w instead of the signal", async () => {
    const inner = new Recorder();
    const soft = new RewardStrategy(inner, { reward: reward(MNAS) });
    await soft.tell(trial({ acc: 0.75, lat: 160 }, 'complete', 0.75), ctx());
    await soft.tell(trial({ acc: 0.75, lat: 40 }, 'complete', 0.75), ctx());
    // 0.75 x 2^-0.07 = 0.714478..., 0.75 x 0.5^-0.07 = 0.787288...
    expect(inner.told[0]?.score).toBeCloseTo(0.714478, 6);
    expect(inner.told[1]?.score).toBeCloseTo(0.787288, 6);
    const hardInner = new Recorder();
    const hard = new RewardStrategy(hardInner, { reward: reward({ ...MNAS, variant: 'hard' }) });
    await hard.tell(trial({ acc: 0.75, lat: 160 }, 'complete', 0.75), ctx());
    await hard.tell(trial({ acc: 0.75, lat: 40 }, 'complete', 0.75), ctx());
    expect(hardInner.told.map((t) => t.score)).toEqual([0.375, 0.75]);
    // The stored record is left alone: only what the inner strategy sees changes.
    expect(inner.told[0]?.metrics).toEqual({ acc: 0.75, lat: 160 });
  });

  it('weighted (MONAS): raw weighted values without a range, normalised with one', () => {
    const raw = reward({
      type: 'weighted',
      terms: [
        { metric: 'acc', direction: 'maximize', weight: 1 },
        { metric: 'energy', direction: 'minimize', weight: 0.5 },
      ],
    });
    // 1 x 0.9 + 0.5 x (1 - 0.4)
    expect(trialReward(trial({ acc: 0.9, energy: 0.4 }), { reward: raw })).toBeCloseTo(1.2, 12);
    const ranged = reward({
      type: 'weighted',
      terms: [
        { metric: 'acc', direction: 'maximize', weight: 2, min: 80, max: 90 },
        { metric: 'lat', direction: 'minimize', weight: 1, min: 10, max: 30 },
      ],
    });
    // 2 x 0.5 + 1 x 0.75
    expect(trialReward(trial({ acc: 85, lat: 15 }), { reward: ranged })).toBeCloseTo(1.75, 12);
    expect(rewardObjectives(ranged)).toEqual([
      { metric: 'acc', direction: 'maximize' },
      { metric: 'lat', direction: 'minimize' },
    ]);
  });

  it('reject: an infeasible trial is told as invalid with the worst reward so far', async () => {
    const inner = new Recorder();
    const objective: RewardObjective = { constraints: constraints([{ metric: 'params', max: 2 }]) };
    const wrapped = new RewardStrategy(inner, objective);
    const history = [
      trial({ acc: 90, params: 1 }, 'complete', 90),
      trial({ acc: 70, params: 1.5 }, 'complete', 70),
    ];
    await wrapped.tell(trial({ acc: 95, params: 3 }, 'complete', 95), ctx(history));
    await wrapped.tell(trial({ acc: 80, params: 2 }, 'complete', 80), ctx(history));
    expect(inner.told.map((t) => [t.state, t.score])).toEqual([
      ['invalid', 70],
      ['complete', 80],
    ]);
    // A configured invalid reward wins over the worst so far.
    const fixed = new Recorder();
    await new RewardStrategy(fixed, objective, -5).tell(trial({ acc: 95, params: 3 }, 'complete', 95), ctx());
    expect(fixed.told[0]?.score).toBe(-5);
    expect(trialReward(trial({ acc: 95, params: 3 }, 'complete', 95), objective)).toBeUndefined();
  });

  it('penalize: reward minus penalty x relative excess', async () => {
    const inner = new Recorder();
    const c = constraints({ limits: [{ metric: 'lat', max: 20 }], policy: 'penalize', penalty: 100 });
    await new RewardStrategy(inner, { constraints: c }).tell(trial({ lat: 30 }, 'complete', 93), ctx());
    expect(inner.told[0]).toMatchObject({ state: 'complete', score: 93 - 100 * 0.5 });
  });

  it('passes failed trials through, scores invalid ones, and names a missing reward metric', async () => {
    const inner = new Recorder();
    const wrapped = new RewardStrategy(inner, { reward: reward(MNAS) });
    const history = [trial({ acc: 0.5, lat: 80 }, 'complete', 0.5)];
    const failed = trial({}, 'failed');
    await wrapped.tell(failed, ctx(history));
    await wrapped.tell(trial({}, 'invalid', 0), ctx(history));
    expect(inner.told[0]).toBe(failed);
    expect(inner.told[1]?.score).toBe(0.5);
    await expect(wrapped.tell(trial({ acc: 0.7 }, 'complete', 0.7), ctx())).rejects.toThrow(
      /reward \(mnas\): trial #\d+ has no usable "lat" \(its metrics: acc\)/,
    );
  });

  it('delegates name, ask and state; unwrapped when there is no objective', async () => {
    const inner = new Recorder();
    const wrapped = withReward(inner, { reward: reward(MNAS) });
    expect(wrapped.name).toBe('recorder');
    expect(await wrapped.ask(ctx())).toEqual({ kind: 'trial', sample: { d0: 0, d1: 0 } });
    expect(wrapped.state()).toEqual(inner.state());
    wrapped.restore(inner.state());
    expect(inner.restored).toBe(1);
    expect(withReward(inner, {})).toBe(inner);
  });

  it('config errors name the field', () => {
    expect(() => reward({ type: 'mnas', accuracy: 'acc', latency: 'lat', target: 0 })).toThrow(/target/);
    expect(() => reward({ type: 'pareto' })).toThrow(/type/);
    expect(() => constraints([{ metric: 'lat' }])).toThrow(
      /limits\[0\]\.max: a constraint on "lat" needs a limit/,
    );
    expect(constraints([{ metric: 'lat', max: 3 }])).toEqual({
      limits: [{ metric: 'lat', max: 3 }],
      policy: 'reject',
      penalty: 1,
    });
  });

  it('works with REINFORCE: the policy learns the reward, not the raw signal', async () => {
    // Accuracy favours d0 = 1 slightly, but d0 = 1 is 4x slower: the hard MnasNet reward prefers d0 = 0.
    // The paper variant learns from every tell; the default one learns nothing from an architecture it
    // already evaluated, and this space has only two.
    const s = flatSpace(1, [0, 1]);
    const inner = reinforceStrategy.create({
      space: s,
      options: reinforceStrategy.options.parse({ variant: 'paper' }),
      rng: new Rng(3),
    });
    const wrapped = withReward(inner, { reward: reward({ ...MNAS, target: 10, variant: 'hard' }) });
    const c: StrategyContext = { ...ctx(), space: s };
    let fast = 0;
    for (let i = 0; i < 300; i++) {
      const p = await wrapped.ask(c);
      if (p.kind !== 'trial') throw new Error('expected a trial');
      const slow = p.sample.d0 === 1;
      if (i >= 200 && !slow) fast++;
      const m = { acc: slow ? 92 : 90, lat: slow ? 40 : 10 };
      await wrapped.tell(trial(m, 'complete', m.acc, p.sample), c);
    }
    expect(fast).toBeGreaterThan(90);
  });
});
