import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { CellSpace } from '../../space/cell.js';
import { validateSample } from '../../space/walk.js';
import { dartsEdges, dartsOps, discretize, NONE_OP, strongestOp } from './genotype.js';
import { DartsStrategy, dartsStrategy } from './darts.js';
import { context, flatSpace } from '../toy.testkit.js';

const space = new CellSpace({ input: [1, 8, 8], classes: 3, blocks: 3 });
const OPTIONS = dartsStrategy.options.parse({ epochs: 2 });

describe('darts genotype', () => {
  it('relaxes every (node, earlier node) pair of both cells; none comes first when searched', () => {
    const edges = dartsEdges(space.options);
    expect(edges).toHaveLength(2 * (2 + 3 + 4));
    expect(edges.slice(0, 3)).toEqual([
      { kind: 'normal', node: 2, input: 0 },
      { kind: 'normal', node: 2, input: 1 },
      { kind: 'normal', node: 3, input: 0 },
    ]);
    expect(dartsOps(space.options, true)).toEqual([NONE_OP, ...space.options.ops]);
    expect(dartsOps(space.options, false)).toEqual(space.options.ops);
  });

  it('an edge is as strong as its strongest op other than none, however strong none is', () => {
    const ops = ['none', 'identity', 'maxpool3x3'];
    expect(strongestOp([5, 1, 2], ops).op).toBe('maxpool3x3');
    const w = strongestOp([5, 1, 2], ops).weight;
    expect(w).toBeCloseTo(Math.exp(2) / (Math.exp(5) + Math.exp(1) + Math.exp(2)), 12);
    expect(strongestOp([0, 0, 0], ops).op).toBe('identity'); // a tie: the first
  });

  it('keeps, per block, the two strongest edges with their argmax ops: a valid cell-space sample', () => {
    const edges = dartsEdges(space.options);
    const ops = dartsOps(space.options, true);
    const op = (name: string): number => ops.indexOf(name);
    // Every edge is mostly none; each block's chosen edges get a clear favourite op.
    const favourite = new Map<string, [string, number]>([
      ['normal/2/1', ['sepconv5x5', 3]],
      ['normal/2/0', ['avgpool3x3', 2]],
      ['normal/3/2', ['identity', 3]],
      ['normal/3/0', ['maxpool3x3', 2.5]],
      ['normal/4/3', ['sepconv3x3', 2]],
      ['normal/4/1', ['sepconv3x3', 1.5]],
      ['reduce/2/0', ['maxpool3x3', 2]],
      ['reduce/2/1', ['maxpool3x3', 1]],
      ['reduce/3/1', ['identity', 2]],
      ['reduce/3/2', ['avgpool3x3', 1]],
      ['reduce/4/0', ['sepconv5x5', 2]],
      ['reduce/4/2', ['identity', 1]],
    ]);
    const alpha = edges.map((e) => {
      const a = new Float64Array(ops.length);
      a[op(NONE_OP)] = 4;
      const f = favourite.get(`${e.kind}/${e.node}/${e.input}`);
      if (f !== undefined) a[op(f[0])] = f[1];
      return a;
    });
    const sample = discretize(edges, ops, (e) => alpha[e] as Float64Array);
    expect(() => validateSample(space, sample)).not.toThrow();
    expect(space.key(sample)).toBe(
      'normal(avgpool3x3~0+sepconv5x5~1|maxpool3x3~0+identity~2|sepconv3x3~1+sepconv3x3~3) ' +
        'reduce(maxpool3x3~0+maxpool3x3~1|identity~1+avgpool3x3~2|sepconv5x5~0+identity~2)',
    );
    expect(sample['normal_2_in1']).toBe(1); // the stronger edge first
    expect(space.sampleFromKey(space.key(sample))).toBeDefined();
  });
});

describe('darts strategy', () => {
  it('proposes the current discretisation for each epoch, then for retraining, one at a time', async () => {
    const s = new DartsStrategy(space, OPTIONS, new Rng(1));
    expect(() => s.plan()).toThrow(ConfigError);
    const first = await s.ask(context(space, 0));
    expect(first.kind).toBe('trial');
    expect(s.plan()).toEqual({ phase: 'search', epoch: 0, epochs: 2 });
    expect((await s.ask(context(space, 1))).kind).toBe('wait');
    await s.ask(context(space, 0));
    expect(s.plan()).toEqual({ phase: 'search', epoch: 1, epochs: 2 });
    const last = await s.ask(context(space, 0));
    expect(s.plan()).toEqual({ phase: 'retrain' });
    expect(last).toEqual({ kind: 'trial', sample: s.genotype() });
    expect((await s.ask(context(space, 0))).kind).toBe('done');
  });

  it('learn: Adam with L2 moves alpha against the gradient; state and restore continue exactly', () => {
    const s = new DartsStrategy(space, OPTIONS, new Rng(2));
    const size = s.edges.length * s.ops.length;
    expect(Math.max(...Array.from(s.alpha(0), Math.abs))).toBeLessThan(0.01); // 1e-3 N(0, 1)
    const grad = new Float64Array(size);
    grad[1] = 1; // d loss / d alpha of edge 0's second op
    const before = s.alpha(0)[1] as number;
    s.learn(grad);
    // Adam's first step moves by lr whatever the gradient's size.
    expect((s.alpha(0)[1] as number) - before).toBeCloseTo(-OPTIONS.archLr, 6);
    const saved = s.state();
    const copy = new DartsStrategy(space, OPTIONS, new Rng(99));
    copy.restore(JSON.parse(JSON.stringify(saved)));
    s.learn(grad);
    copy.learn(grad);
    expect(Array.from(copy.alpha(0))).toEqual(Array.from(s.alpha(0)));
    expect(() => s.learn(new Float64Array(3))).toThrow(RangeError);
  });

  it('refuses a space other than cell', () => {
    expect(() =>
      dartsStrategy.create({ space: flatSpace(2, [1, 2]), options: OPTIONS, rng: new Rng(0) }),
    ).toThrow(/set space: \{ type: cell/);
  });
});
