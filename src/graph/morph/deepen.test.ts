import { describe, expect, it } from 'vitest';
import { deepen, deepenPoints, nonNegative } from './deepen.js';
import { chainNet, expectSameFunction, macroNet } from './morph.testkit.js';

const CHAIN = 'C(4,3,1)-C(6,1,1)-P(max,2,2)-FC(8)-T';
const MACRO = 'conv3x3 sepconv3x3[0] conv5x5[0,1] maxpool3x3[2]';

describe('deepen (Net2DeeperNet) preserves the function', () => {
  it('chain: an identity conv + relu after a relu', async () => {
    const parent = chainNet(CHAIN, false);
    const child = deepen(parent.graph, parent.params, 'relu_0');
    const conv = child.graph.node('relu_0/deeper/conv');
    expect(conv?.op === 'conv2d' && [conv.attrs.outChannels, conv.attrs.kernel]).toEqual([4, [3, 3]]);
    expect(child.graph.node('relu_0/deeper/relu')?.inputs).toEqual(['relu_0/deeper/conv']);
    expect(child.graph.node('conv_1')?.inputs).toEqual(['relu_0/deeper/relu']);
    await expectSameFunction(parent, child);
  });

  it('chain: conv + batch norm + relu, the norm the identity at inference', async () => {
    const parent = chainNet(CHAIN, true);
    const child = deepen(parent.graph, parent.params, 'relu_1', { batchNorm: true, kernel: 5 });
    expect(child.graph.node('relu_1/deeper/conv')?.params.map((p) => p.role)).toEqual(['weight']);
    expect(Array.from(child.params.get('relu_1/deeper/bn.runningVar') as Float32Array)).toEqual(
      new Array(6).fill(1),
    );
    await expectSameFunction(parent, child);
  });

  it('a batch norm given the value statistics undoes them (identity at inference)', async () => {
    const parent = chainNet(CHAIN, true);
    const statistics = { mean: [0.5, 1, 0.2, 3], variance: [0.25, 4, 1, 9] };
    const child = deepen(parent.graph, parent.params, 'relu_0', { batchNorm: true, statistics });
    const gamma = Array.from(child.params.get('relu_0/deeper/bn.gamma') as Float32Array);
    expect(gamma[3]).toBeCloseTo(Math.sqrt(9 + 1e-5), 6);
    expect(Array.from(child.params.get('relu_0/deeper/bn.beta') as Float32Array)).toEqual(
      Array.from(Float32Array.from(statistics.mean)),
    );
    await expectSameFunction(parent, child);
  });

  it('chain: an identity dense layer after a hidden fc layer, and after a conv without relu', async () => {
    const parent = chainNet(CHAIN, false);
    const dense = deepen(parent.graph, parent.params, 'fc_relu_3', { batchNorm: true });
    expect(dense.graph.node('fc_relu_3/deeper/fc')?.params.map((p) => p.shape)).toEqual([[8, 8]]);
    await expectSameFunction(parent, dense);
    // conv_0's output can be negative: no relu by default, and the result is still the identity.
    const linear = deepen(parent.graph, parent.params, 'conv_0', { kernel: 1 });
    expect(linear.graph.node('conv_0/deeper/relu')).toBeUndefined();
    await expectSameFunction(parent, linear);
  });

  it('macro: after a merged layer (add merge, the output of a batch norm) and twice at one place', async () => {
    const parent = macroNet(MACRO, 'add');
    const once = deepen(parent.graph, parent.params, 'l1/bn', { batchNorm: true });
    const twice = deepen(once.graph, once.params, 'l1/bn', { kernel: 1 });
    expect(twice.graph.node('l1/bn/deeper-2/conv')?.inputs).toEqual(['l1/bn']);
    await expectSameFunction(parent, twice);
  });
});

describe('deepen: requests it refuses', () => {
  const net = chainNet(CHAIN, true);
  const attempt =
    (where: string, how = {}) =>
    () =>
      deepen(net.graph, net.params, where, how);

  it('names an unknown node, an output and a value of the wrong rank', () => {
    expect(attempt('relu_7')).toThrow(/deepen: no node named 'relu_7'/);
    expect(attempt('logits')).toThrow(/deepen after 'logits': it is a network output/);
    expect(attempt('loss')).toThrow(/its output \[\] float32 is not \[N, C, H, W\] or \[N, F\]/);
  });

  it('refuses a relu after a value that can be negative, an even kernel and short statistics', () => {
    expect(attempt('bn_0', { relu: true })).toThrow(
      /can be negative, so a relu after it would not be the identity/,
    );
    expect(attempt('relu_0', { kernel: 2 })).toThrow(/kernel must be an odd positive integer/);
    expect(attempt('relu_0', { batchNorm: true, statistics: { mean: [0], variance: [1] } })).toThrow(
      /statistics must hold 4 means and variances/,
    );
  });

  it('lists the places a layer can go, and which are non-negative', () => {
    const points = deepenPoints(net.graph);
    expect(points.find((p) => p.name === 'relu_0')).toEqual({
      name: 'relu_0',
      kind: 'conv',
      nonNegative: true,
    });
    expect(points.find((p) => p.name === 'flatten')).toEqual({
      name: 'flatten',
      kind: 'dense',
      nonNegative: true,
    });
    expect(points.find((p) => p.name === 'bn_0')?.nonNegative).toBe(false);
    expect(points.some((p) => p.name === 'logits' || p.name === 'loss')).toBe(false);
    expect(nonNegative(net.graph, 'x')).toBe(false);
  });
});
