import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Proposal, Sample, TrialRecord } from '../../core/types.js';
import { parseConfig } from '../../core/validate.js';
import { Nb201Space } from '../../space/nb201.js';
import { blockqnnStrategy, qlearningStrategy, type QLearningStrategy } from './qlearning.js';
import { RandomStrategy } from '../random.js';
import { flatSpace, keyOf, trialRecord } from '../toy.testkit.js';

function qlearning(
  space: SearchSpace<unknown>,
  options: Record<string, unknown> = {},
  seed = 1,
): QLearningStrategy {
  const parsed = parseConfig(
    qlearningStrategy.options,
    { variant: 'paper', alpha: 0.1, stepReward: 'terminal', ...options },
    'qlearning options',
  );
  return qlearningStrategy.create({ space, options: parsed, rng: new Rng(seed) }) as QLearningStrategy;
}

function blockqnn(
  space: SearchSpace<unknown>,
  options: Record<string, unknown> = {},
  seed = 1,
): QLearningStrategy {
  const parsed = parseConfig(
    blockqnnStrategy.options,
    { variant: 'paper', alpha: 0.1, ...options },
    'blockqnn options',
  );
  return blockqnnStrategy.create({ space, options: parsed, rng: new Rng(seed) }) as QLearningStrategy;
}

function ctx(space: SearchSpace<unknown>, progress = 0, running = 0): StrategyContext {
  return { space, direction: 'maximize', progress, history: [], running };
}

function trialOf(p: Proposal): Sample {
  if (p.kind !== 'trial') throw new Error(`expected a trial, got ${p.kind}`);
  return p.sample;
}

function invalidRecord(sample: Sample, score: number): TrialRecord {
  return { ...trialRecord(sample, score), state: 'invalid', metrics: {} };
}

describe('qlearning', () => {
  it('updates Q as the worked example computes by hand (through tell)', async () => {
    // qInit 0, alpha 0.5, default stepReward 'terminal' (r_T on every transition); replaySize 1, so each
    // tell replays exactly the episode just told, once.
    const space = flatSpace(2, [0, 1]);
    const options = { qInit: 0, alpha: 0.5, replaySize: 1, replays: 1 };
    const s = qlearning(space, options);
    // First result: one score seen, so r_T = 0.5 (RunningRange's neutral value).
    await s.tell(trialRecord({ d0: 0, d1: 0 }, 10), ctx(space));
    expect(s.q('1:d1|#0', 0)).toBe(0.25); // terminal: 0.5 * 0 + 0.5 * 0.5
    expect(s.q('0:d0|^', 0)).toBe(0.375); // 0.5 * 0 + 0.5 * (0.5 + max(0.25, 0))
    // Second: range [10, 20], so this episode's r_T is 1.
    await s.tell(trialRecord({ d0: 1, d1: 1 }, 20), ctx(space));
    expect(s.q('1:d1|#1', 1)).toBe(0.5); // 0.5 * 0 + 0.5 * 1
    expect(s.q('0:d0|^', 1)).toBe(0.75); // 0.5 * 0 + 0.5 * (1 + max(0, 0.5))
    // The first architecture again, now the worst seen: r_T = 0.
    await s.tell(trialRecord({ d0: 0, d1: 0 }, 10), ctx(space));
    expect(s.q('1:d1|#0', 0)).toBe(0.125); // 0.5 * 0.25 + 0.5 * 0
    expect(s.q('0:d0|^', 0)).toBe(0.25); // 0.5 * 0.375 + 0.5 * (0 + max(0.125, 0))
    // Greedy (epsilon 0) follows the larger values: d0 = 1 (0.75 > 0.25), then d1 = 1 (0.5 > 0).
    const greedy = qlearning(space, { ...options, schedule: '0:0' });
    greedy.restore(s.state());
    expect(trialOf(await greedy.ask(ctx(space)))).toEqual({ d0: 1, d1: 1 });
  });

  it('breaks greedy ties uniformly at random', async () => {
    const space = flatSpace(1, ['a', 'b', 'c', 'd']);
    const s = qlearning(space, { schedule: '0:0' });
    const counts = new Map<string, number>();
    const n = 8000;
    for (let i = 0; i < n; i++) {
      const choice = String(trialOf(await s.ask(ctx(space))).d0);
      counts.set(choice, (counts.get(choice) ?? 0) + 1);
    }
    for (const c of ['a', 'b', 'c', 'd']) expect((counts.get(c) ?? 0) / n).toBeCloseTo(0.25, 1);
  });

  it('explores with epsilon 1 during the warm-up: every choice about equally often', async () => {
    const space = flatSpace(1, [0, 1]);
    const s = qlearning(space);
    // Teach it that 1 is much better; during the warm-up it must not matter.
    for (let i = 0; i < 20; i++) {
      await s.tell(trialRecord({ d0: 1 }, 10), ctx(space, 0.1));
      await s.tell(trialRecord({ d0: 0 }, 0), ctx(space, 0.1));
    }
    let ones = 0;
    for (let i = 0; i < 2000; i++) ones += Number(trialOf(await s.ask(ctx(space, 0.2))).d0);
    expect(ones / 2000).toBeCloseTo(0.5, 1);
    // At the end (epsilon 0.1): greedy 90% of the time plus half of the random 10%.
    ones = 0;
    for (let i = 0; i < 2000; i++) ones += Number(trialOf(await s.ask(ctx(space, 1))).d0);
    expect(ones / 2000).toBeCloseTo(0.95, 1);
  });

  it('finds the optimum of an additive toy objective far more often than random search', async () => {
    // 6 decisions x 4 choices = 4,096 architectures; score = sum of the choices, optimum 18.
    const space = flatSpace(6, [0, 1, 2, 3]);
    const budget = 300;
    const solved = async (strategy: Strategy): Promise<boolean> => {
      for (let evaluations = 0; evaluations < budget; evaluations++) {
        // Every proposal counts against the budget here, duplicates included (the runner's are free).
        const sample = trialOf(await strategy.ask(ctx(space, evaluations / budget)));
        const score = Object.values(sample).reduce<number>((sum, c) => sum + Number(c), 0);
        if (score === 18) return true;
        await strategy.tell(trialRecord(sample, score), ctx(space, (evaluations + 1) / budget));
      }
      return false;
    };
    let qWins = 0;
    let randomWins = 0;
    for (let seed = 0; seed < 30; seed++) {
      if (await solved(qlearning(space, {}, seed))) qWins++;
      if (await solved(new RandomStrategy(space, new Rng(seed)))) randomWins++;
    }
    // Measured: qlearning 27/30, random 2/30 (expected 1 - (1 - 1/4096)^300 = 7%).
    expect(qWins).toBeGreaterThanOrEqual(22);
    expect(randomWins).toBeLessThanOrEqual(6);
  });

  it("with MetaQNN's zero step reward and the previous-choice state, only the last decisions learn", async () => {
    // Why stepReward defaults to 'terminal': Q(s_i, a) is pulled toward max Q(s_{i+1}, .), and s_{i+1}
    // (index i + 1, previous choice a) forgets everything before a, so below the last two levels every
    // action's target is the same number. Additive objective over 4 decisions, 300 random episodes.
    const space = flatSpace(4, [0, 1, 2, 3]);
    const spread = async (stepReward: string): Promise<number[]> => {
      const s = qlearning(space, { stepReward }, 3);
      const rng = new Rng(5);
      for (let i = 0; i < 300; i++) {
        const sample: Sample = { d0: rng.int(4), d1: rng.int(4), d2: rng.int(4), d3: rng.int(4) };
        await s.tell(
          trialRecord(
            sample,
            Object.values(sample).reduce<number>((a, c) => a + Number(c), 0),
          ),
          ctx(space),
        );
      }
      const level = (state: string) => [0, 1, 2, 3].map((c) => s.q(state, c));
      return [level('0:d0|^'), level('1:d1|#2'), level('2:d2|#2'), level('3:d3|#2')].map(
        (qs) => Math.max(...qs) - Math.min(...qs),
      );
    };
    const zero = await spread('zero');
    expect(zero[3]).toBeGreaterThan(0.2);
    expect(zero[0]).toBeLessThan(0.02);
    expect(zero[1]).toBeLessThan(0.02);
    const terminal = await spread('terminal');
    for (const s of terminal) expect(s).toBeGreaterThan(0.2);
  });

  it('proposes for every free worker without waiting, and learns from results in any order', async () => {
    const space = flatSpace(3, [0, 1, 2]);
    const s = qlearning(space, { replays: 10 });
    const out: Sample[] = [];
    for (let running = 0; running < 5; running++) out.push(trialOf(await s.ask(ctx(space, 0.9, running))));
    for (const sample of out.reverse())
      await s.tell(trialRecord(sample, Number(sample.d0)), ctx(space, 0.9, 0));
    expect(s.sizes().replay).toBe(5);
  });

  it('ignores failed trials, learns from invalid ones with their score, and keeps the range to real results', async () => {
    const space = flatSpace(2, [0, 1]);
    const s = qlearning(space, { qInit: 0, alpha: 0.5, replaySize: 1, replays: 1 });
    await s.tell(trialRecord({ d0: 0, d1: 0 }, 10), ctx(space));
    await s.tell(trialRecord({ d0: 1, d1: 0 }, 20), ctx(space));
    const before = JSON.stringify(s.state());
    await s.tell(trialRecord({ d0: 1, d1: 1 }, undefined), ctx(space));
    expect(JSON.stringify(s.state())).toBe(before);
    // An invalid reward far below the range does not stretch it; it maps to r_T = 0.
    await s.tell(invalidRecord({ d0: 1, d1: 1 }, -1000), ctx(space));
    const data = s.state().data as { range: number[]; replay: { score: number }[] };
    expect(data.range).toEqual([10, 20]);
    expect(data.replay).toEqual([{ sample: { d0: 1, d1: 1 }, score: -1000, penalty: 0 }]);
    expect(s.q('1:d1|#1', 1)).toBe(0); // 0.5 * 0 + 0.5 * 0
    // -Infinity (a configured invalid reward) is saved as a string and maps to 0 too.
    await s.tell(invalidRecord({ d0: 0, d1: 1 }, -Infinity), ctx(space));
    expect((s.state().data as { replay: { score: unknown }[] }).replay[0]?.score).toBe('-Infinity');
    expect(s.q('1:d1|#0', 1)).toBe(0);
    // A sample that is no path through the space has no state-action pair to credit: ignored.
    const saved = JSON.stringify(s.state());
    await s.tell(invalidRecord({ d0: 7 }, 0), ctx(space));
    expect(JSON.stringify(s.state())).toBe(saved);
  });

  it("uses the space's agent state when it has one, and refuses state=space when it has none", async () => {
    const nb201 = new Nb201Space();
    const s = qlearning(nb201, { replays: 1 });
    const sample = trialOf(await s.ask(ctx(nb201)));
    await s.tell(trialRecord(sample, 50), ctx(nb201));
    const keys = (s.state().data as { table: { keys: string[] } }).table.keys;
    expect(keys).toContain(`n1<-n0 live [] -> '${String(sample.edge_1_0)}`);
    const byDecision = qlearning(nb201, { replays: 1, state: 'decision' });
    await byDecision.tell(trialRecord(sample, 50), ctx(nb201));
    expect((byDecision.state().data as { table: { keys: string[] } }).table.keys).toContain(
      `0:edge_1_0|^ -> '${String(sample.edge_1_0)}`,
    );
    expect(() => qlearning(flatSpace(2, [0, 1]), { state: 'space' })).toThrow(ConfigError);
    expect(() => qlearning(flatSpace(2, [0, 1]), { state: 'space' })).toThrow(
      /space "flat2x2" has none; use state=auto or state=decision/,
    );
  });

  it('blockqnn: r_T / T on every step, and the early-stop penalty mu log(FLOPs) + rho log(density)', async () => {
    const space = flatSpace(2, [0, 1]);
    const b = blockqnn(space, { qInit: 0, alpha: 0.5, replaySize: 1, replays: 1, mu: 0.1 });
    const record = { ...trialRecord({ d0: 0, d1: 0 }, 10), metrics: { score: 10, flops_M: Math.E ** 2 } };
    await b.tell(record, ctx(space));
    // r_T = 0.5 (one score seen) - 0.1 * log(e^2) = 0.3.
    expect((b.state().data as { replay: { penalty: number }[] }).replay[0]?.penalty).toBeCloseTo(0.2, 12);
    expect(b.q('1:d1|#0', 0)).toBeCloseTo(0.15, 12); // 0.5 * 0.3
    expect(b.q('0:d0|^', 0)).toBeCloseTo(0.15, 12); // 0.5 * (0.3 / 2 + 0.15)
    expect(b.state().strategy).toBe('blockqnn');
    // Density comes from the decoded cell: rho on nb201.
    const nb201 = new Nb201Space();
    const cell = blockqnn(nb201, { rho: 1, replays: 0 });
    const sample = trialOf(await cell.ask(ctx(nb201)));
    await cell.tell(trialRecord(sample, 50), ctx(nb201));
    const live = Object.values(sample).filter((op) => op !== 'none').length;
    const penalty = (cell.state().data as { replay: { penalty: number }[] }).replay[0]?.penalty;
    expect(penalty).toBeCloseTo(live === 0 ? 0 : Math.log((2 * live) / (4 + live)), 12);
  });

  it('stays within its memory bounds over 10,000 ask/tell cycles', async () => {
    // A state as rich as the whole prefix: as many states as prefixes (5,461 here), so the table must evict.
    const base = flatSpace(6, [0, 1, 2, 3]);
    const space: SearchSpace<unknown> = { ...base, agentState: (prefix) => keyOf(prefix) };
    const s = qlearning(space, { replaySize: 200, tableSize: 1000, replays: 5 });
    let maxTable = 0;
    for (let i = 0; i < 10_000; i++) {
      const c = ctx(space, i / 10_000);
      const sample = trialOf(await s.ask(c));
      await s.tell(
        trialRecord(
          sample,
          Object.values(sample).reduce<number>((a, v) => a + Number(v), 0),
        ),
        c,
      );
      if (i % 500 === 0) maxTable = Math.max(maxTable, s.sizes().table);
    }
    expect(s.sizes()).toEqual({ table: 1000, replay: 200 });
    expect(maxTable).toBeLessThanOrEqual(1000);
    expect(JSON.stringify(s.state()).length).toBeLessThan(200_000);
  });
});
