import { describe, expect, it } from 'vitest';
import { InvalidArchitectureError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { chainNet, expectSameFunction, macroNet, outputGap } from './morph.testkit.js';
import { MorphError } from './net.js';
import { widen, widenableLayers } from './widen.js';

const CHAIN = 'C(4,3,1)-C(6,1,1)-P(max,2,2)-FC(8)-T';
const MACRO = 'conv3x3 sepconv3x3[0] conv5x5[0,1] maxpool3x3[2]';

describe('widen (Net2WiderNet) preserves the function', () => {
  it.each([
    ['a conv feeding a conv', 'conv_0', 9],
    ['a conv feeding pool and flatten into a dense layer', 'conv_1', 10],
    ['a dense layer', 'fc_3', 13],
  ])('chain: %s (%s to %i)', async (_what, layer, width) => {
    const parent = chainNet(CHAIN, false);
    const child = widen(parent.graph, parent.params, layer, { width }, new Rng(1));
    const node = child.graph.node(layer);
    expect(
      node?.op === 'conv2d' ? node.attrs.outChannels : node?.op === 'dense' && node.attrs.outFeatures,
    ).toBe(width);
    await expectSameFunction(parent, child);
  });

  it('chain: a conv followed by batch norm copies gamma, beta and the running statistics', async () => {
    const parent = chainNet(CHAIN, true);
    const child = widen(parent.graph, parent.params, 'conv_0', { width: 8 }, new Rng(2));
    const old = parent.params.get('bn_0.runningVar') as Float32Array;
    const now = child.params.get('bn_0.runningVar') as Float32Array;
    expect(now).toHaveLength(8);
    expect(Array.from(now.subarray(0, 4))).toEqual(Array.from(old));
    for (const v of now.subarray(4)) expect(Array.from(old)).toContain(v);
    await expectSameFunction(parent, child);
  });

  it('macro (concat merge): a conv feeding a depthwise conv, a concat and a pooled skip', async () => {
    const parent = macroNet(MACRO, 'concat');
    const child = widen(parent.graph, parent.params, 'l0/conv3x3/conv', { width: 7 }, new Rng(3));
    // The depthwise conv of layer 1 follows its input: 7 channels, 7 groups.
    const dw = child.graph.node('l1/sepconv3x3/dw');
    expect(dw?.op === 'conv2d' && [dw.attrs.outChannels, dw.attrs.groups]).toEqual([7, 7]);
    await expectSameFunction(parent, child);
  });

  it('macro (add merge): layers the add couples to it are widened with the same copies', async () => {
    const parent = macroNet(MACRO, 'add');
    const child = widen(parent.graph, parent.params, 'l2/conv5x5/conv', { width: 11 }, new Rng(4));
    for (const coupled of ['l2/proj0/conv', 'l2/proj1/conv']) {
      const node = child.graph.node(coupled);
      expect(node?.op === 'conv2d' && node.attrs.outChannels, coupled).toBe(11);
    }
    await expectSameFunction(parent, child);
  });

  it('noise splits the outgoing weights unequally and still preserves the function', async () => {
    const parent = chainNet(CHAIN, true);
    const plain = widen(parent.graph, parent.params, 'conv_0', { width: 8 }, new Rng(5));
    const noisy = widen(parent.graph, parent.params, 'conv_0', { width: 8, noise: 0.1 }, new Rng(5));
    expect(noisy.params.get('conv_1.weight')).not.toEqual(plain.params.get('conv_1.weight'));
    expect(await outputGap(parent, noisy)).toBeLessThan(1e-4);
  });

  it('leaves the parent untouched and a same-width request is an unchanged copy', () => {
    const parent = chainNet(CHAIN, true);
    const before = Array.from(parent.params.get('conv_1.weight') as Float32Array);
    const child = widen(parent.graph, parent.params, 'conv_0', { width: 4 }, new Rng(6));
    expect(child.graph.toJSON()).toEqual(parent.graph.toJSON());
    expect(Array.from(child.params.get('conv_1.weight') as Float32Array)).toEqual(before);
    widen(parent.graph, parent.params, 'conv_0', { width: 9 }, new Rng(6));
    expect(Array.from(parent.params.get('conv_1.weight') as Float32Array)).toEqual(before);
  });
});

describe('widen: requests it refuses', () => {
  const net = chainNet(CHAIN, true);
  const attempt = (layer: string, width: number) => () =>
    widen(net.graph, net.params, layer, { width }, new Rng(1));

  it('names an unknown layer', () => {
    expect(attempt('conv_9', 8)).toThrow(/widen: no node named 'conv_9'; name a conv2d or dense layer/);
    expect(attempt('x', 8)).toThrow(/'x' is a graph input/);
  });

  it('refuses a layer that is not widenable, listing those that are', () => {
    expect(attempt('bn_0', 8)).toThrow(/batchNorm cannot be widened.*widenable here: conv_0, conv_1, fc_3/);
    expect(attempt('logits', 5)).toThrow(/'logits' feeds the loss 'loss': it is the network's output layer/);
    const e = (() => {
      try {
        attempt('logits', 5)();
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(MorphError);
    expect(e).toBeInstanceOf(InvalidArchitectureError);
    expect((e as MorphError).reason).toBe('not-applicable');
  });

  it('refuses a narrower or fractional width and bad noise', () => {
    expect(attempt('conv_0', 3)).toThrow(/width must be an integer >= the current 4, got 3/);
    expect(attempt('conv_0', 5.5)).toThrow(/got 5.5/);
    expect(() => widen(net.graph, net.params, 'conv_0', { width: 6, noise: -1 }, new Rng(1))).toThrow(
      /noise must be in \[0, 1\)/,
    );
  });

  it('names a missing or mis-sized parameter', () => {
    const params = new Map(net.params);
    params.delete('bn_0.runningMean');
    expect(() => widen(net.graph, params, 'conv_0', { width: 6 }, new Rng(1))).toThrow(
      /parameter 'bn_0.runningMean' must hold 4 values \(shape \[4\]\), but it is missing/,
    );
  });

  it('lists the widenable layers of a macro network (not the logits)', () => {
    const layers = widenableLayers(macroNet(MACRO, 'add').graph);
    expect(layers).toContain('l2/conv5x5/conv');
    expect(layers).toContain('stem/conv');
    expect(layers).not.toContain('logits');
    expect(layers).not.toContain('l1/sepconv3x3/dw');
  });
});
