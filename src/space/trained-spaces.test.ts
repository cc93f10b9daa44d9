import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Sample } from '../core/types.js';
import { makeDataset, type Dataset } from '../data/dataset.js';
import { countParams } from '../graph/count.js';
import type { Graph } from '../graph/graph.js';
import { initParameters } from '../graph/init.js';
import { lowerInference } from '../graph/lower/index.js';
import { decodeModel } from '../graph/onnx/index.js';
import { trainEpochs } from '../runtime/train/index.js';
import { CellSpace } from './cell.js';
import { ChainSpace } from './chain.js';
import { MacroSpace } from './macro.js';
import { nb201SampleFromKey } from './nb201.js';
import { Nb201NetSpace } from './nb201-net.js';

/**
 * Every space that decodes to the network IR, at tiny sizes: its graphs lower to ONNX with exactly the
 * IR's parameters and train (forward, backward and update on ONNX Runtime). No whole-network
 * finite-difference check here: in float32, batch norm followed by ReLU or max pools puts kinks inside
 * any usable step (errors of 20-70% on gradients that PyTorch float64 confirms exact).
 */

const CLASSES = 3;
const INPUT = [1, 8, 8] as const;

type Case = { readonly space: SearchSpace<Graph>; readonly sample: Sample };

// Hand-picked samples that use every op of the space (and skips, concat merges, reductions).
const CASES: Record<string, Case> = {
  chain: {
    space: new ChainSpace({ input: [...INPUT], classes: CLASSES, convFilters: [4], fcSizes: [8] }),
    sample: {
      layer_0: 'conv',
      kernel_0: 3,
      layer_1: 'pool',
      pool_1: 'avg',
      layer_2: 'fc',
      layer_3: 'terminate',
    },
  },
  macro: {
    space: new MacroSpace({ input: [...INPUT], classes: CLASSES, channels: 3 }),
    sample: new MacroSpace({ input: [...INPUT], classes: CLASSES }).sampleFromKey(
      'conv3x3 sepconv3x3[0] avgpool3x3[1] conv5x5[0,2] sepconv5x5[3] maxpool3x3[1,4]',
    ),
  },
  'macro (add)': {
    space: new MacroSpace({ input: [...INPUT], classes: CLASSES, channels: 3, merge: 'add', layers: 4 }),
    sample: new MacroSpace({ input: [...INPUT], classes: CLASSES, layers: 4 }).sampleFromKey(
      'maxpool3x3 sepconv3x3[0] conv3x3[0] avgpool3x3[1,2]',
    ),
  },
  cell: {
    space: new CellSpace({ input: [...INPUT], classes: CLASSES, channels: 2, blocks: 2 }),
    sample: new CellSpace({ input: [...INPUT], classes: CLASSES, blocks: 2 }).sampleFromKey(
      'normal(sepconv3x3~0+identity~1|avgpool3x3~2+maxpool3x3~1) reduce(identity~0+sepconv5x5~1|maxpool3x3~0+avgpool3x3~2)',
    ),
  },
  'nb201-net': {
    space: new Nb201NetSpace({ input: [...INPUT], classes: CLASSES, channels: 2 }),
    sample: nb201SampleFromKey(
      '|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
    ),
  },
};

/** n images of INPUT's shape, smooth patterns whose label is which third of the image is brightest. */
function images(n: number, seed: number): Dataset {
  const [c, h, w] = INPUT;
  const size = c * h * w;
  const x = new Float32Array(n * size);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = (i + seed) % CLASSES;
    for (let p = 0; p < size; p++) {
      const col = p % w;
      x[i * size + p] = Math.sin(p * 0.7 + seed) * 0.3 + (Math.floor((col * CLASSES) / w) === y[i] ? 1 : 0);
    }
  }
  return makeDataset({
    source: `images-${seed}`,
    shape: [...INPUT],
    x,
    y,
    classes: ['a', 'b', 'c'],
    inputScale: 1,
  });
}

const names = Object.keys(CASES);

describe('spaces that build networks', () => {
  it.each(names)('%s: the IR parameters are exactly the ONNX initializers', (name) => {
    const { space, sample } = CASES[name] as Case;
    const g = space.decode(sample);
    const model = decodeModel(lowerInference(g, initParameters(g, new Rng(1))));
    const sizes = new Map(
      model.graph?.initializer?.map((t) => [t.name ?? '', (t.dims ?? []).reduce((a, b) => a * Number(b), 1)]),
    );
    for (const p of g.params) expect(sizes.get(p.name), p.name).toBe(p.shape.reduce((a, b) => a * b, 1));
    let trainable = 0;
    for (const p of g.params) if (p.trainable) trainable += sizes.get(p.name) as number;
    expect(trainable).toBe(countParams(g));
    // Nothing else sizeable: the remaining initializers are shape constants (reshape targets).
    const extra = [...sizes.keys()].filter((n) => !g.params.some((p) => p.name === n));
    expect(extra.every((n) => (sizes.get(n) as number) <= 4)).toBe(true);
    expect(countParams(g)).toBeGreaterThan(50);
  });

  it.each(names)('%s: builds and trains (two Adam steps on 4 images)', async (name) => {
    const { space, sample } = CASES[name] as Case;
    const g = space.decode(sample);
    const initial = initParameters(g, new Rng(5));
    const result = await trainEpochs(
      g,
      { train: images(4, 0), valid: images(2, 1) },
      {
        epochs: 2,
        batchSize: 4,
        optimizer: { kind: 'adam' },
        lr: 0.05,
        seed: 5,
        params: initial,
      },
    );
    expect(result.steps).toBe(2);
    const [first, second] = result.epochs.map((e) => e.trainLoss) as [number, number];
    expect(Number.isFinite(first) && Number.isFinite(second)).toBe(true);
    expect(Math.abs(second - first)).toBeGreaterThan(1e-4);
    // Every trainable tensor moved (a parameter cut off from the loss would keep its initial value).
    for (const p of g.params.filter((q) => q.trainable)) {
      const before = initial.get(p.name) as Float32Array;
      const after = result.params.get(p.name) as Float32Array;
      expect(
        after.some((v, i) => v !== before[i]),
        p.name,
      ).toBe(true);
    }
  });
});
