import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../core/errors.js';
import { GraphBuilder } from '../builder.js';
import type { Graph } from '../graph.js';
import { smallCnn } from '../networks.testkit.js';
import { BATCH, type Value } from '../types.js';
import { gradientName } from './context.js';
import { dataFor, gradCheck, randomParams } from './gradcheck.testkit.js';
import { buildTrainingGradients } from './training.js';

/** x [N, 2, 4, 4] -> conv -> `op` -> flatten -> dense 3 -> loss. */
function withOp(op: (b: GraphBuilder, v: Value) => Value): Graph {
  const b = new GraphBuilder();
  const x = b.input('x', [BATCH, 2, 4, 4]);
  const h = op(b, b.conv2d(x, { name: 'c1', outChannels: 2, kernel: 3, padding: 1 }));
  const logits = b.dense(b.flatten(h), { name: 'head', outFeatures: 3 });
  return b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
}

describe('buildTrainingGradients: the model', () => {
  it('takes the data and every trainable parameter as inputs and outputs the loss and their gradients', () => {
    const g = smallCnn();
    const { model, loss, params } = buildTrainingGradients(g, { loss: 'loss' });
    const spec = model.spec();
    const names = params.map((p) => p.name);
    expect(names).toEqual([
      'conv1.weight',
      'conv1.bias',
      'conv2.weight',
      'conv2.bias',
      'fc.weight',
      'fc.bias',
    ]);
    expect(spec.inputs.map((i) => i.name)).toEqual(['x', 'labels', ...names]);
    expect(spec.initializers.map((i) => i.name)).not.toContain('conv1.weight');
    expect(loss).toBe('loss');
    expect(spec.outputs.map((o) => o.name)).toEqual(['loss', ...names.map(gradientName)]);
    // conv1 reads the data, which needs no gradient: no ConvTranspose for it, one for conv2.
    expect(spec.nodes.filter((n) => n.opType === 'ConvTranspose').map((n) => n.name)).toEqual(['conv2.d.dx']);
    expect(() => model.validate()).not.toThrow();
  });

  it('names a loss that is not a node, or not a scalar', () => {
    const g = smallCnn();
    expect(() => buildTrainingGradients(g, { loss: 'nope' })).toThrow(NotFoundError);
    expect(() => buildTrainingGradients(g, { loss: 'fc' })).toThrow(/must be a float32 scalar.*dense/);
  });

  it('accepts batchNorm (training mode): buffers are inputs and their updates outputs, no gradients', () => {
    const g = withOp((b, v) => b.batchNorm(v, { name: 'bn' }));
    const { model, params, buffers } = buildTrainingGradients(g, { loss: 'loss' });
    const spec = model.spec();
    expect(params.map((p) => p.name)).toContain('bn.gamma');
    expect(params.map((p) => p.name)).toContain('bn.beta');
    expect(buffers.map((b) => [b.spec.name, b.next])).toEqual([
      ['bn.runningMean', 'bn.runningMean.next'],
      ['bn.runningVar', 'bn.runningVar.next'],
    ]);
    expect(spec.inputs.map((i) => i.name).slice(-2)).toEqual(['bn.runningMean', 'bn.runningVar']);
    expect(spec.outputs.map((o) => o.name)).not.toContain(gradientName('bn.runningMean'));
    expect(spec.outputs.map((o) => o.name).slice(-2)).toEqual(['bn.runningMean.next', 'bn.runningVar.next']);
    // Batch statistics, not the running ones: BatchNormalization nodes (the one-pass normalisation and
    // the gradient's per-channel affine map) never read a running statistic.
    const bnInputs = spec.nodes.filter((n) => n.opType === 'BatchNormalization').flatMap((n) => n.inputs);
    expect(bnInputs).not.toContain('bn.runningMean');
    expect(bnInputs).not.toContain('bn.runningVar');
    expect(() => model.validate()).not.toThrow();
  });

  it('accepts avgPool, concat, zero and dropout', () => {
    for (const make of [
      (b: GraphBuilder, v: Value) => b.avgPool(v, { kernel: 3, stride: 2, padding: 1 }),
      (b: GraphBuilder, v: Value) => b.concat([v, v]),
      (b: GraphBuilder, v: Value) => b.add([v, b.zero(v)]),
      (b: GraphBuilder, v: Value) => b.dropout(v, { rate: 0 }),
      (b: GraphBuilder, v: Value) => b.dropout(v, { rate: 0.5 }),
    ]) {
      const { model } = buildTrainingGradients(withOp(make), { loss: 'loss' });
      expect(() => model.validate()).not.toThrow();
    }
  });

  it('gives exactly zero gradients to parameters only a zero node leads from', async () => {
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 2, 3, 3]);
    const dead = b.conv2d(x, { name: 'dead', outChannels: 2, kernel: 1 });
    const live = b.conv2d(x, { name: 'live', outChannels: 2, kernel: 1 });
    const logits = b.dense(b.flatten(b.add([live, b.zero(dead)])), { name: 'head', outFeatures: 3 });
    const g = b.build([b.softmaxCrossEntropy(logits, b.input('labels', [BATCH], 'int64'), { name: 'loss' })]);
    const r = await gradCheck(g, 'loss', dataFor(g, 2, 3, 1), randomParams(g, 2));
    expect(r.scales['dead.weight']).toBe(0);
    expect(r.scales['dead.bias']).toBe(0);
    for (const name of ['live.weight', 'live.bias', 'head.weight', 'head.bias']) {
      expect(r.scales[name]).toBeGreaterThan(1e-3);
      expect(r.errors[name]).toBeLessThan(5e-3);
    }
  });

  it('takes the rank + MaxUnpool path for tiling max pools and MaxPool Indices + ScatterElements for the others', () => {
    const opsFor = (kernel: number, stride: number, padding: number): string[] => {
      const g = withOp((b, v) => b.maxPool(v, { name: 'p', kernel, stride, padding }));
      const { model } = buildTrainingGradients(g, { loss: 'loss' });
      expect(() => model.validate()).not.toThrow();
      return model.spec().nodes.map((n) => n.opType);
    };
    const tiling = opsFor(2, 2, 0);
    expect(tiling.filter((op) => op === 'MaxPool')).toHaveLength(2);
    expect(tiling).toContain('MaxUnpool');
    expect(tiling).not.toContain('ScatterElements');
    for (const [kernel, stride, padding] of [
      [3, 2, 1],
      [2, 1, 0],
      [2, 2, 1],
    ] as const) {
      const general = opsFor(kernel, stride, padding);
      expect(general).toContain('ScatterElements');
      expect(general).not.toContain('MaxUnpool');
    }
  });

  it("fuses a ReLU into the max pool that alone reads it: the mask is applied at the pool's output size", () => {
    const relusOf = (body: (b: GraphBuilder, v: Value) => Value): string[] => {
      const { model } = buildTrainingGradients(withOp(body), { loss: 'loss' });
      expect(() => model.validate()).not.toThrow();
      return model
        .spec()
        .nodes.filter((n) => n.opType === 'Greater' || n.opType === 'Sign')
        .map((n) => n.name);
    };
    // conv-relu-pool: the pool masks (p.d.reluMask), the ReLU rule emits no full-size mask.
    expect(relusOf((b, v) => b.maxPool(b.relu(v, { name: 'r' }), { name: 'p', kernel: 2 }))).toEqual([
      'p.d.reluMask',
    ]);
    // Overlapping windows (the scatter path) fuse too.
    expect(
      relusOf((b, v) => b.maxPool(b.relu(v, { name: 'r' }), { name: 'p', kernel: 3, stride: 2, padding: 1 })),
    ).toEqual(['p.d.reluMask']);
    // A ReLU read by the pool and by another node keeps its own mask (its gradient is a sum).
    expect(
      relusOf((b, v) => {
        const r = b.relu(v, { name: 'r' });
        return b.add([b.maxPool(r, { name: 'p', kernel: 1 }), r]);
      }),
    ).toEqual(['r.d.positive']);
    // A ReLU read by something else than a max pool: its own mask.
    expect(relusOf((b, v) => b.avgPool(b.relu(v, { name: 'r' }), { name: 'p', kernel: 2 }))).toEqual([
      'r.d.positive',
    ]);
  });
});
