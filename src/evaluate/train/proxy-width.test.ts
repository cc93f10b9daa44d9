import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import { countFlops, countParams } from '../../graph/count.js';
import type { Graph } from '../../graph/graph.js';
import { CellSpace } from '../../space/cell.js';
import { ChainSpace } from '../../space/chain.js';
import { MacroSpace } from '../../space/macro.js';
import { Nb201NetSpace } from '../../space/nb201-net.js';
import { randomSample } from '../../space/walk.js';
import { parseTrainEvaluatorConfig } from './config.js';
import { narrowGraph, scaledWidth } from './proxy-width.js';

const INPUT: [number, number, number] = [1, 12, 12];

/** Every conv's output channels and every dense layer's units, in node order. */
function widths(g: Graph): { name: string; width: number }[] {
  return g.nodes.flatMap((n) =>
    n.op === 'conv2d'
      ? [{ name: n.name, width: n.attrs.outChannels }]
      : n.op === 'dense'
        ? [{ name: n.name, width: n.attrs.outFeatures }]
        : [],
  );
}

const SPACES: Record<string, SearchSpace<Graph>> = {
  chain: new ChainSpace({
    input: INPUT,
    classes: 10,
    convFilters: [16, 32, 64],
    fcSizes: [128],
    maxLayers: 5,
  }),
  macro: new MacroSpace({ input: INPUT, classes: 10, channels: 8, layers: 4 }),
  'macro (add)': new MacroSpace({ input: INPUT, classes: 10, channels: 8, layers: 4, merge: 'add' }),
  cell: new CellSpace({ input: INPUT, classes: 10, channels: 8, blocks: 2 }),
  'nb201-net': new Nb201NetSpace({ input: INPUT, classes: 10, channels: 8 }),
};

describe('narrowGraph', () => {
  it('rounds widths and keeps at least one unit', () => {
    expect([16, 32, 64, 128, 3, 1].map((w) => scaledWidth(w, 0.5))).toEqual([8, 16, 32, 64, 2, 1]);
    expect(scaledWidth(1, 0.25)).toBe(1);
  });

  it('narrows a chain network layer by layer, the classifier excepted', () => {
    const space = SPACES['chain']!;
    const sample = {
      layer_0: 'conv',
      filters_0: 32,
      kernel_0: 3,
      stride_0: 1,
      layer_1: 'pool',
      pool_1: 'max',
      window_1: 2,
      layer_2: 'conv',
      filters_2: 64,
      kernel_2: 3,
      stride_2: 1,
      layer_3: 'fc',
      units_3: 128,
      layer_4: 'terminate',
    };
    const full = space.decode(sample);
    const narrow = narrowGraph(full, 0.5);
    const before = widths(full);
    const after = widths(narrow);
    expect(after.map((w) => w.name)).toEqual(before.map((w) => w.name));
    // The last one is the classifier (10 classes).
    expect(before.map((w) => w.width)).toEqual([32, 64, 128, 10]);
    expect(after.map((w) => w.width)).toEqual([16, 32, 64, 10]);
    expect(countParams(narrow)).toBeLessThan(countParams(full) / 2.5);
    expect(countFlops(narrow)).toBeLessThan(countFlops(full) / 2.5);
    expect(narrow.outputs.map((o) => o.shape)).toEqual(full.outputs.map((o) => o.shape));
    expect(narrowGraph(full, 1)).toBe(full);
  });

  it.each(Object.keys(SPACES))(
    '%s: random networks narrow at 0.5 and 0.25 and keep their outputs',
    (name) => {
      const space = SPACES[name]!;
      const rng = new Rng(7);
      for (let i = 0; i < 5; i++) {
        const full = space.decode(randomSample(space, rng));
        for (const m of [0.5, 0.25]) {
          const narrow = narrowGraph(full, m);
          expect(narrow.outputs.map((o) => o.shape)).toEqual(full.outputs.map((o) => o.shape));
          expect(narrow.nodes.map((n) => n.op)).toEqual(full.nodes.map((n) => n.op));
          const wide = widths(full);
          widths(narrow).forEach((w, j) => {
            const isHead = j === wide.length - 1;
            expect(w.width).toBe(isHead ? wide[j]!.width : scaledWidth(wide[j]!.width, m));
          });
          // A network of pools alone has only its classifier to train: nothing to narrow.
          if (wide.length > 1) expect(countParams(narrow)).toBeLessThan(countParams(full));
        }
      }
    },
  );
});

describe('proxy settings of the train evaluator', () => {
  const data = { type: 'fashion-mnist' };
  const parse = (extra: object) => parseTrainEvaluatorConfig({ type: 'train', data, ...extra }, 'x.yaml');

  it('default to the full task: all data, full width', () => {
    expect(parse({})).toMatchObject({ dataFraction: 1, epochs: 2 });
    expect(parse({}).widthMultiplier).toBeUndefined();
    expect(parse({ epochs: 3, dataFraction: 0.15, widthMultiplier: 0.5 })).toMatchObject({
      epochs: 3,
      dataFraction: 0.15,
      widthMultiplier: 0.5,
    });
  });

  it('refuse a multiplier outside (0, 1], naming the field', () => {
    expect(() => parse({ widthMultiplier: 0 })).toThrow(/evaluator\.widthMultiplier/);
    expect(() => parse({ widthMultiplier: 1.5 })).toThrow(/evaluator\.widthMultiplier/);
  });
});
