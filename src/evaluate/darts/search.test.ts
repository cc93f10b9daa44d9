import { afterEach, describe, expect, it, vi } from 'vitest';
import { Rng } from '../../core/rng.js';
import { Session } from '../../runtime/session.js';
import { nchwcBlockSize } from '../../runtime/nchwc.js';
import type { Batch } from '../../runtime/train/batches.js';
import { CellSpace } from '../../space/cell.js';
import { DartsStrategy, dartsStrategy } from '../../strategy/darts/darts.js';
import { batchOf, tinyData } from '../../supernet/supernet.testkit.js';
import { SharedWeights } from '../../supernet/weights.js';
import { buildDartsNetwork } from './network.js';
import { DartsSearch } from './search.js';

afterEach(() => vi.restoreAllMocks());

/** One block per cell, two ops: the relaxed network builds and steps in a moment. */
const space = new CellSpace({
  input: [1, 8, 8],
  classes: 3,
  blocks: 1,
  channels: 4,
  ops: ['identity', 'maxpool3x3'],
});
const strategy = () => new DartsStrategy(space, dartsStrategy.options.parse({ archLr: 0.01 }), new Rng(5));
const OPTIMIZER = { kind: 'sgd', momentum: 0.9 } as const;

function batch(n: number, from: number): Batch {
  return { ...batchOf(tinyData(64, 1), n, from), size: n };
}

describe('the relaxed network', () => {
  it("mixes every candidate op on every edge, cells of a kind sharing their kind's edges", () => {
    const s = strategy();
    const { graph, mixtures } = buildDartsNetwork(space, s.edges, s.ops);
    // 5 cells (normal, reduce, normal, reduce, normal) x node 2's two edges.
    expect([...mixtures]).toEqual([
      ['c0/n2/in0/mix', 0],
      ['c0/n2/in1/mix', 1],
      ['c1/n2/in0/mix', 2],
      ['c1/n2/in1/mix', 3],
      ['c2/n2/in0/mix', 0],
      ['c2/n2/in1/mix', 1],
      ['c3/n2/in0/mix', 2],
      ['c3/n2/in1/mix', 3],
      ['c4/n2/in0/mix', 0],
      ['c4/n2/in1/mix', 1],
    ]);
    expect(graph.node('c0/n2/in0/mix')?.inputs).toEqual([
      'c0/n2/in0/none',
      'c0/n2/in0/identity',
      'c0/n2/in0/maxpool3x3',
    ]);
    // A reduction cell's edges from its inputs have stride 2: identity is then a 1x1 conv.
    expect(graph.node('c1/n2/in0/mix')?.output.shape).toEqual(['N', 8, 4, 4]);
    expect(graph.node('c1/n2/in0/identity/conv')?.op).toBe('conv2d');
    expect(graph.outputs.map((v) => v.name)).toEqual(['logits', 'loss']);
  });
});

describe('DartsSearch', () => {
  it('a weight step moves the weights only, an architecture step alpha only; two sessions, both disposed', async () => {
    await nchwcBlockSize(); // its one-off probe session is not the code under test
    const create = vi.spyOn(Session, 'create');
    const dispose = vi.spyOn(Session.prototype, 'dispose');
    const s = strategy();
    const weights = new SharedWeights(3);
    const search = await DartsSearch.create(space, s, weights, { optimizer: OPTIMIZER });
    expect(create).toHaveBeenCalledTimes(2);
    try {
      const alphaBefore = s.edges.map((_, e) => Array.from(s.alpha(e)));
      const loss = await search.weightStep(batch(16, 0), 0.05);
      expect(Number.isFinite(loss)).toBe(true);
      expect(s.edges.map((_, e) => Array.from(s.alpha(e)))).toEqual(alphaBefore);
      const conv = weights.snapshot('stem/conv.weight') as Float32Array;
      const momentum = weights.snapshot('stem/conv.weight#momentum') as Float32Array;
      expect(momentum.some((v) => v !== 0)).toBe(true);
      expect(weights.step).toBe(1);

      const arch = await search.archStep(batch(16, 16));
      expect(arch.correct).toBeGreaterThanOrEqual(0);
      expect(arch.correct).toBeLessThanOrEqual(16);
      expect(Array.from(weights.snapshot('stem/conv.weight') as Float32Array)).toEqual(Array.from(conv));
      expect(weights.step).toBe(1);
      // Every edge's alpha moved (each mixture reaches the loss), by about the learning rate (Adam).
      for (let e = 0; e < s.edges.length; e++) {
        const was = alphaBefore[e] as number[];
        const moved = Math.max(...Array.from(s.alpha(e), (v, i) => Math.abs(v - (was[i] as number))));
        expect(moved).toBeGreaterThan(0.005);
        expect(moved).toBeLessThan(0.011);
      }
    } finally {
      await search.dispose();
    }
    expect(dispose).toHaveBeenCalledTimes(2);
  });
});
