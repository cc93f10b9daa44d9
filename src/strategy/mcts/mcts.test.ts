import { describe, expect, it } from 'vitest';
import { base64ToFloat64 } from '../../core/blob.js';
import { Rng } from '../../core/rng.js';
import type { Proposal, Sample, TrialRecord } from '../../core/types.js';
import { countArchitectures } from '../../space/walk.js';
import { mctsStrategy, MctsStrategy, type MctsOptions } from './mcts.js';
import { createStrategy } from '../registry.js';
import {
  CONDITIONAL_SIZE,
  conditionalSpace,
  context,
  flatSpace,
  Harness,
  trialRecord,
} from '../toy.testkit.js';
import type { SearchSpace } from '../../core/space.js';

function mcts(space: SearchSpace<unknown>, options: Partial<MctsOptions> = {}, seed = 1): MctsStrategy {
  return new MctsStrategy(space, mctsStrategy.options.parse({ variant: 'paper', ...options }), new Rng(seed));
}

function trialOf(p: Proposal): Sample {
  if (p.kind !== 'trial') throw new Error(`expected a trial, got ${p.kind}`);
  return p.sample;
}

/** The root's saved statistics (SearchTree.toBase64 puts node 0 first) and the pending proposals. */
function rootStats(strategy: MctsStrategy): { visits: number; sum: number; pending: number } {
  const data = strategy.state().data as { tree: string; pending: [string, number[]][] };
  const root = base64ToFloat64(data.tree);
  const pending = data.pending.reduce((n, [, leaves]) => n + leaves.length, 0);
  return { visits: root[3] as number, sum: root[6] as number, pending };
}

const sumOfChoices = (s: Sample): number => Object.values(s).reduce<number>((a, c) => a + Number(c), 0);

describe('mcts strategy', () => {
  it('has the documented defaults', () => {
    expect(mctsStrategy.name).toBe('mcts');
    expect(mctsStrategy.options.parse({})).toEqual({
      variant: 'efficient',
      model: 'auto',
      initial: 5,
      candidates: 32,
      imagined: 32,
      c: 0.5,
      backup: 'mean',
      maxNodes: 100_000,
    });
  });

  it('finds the optimum of an additive toy objective far more often than random search', async () => {
    // 6 decisions x 4 choices = 4096 architectures; the score is the sum of the choices, optimum 18.
    // Every proposal costs one evaluation here, duplicates included (the runner would reuse those).
    const space = flatSpace(6, [0, 1, 2, 3]);
    const budget = 300;
    const solved = async (strategy: MctsStrategy | ReturnType<typeof createStrategy>): Promise<boolean> => {
      let evaluations = 0;
      let found = false;
      const objective = (s: Sample): number => {
        evaluations++;
        const score = sumOfChoices(s);
        if (score === 18) found = true;
        return score;
      };
      const harness = new Harness(strategy, space, objective);
      while (evaluations < budget && !found) if (!(await harness.step())) break;
      return found;
    };
    let mctsWins = 0;
    let randomWins = 0;
    for (let seed = 0; seed < 30; seed++) {
      if (await solved(mcts(space, {}, seed))) mctsWins++;
      if (await solved(createStrategy('random', {}, space, seed))) randomWins++;
    }
    // Measured: mcts 30/30 (100/100 over seeds 0-99), random 2/30 (1 - (4095/4096)^300 = 7% expected).
    expect(mctsWins).toBeGreaterThanOrEqual(27);
    expect(randomWins).toBeLessThanOrEqual(7);
  });

  it('adds one node per ask: a new choice of the first node with untried choices, then a rollout', async () => {
    const space = flatSpace(3, [0, 1, 2]);
    const strategy = mcts(space);
    const roots = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const sample = trialOf(await strategy.ask(context(space, 0)));
      expect(Object.keys(sample).sort()).toEqual(['d0', 'd1', 'd2']);
      roots.add(String(sample.d0));
      await strategy.tell(trialRecord(sample, sumOfChoices(sample)), context(space, 0));
      expect(strategy.treeSize).toBe(2 + i);
    }
    // The root's three choices are each tried once before UCB picks among them.
    expect(roots).toEqual(new Set(['0', '1', '2']));
  });

  it('spreads parallel asks with a virtual loss, and matches each tell to its proposal by key', async () => {
    const space = flatSpace(2, [0, 1, 2]);
    const strategy = mcts(space, { c: 0 });
    const score = (s: Sample): number => [0, 10, 8][Number(s.d0)] as number;
    for (let i = 0; i < 3; i++) {
      const s = trialOf(await strategy.ask(context(space, 0)));
      await strategy.tell(trialRecord(s, score(s)), context(space, 0));
    }
    // Normalised values: d0=0 -> 0, d0=1 -> 1, d0=2 -> 0.8. With c = 0 the first ask takes d0=1; its
    // pending visit halves d0=1's value (1/2 < 0.8), so the second takes d0=2 (0.8/2 = 0.4 < 0.5), the
    // third d0=1 again. Without the virtual loss all three would be d0=1.
    const out: Sample[] = [];
    for (let i = 0; i < 3; i++) out.push(trialOf(await strategy.ask(context(space, i))));
    expect(out.map((s) => s.d0)).toEqual([1, 2, 1]);
    expect(strategy.pendingCount).toBe(3);
    for (const [i, s] of [...out].reverse().entries()) {
      await strategy.tell(trialRecord(s, score(s)), context(space, 2 - i));
    }
    expect(strategy.pendingCount).toBe(0);
    const data = strategy.state().data as { pending: unknown[] };
    expect(data.pending).toEqual([]);
  });

  it('releases a failed proposal without learning from it, and forgets proposals lost in a crash', async () => {
    const space = flatSpace(2, [0, 1, 2]);
    const strategy = mcts(space);
    const a = trialOf(await strategy.ask(context(space, 0)));
    trialOf(await strategy.ask(context(space, 1)));
    await strategy.tell(trialRecord(a, undefined), context(space, 1));
    expect(strategy.pendingCount).toBe(1);
    expect(rootStats(strategy)).toMatchObject({ visits: 0, pending: 1 });
    // Nothing running: the other result can never arrive, so its virtual loss goes before this ask.
    trialOf(await strategy.ask(context(space, 0)));
    expect(strategy.pendingCount).toBe(1);
    expect(rootStats(strategy)).toMatchObject({ visits: 0, pending: 1 });
  });

  it('backs up invalid architectures like any reward, and a re-told duplicate like a new result', async () => {
    const space = flatSpace(1, [0, 1]);
    const strategy = mcts(space);
    const a = trialOf(await strategy.ask(context(space, 0)));
    const invalid: TrialRecord = { ...trialRecord(a, 0), state: 'invalid', score: -5 };
    await strategy.tell(invalid, context(space, 0));
    // Told again (the runner reusing a stored result for a repeated proposal): counted once more.
    await strategy.tell(invalid, context(space, 0));
    expect(rootStats(strategy)).toMatchObject({ visits: 2, sum: -10, pending: 0 });
    const restored = mcts(space);
    restored.restore(strategy.state());
    expect(rootStats(restored)).toEqual(rootStats(strategy));
  });

  it("answers 'done' once every architecture of a small space has been proposed", async () => {
    for (const space of [flatSpace(2, [0, 1, 2]), conditionalSpace()]) {
      for (const concurrency of [1, 3]) {
        const harness = new Harness(mcts(space), space, sumOfChoices, concurrency);
        await harness.run(2000);
        expect(harness.log.at(-1)).toBe('done');
        const proposed = new Set(harness.log.filter((s) => s !== 'done'));
        expect(proposed.size).toBe(countArchitectures(space));
        // At most one duplicate per complete architecture (a rollout found it before the tree did).
        expect(harness.log.length - 1).toBeLessThanOrEqual(2 * proposed.size);
      }
    }
    expect(countArchitectures(conditionalSpace())).toBe(CONDITIONAL_SIZE);
  });

  it('proposes the empty architecture of a space without decisions once, then is done', async () => {
    const space = flatSpace(0, []);
    const harness = new Harness(mcts(space), space, () => 1);
    await harness.run(10);
    expect(harness.log).toEqual(['', 'done']);
  });

  it('keeps the tree within maxNodes and nothing else growing over 10,000 ask/tell cycles', async () => {
    const space = flatSpace(10, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [maxNodes, concurrency] of [
      [500, 1],
      [2000, 4],
    ] as const) {
      const strategy = mcts(space, { maxNodes });
      const harness = new Harness(strategy, space, sumOfChoices, concurrency);
      await harness.run(20_000); // 10,000 asks and 10,000 tells
      expect(strategy.treeSize).toBe(maxNodes);
      expect(strategy.pendingCount).toBe(harness.pending.length);
      expect(strategy.pendingCount).toBeLessThanOrEqual(concurrency);
    }
    // The default bound is not reached by then: one node per ask.
    const unbounded = mcts(space);
    await new Harness(unbounded, space, sumOfChoices).run(20_000);
    expect(unbounded.treeSize).toBe(10_001);
  });

  it('is deterministic for a seed', async () => {
    const space = conditionalSpace();
    const logs = [];
    for (let i = 0; i < 2; i++) {
      const harness = new Harness(mcts(space, {}, 7), space, sumOfChoices, 2);
      await harness.run(60);
      logs.push(harness.log);
    }
    expect(logs[0]).toEqual(logs[1]);
  });
});
