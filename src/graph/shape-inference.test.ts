import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.js';
import { BATCH, type Shape, type Value } from './types.js';

function image(c: number, h: number, w = h): { b: GraphBuilder; x: Value } {
  const b = new GraphBuilder();
  return { b, x: b.input('x', [BATCH, c, h, w]) };
}

describe('conv2d shape inference', () => {
  const cases: [string, number, Parameters<GraphBuilder['conv2d']>[1], Shape][] = [
    ['3x3 pad 1 keeps the size', 28, { outChannels: 16, kernel: 3, padding: 1 }, [BATCH, 16, 28, 28]],
    ['3x3 no padding shrinks by 2', 28, { outChannels: 8, kernel: 3 }, [BATCH, 8, 26, 26]],
    ['stride 2 pad 1 halves', 28, { outChannels: 4, kernel: 3, stride: 2, padding: 1 }, [BATCH, 4, 14, 14]],
    ['stride floors', 7, { outChannels: 4, kernel: 3, stride: 2 }, [BATCH, 4, 3, 3]],
    ['stride beyond the input', 3, { outChannels: 2, kernel: 1, stride: 4 }, [BATCH, 2, 1, 1]],
    ['kernel equal to the input', 3, { outChannels: 2, kernel: 3 }, [BATCH, 2, 1, 1]],
    [
      'kernel bigger than input, fits with padding',
      3,
      { outChannels: 2, kernel: 5, padding: 1 },
      [BATCH, 2, 1, 1],
    ],
    ['dilation 2 spans 5', 7, { outChannels: 2, kernel: 3, dilation: 2 }, [BATCH, 2, 3, 3]],
    ['dilation 2 pad 2 keeps', 7, { outChannels: 2, kernel: 3, dilation: 2, padding: 2 }, [BATCH, 2, 7, 7]],
    [
      'asymmetric kernel and padding',
      9,
      { outChannels: 2, kernel: [1, 7], padding: [0, 3] },
      [BATCH, 2, 9, 9],
    ],
    ['rectangular stride', 8, { outChannels: 2, kernel: 1, stride: [1, 2] }, [BATCH, 2, 8, 4]],
    ['same, stride 1', 28, { outChannels: 3, kernel: 3, padding: 'same' }, [BATCH, 3, 28, 28]],
    ['same, even kernel', 8, { outChannels: 3, kernel: 4, padding: 'same' }, [BATCH, 3, 8, 8]],
    [
      'same, stride 2, even input',
      8,
      { outChannels: 3, kernel: 3, stride: 2, padding: 'same' },
      [BATCH, 3, 4, 4],
    ],
    [
      'same, stride 2, odd input',
      7,
      { outChannels: 3, kernel: 3, stride: 2, padding: 'same' },
      [BATCH, 3, 4, 4],
    ],
    ['same, dilated', 10, { outChannels: 3, kernel: 3, dilation: 2, padding: 'same' }, [BATCH, 3, 10, 10]],
  ];
  it.each(cases)('%s', (_label, size, options, expected) => {
    const { b, x } = image(4, size);
    expect(b.conv2d(x, options).shape).toEqual(expected);
  });

  it("resolves 'same' to explicit ONNX pads with the odd pixel at the end", () => {
    const { b, x } = image(1, 8);
    b.conv2d(x, { name: 'even', outChannels: 1, kernel: 4, padding: 'same' });
    b.conv2d(x, { name: 's2', outChannels: 1, kernel: 3, stride: 2, padding: 'same' });
    const g = b.build([x]);
    const pads = (name: string): unknown => {
      const n = g.node(name);
      return n?.op === 'conv2d' ? n.attrs.pads : undefined;
    };
    expect(pads('even')).toEqual([1, 1, 2, 2]);
    expect(pads('s2')).toEqual([0, 0, 1, 1]);
  });

  it('groups: grouped, depthwise and the weight shapes', () => {
    const { b, x } = image(16, 8);
    b.conv2d(x, { name: 'grouped', outChannels: 32, kernel: 3, padding: 1, groups: 4 });
    b.conv2d(x, { name: 'dw', outChannels: 16, kernel: 3, padding: 1, groups: 16, bias: false });
    b.conv2d(x, { name: 'dwx2', outChannels: 32, kernel: 5, padding: 2, groups: 16, bias: false });
    const g = b.build([x]);
    expect(g.node('grouped')?.params.map((p) => [p.name, p.shape])).toEqual([
      ['grouped.weight', [32, 4, 3, 3]],
      ['grouped.bias', [32]],
    ]);
    expect(g.node('dw')?.params.map((p) => p.shape)).toEqual([[16, 1, 3, 3]]);
    expect(g.node('dwx2')?.output.shape).toEqual([BATCH, 32, 8, 8]);
    expect(g.node('dwx2')?.params[0]?.init).toEqual({ kind: 'he-normal', fanIn: 25 });
  });

  it('keeps a fixed batch size', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [64, 3, 32, 32]);
    expect(b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1 }).shape).toEqual([64, 8, 32, 32]);
  });
});

describe('pooling shape inference', () => {
  it('maxPool: default stride = kernel, floor on odd sizes', () => {
    const { b, x } = image(16, 28);
    const p1 = b.maxPool(x, { kernel: 2 });
    expect(p1.shape).toEqual([BATCH, 16, 14, 14]);
    expect(b.maxPool(b.maxPool(p1, { kernel: 2 }), { kernel: 2 }).shape).toEqual([BATCH, 16, 3, 3]);
  });

  it('overlapping 3x3 stride 2, with and without padding', () => {
    const { b, x } = image(8, 32);
    expect(b.maxPool(x, { kernel: 3, stride: 2, padding: 1 }).shape).toEqual([BATCH, 8, 16, 16]);
    const { b: b2, x: x2 } = image(8, 13);
    expect(b2.maxPool(x2, { kernel: 3, stride: 2 }).shape).toEqual([BATCH, 8, 6, 6]);
  });

  it('avgPool keeps the size at 3x3 stride 1 pad 1 and records countIncludePad', () => {
    const { b, x } = image(8, 10);
    const y = b.avgPool(x, { name: 'ap', kernel: 3, stride: 1, padding: 1 });
    b.avgPool(x, { name: 'inc', kernel: 3, stride: 1, padding: 1, countIncludePad: true });
    const g = b.build([y]);
    expect(y.shape).toEqual([BATCH, 8, 10, 10]);
    expect(g.node('ap')?.attrs).toEqual({
      kernel: [3, 3],
      stride: [1, 1],
      pads: [1, 1, 1, 1],
      countIncludePad: false,
    });
    expect(g.node('inc')?.attrs).toMatchObject({ countIncludePad: true });
  });

  it("'same' pooling, and global average pooling to 1x1", () => {
    const { b, x } = image(8, 7);
    expect(b.maxPool(x, { kernel: 2, padding: 'same' }).shape).toEqual([BATCH, 8, 4, 4]);
    expect(b.globalAvgPool(x).shape).toEqual([BATCH, 8, 1, 1]);
  });
});

describe('other ops', () => {
  it('batchNorm keeps the shape, has 2 trainable params and 2 buffers per channel', () => {
    const { b, x } = image(6, 5);
    const y = b.batchNorm(x, { name: 'bn' });
    const g = b.build([y]);
    expect(y.shape).toEqual(x.shape);
    expect(g.node('bn')?.params.map((p) => [p.name, p.shape, p.init.kind, p.trainable])).toEqual([
      ['bn.gamma', [6], 'ones', true],
      ['bn.beta', [6], 'zeros', true],
      ['bn.runningMean', [6], 'zeros', false],
      ['bn.runningVar', [6], 'ones', false],
    ]);
    expect(g.node('bn')?.attrs).toEqual({ epsilon: 1e-5, momentum: 0.1 });
    const f = b.flatten(x);
    expect(b.batchNorm(f).shape).toEqual([BATCH, 150]);
  });

  it('relu, identity, zero and dropout keep the shape', () => {
    const { b, x } = image(3, 4);
    for (const y of [b.relu(x), b.identity(x), b.zero(x), b.dropout(x, { rate: 0.5 })]) {
      expect(y.shape).toEqual(x.shape);
      expect(y.dtype).toBe('float32');
    }
  });

  it('add of equal shapes, concat sums channels', () => {
    const { b, x } = image(3, 4);
    const y = b.conv2d(x, { outChannels: 5, kernel: 1 });
    expect(b.add([x, x, x]).shape).toEqual([BATCH, 3, 4, 4]);
    expect(b.concat([x, y, x]).shape).toEqual([BATCH, 11, 4, 4]);
    expect(b.concat([b.flatten(x), b.flatten(y)]).shape).toEqual([BATCH, 128]);
  });

  it('flatten, reshape (with -1) and dense', () => {
    const { b, x } = image(32, 7);
    const f = b.flatten(x);
    expect(f.shape).toEqual([BATCH, 1568]);
    expect(b.reshape(f, { shape: [32, 7, 7] }).shape).toEqual([BATCH, 32, 7, 7]);
    expect(b.reshape(x, { shape: [-1, 49] }).shape).toEqual([BATCH, 32, 49]);
    const d = b.dense(f, { name: 'fc', outFeatures: 10 });
    expect(d.shape).toEqual([BATCH, 10]);
    const g = b.build([d]);
    expect(g.node('fc')?.params.map((p) => [p.name, p.shape, p.init])).toEqual([
      ['fc.weight', [1568, 10], { kind: 'he-normal', fanIn: 1568 }],
      ['fc.bias', [10], { kind: 'zeros' }],
    ]);
  });

  it('softmaxCrossEntropy: logits [N,K] and int64 labels [N] give a scalar', () => {
    const b = new GraphBuilder();
    const x = b.input('x', [BATCH, 20]);
    const labels = b.input('labels', [BATCH], 'int64');
    const loss = b.softmaxCrossEntropy(b.dense(x, { outFeatures: 10 }), labels);
    expect(loss).toMatchObject({ shape: [], dtype: 'float32' });
  });

  it('names nodes op_k by default and params <node>.<role>', () => {
    const { b, x } = image(1, 4);
    const c1 = b.conv2d(x, { outChannels: 2, kernel: 3 });
    b.relu(c1, { name: 'conv2d_2' });
    const c3 = b.conv2d(c1, { outChannels: 2, kernel: 1 });
    expect([c1.name, c3.name]).toEqual(['conv2d_1', 'conv2d_3']);
    expect(b.build([c3]).params.map((p) => p.name)).toEqual([
      'conv2d_1.weight',
      'conv2d_1.bias',
      'conv2d_3.weight',
      'conv2d_3.bias',
    ]);
  });
});
