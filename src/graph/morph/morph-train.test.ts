import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { makeDataset, type Dataset } from '../../data/dataset.js';
import { Session } from '../../runtime/session.js';
import { trainEpochs } from '../../runtime/train/index.js';
import { buildTrainingGradients } from '../autodiff/training.js';
import { float32, int64, type TensorData } from '../onnx/index.js';
import { lowerInference } from '../lower/index.js';
import { applyMorphs, morphCandidates, type MorphSpec } from './apply.js';
import { deepen } from './deepen.js';
import { channelStatistics } from './statistics.js';
import { INPUT, chainNet, expectSameFunction, macroNet, randomInput } from './morph.testkit.js';
import type { Net } from './net.js';

const CHAIN = 'C(4,3,1)-C(6,1,1)-P(max,2,2)-FC(8)-T';
const MACRO = 'conv3x3 sepconv3x3[0] conv5x5[0,1] maxpool3x3[2]';

/** The chain network grown by one of each transformation, as a controller would chain them. */
const GROW: readonly MorphSpec[] = [
  { kind: 'widen', layer: 'conv_0', width: 7, noise: 0.05 },
  { kind: 'deepen', after: 'relu_0', kernel: 3 },
  { kind: 'split', layer: 'conv_1', merge: 'add' },
  { kind: 'widen', layer: 'fc_3', width: 12 },
  { kind: 'split', layer: 'relu_0/deeper/conv', merge: 'concat', branches: 3 },
];

/** Training-mode loss (batch norm on the batch's statistics) of one batch, through the autodiff model. */
async function trainingLoss(net: Net, x: Float32Array, labels: number[]): Promise<number> {
  const { model, loss } = buildTrainingGradients(net.graph, { loss: 'loss' });
  const session = await Session.create(model.toBytes());
  try {
    const feeds: Record<string, TensorData> = {
      x: float32([labels.length, ...INPUT], x),
      labels: int64([labels.length], labels),
    };
    for (const p of net.graph.params) {
      if (session.inputNames.includes(p.name))
        feeds[p.name] = float32(p.shape, net.params.get(p.name) as Float32Array);
    }
    const out = await session.run(feeds, [loss]);
    return out[loss]?.data[0] as number;
  } finally {
    await session.dispose();
  }
}

/** 24 random 1x8x8 images in 3 classes (the class is the sign pattern of two pixels: learnable). */
function tinyImages(seed: number): Dataset {
  const n = 24;
  const x = randomInput(n, seed);
  const size = INPUT[0] * INPUT[1] * INPUT[2];
  const y = Int32Array.from(
    { length: n },
    (_, i) => ((x[i * size] as number) > 0 ? 1 : 0) + ((x[i * size + 9] as number) > 0 ? 1 : 0),
  );
  return makeDataset({
    source: `tiny-${seed}`,
    shape: [...INPUT],
    x,
    y,
    classes: ['a', 'b', 'c'],
    inputScale: 1,
  });
}

describe('a chain of transformations', () => {
  it('composes: the grown network still computes the parent function, and replays exactly', async () => {
    const parent = chainNet(CHAIN, true);
    const child = applyMorphs(parent.graph, parent.params, GROW, new Rng(9));
    const again = applyMorphs(parent.graph, parent.params, GROW, new Rng(9));
    expect(again.graph.toJSON()).toEqual(child.graph.toJSON());
    expect([...again.params.entries()]).toEqual([...child.params.entries()]);
    expect(child.graph.params.length).toBeGreaterThan(parent.graph.params.length);
    await expectSameFunction(parent, child);
  });

  it('widen and split keep the training-mode loss too (batch norm on batch statistics)', async () => {
    const x = randomInput(6, 11);
    const labels = [0, 1, 2, 2, 1, 0];
    const cases: [Net, MorphSpec[]][] = [
      [
        chainNet(CHAIN, true),
        [
          { kind: 'widen', layer: 'conv_0', width: 7, noise: 0.05 },
          { kind: 'split', layer: 'conv_1', merge: 'add' },
          { kind: 'split', layer: 'conv_0', merge: 'concat' },
        ],
      ],
      [
        macroNet(MACRO, 'add'),
        [
          { kind: 'widen', layer: 'l2/conv5x5/conv', width: 10 },
          { kind: 'split', layer: 'l0/conv3x3/conv', merge: 'add', branches: 3 },
        ],
      ],
    ];
    for (const [net, specs] of cases) {
      const child = applyMorphs(net.graph, net.params, specs, new Rng(3));
      const [a, b] = [await trainingLoss(net, x, labels), await trainingLoss(child, x, labels)];
      expect(Math.abs(a - b)).toBeLessThan(1e-4);
    }
  });

  it('deepen with measured statistics: the new batch norm is the identity on that batch in training mode', async () => {
    // No batch norm before the insertion point, so the inference pass sees training mode's activations.
    const net = chainNet(CHAIN, false);
    const x = randomInput(6, 12);
    const labels = [2, 1, 0, 0, 1, 2];
    const session = await Session.create(lowerInference(net.graph, net.params, { outputs: ['relu_0'] }));
    const acts = await session.run({ x: float32([6, ...INPUT], x) }).finally(() => session.dispose());
    const value = acts['relu_0'] as TensorData;
    const statistics = channelStatistics(value.data as Float32Array, value.dims);
    const measured = deepen(net.graph, net.params, 'relu_0', { batchNorm: true, statistics });
    const plain = deepen(net.graph, net.params, 'relu_0', { batchNorm: true });
    const parentLoss = await trainingLoss(net, x, labels);
    expect(Math.abs((await trainingLoss(measured, x, labels)) - parentLoss)).toBeLessThan(1e-4);
    // Without them the norm standardises the batch in training mode: a different function.
    expect(Math.abs((await trainingLoss(plain, x, labels)) - parentLoss)).toBeGreaterThan(1e-3);
  });

  it('the grown network trains from the inherited weights (one epoch, finite loss)', async () => {
    const parent = chainNet(CHAIN, true);
    const child = applyMorphs(parent.graph, parent.params, GROW, new Rng(9));
    const result = await trainEpochs(
      child.graph,
      { train: tinyImages(1), valid: tinyImages(2) },
      {
        epochs: 1,
        batchSize: 8,
        optimizer: { kind: 'adam' },
        lr: 0.01,
        seed: 1,
        params: child.params,
      },
    );
    const [epoch] = result.epochs;
    expect(Number.isFinite(epoch?.trainLoss)).toBe(true);
    expect(result.steps).toBe(3);
    // The weights moved from the inherited ones.
    expect(result.params.get('conv_0.weight')).not.toEqual(child.params.get('conv_0.weight'));
  });

  it('lists the candidates of each transformation', () => {
    const c = morphCandidates(macroNet(MACRO, 'concat').graph);
    expect(c.widen).toContain('l0/conv3x3/conv');
    expect(c.split).toContain('logits');
    expect(c.deepen.find((p) => p.name === 'l0/conv3x3/relu')?.nonNegative).toBe(true);
  });
});
