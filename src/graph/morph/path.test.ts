import { describe, expect, it } from 'vitest';
import { chainNet, expectSameFunction, macroNet } from './morph.testkit.js';
import { splitPath, splitUnit, splittableLayers } from './path.js';

const CHAIN = 'C(4,3,1)-C(6,1,1)-P(max,2,2)-FC(8)-T';
const MACRO = 'conv3x3 sepconv3x3[0] conv5x5[0,1] maxpool3x3[2]';

describe('splitPath (path-level transformation) preserves the function', () => {
  it.each([
    ['add', undefined],
    ['add', [0.2, 0.3, 0.5]],
    ['concat', undefined],
    ['concat', [1, 2, 3]],
  ] as const)('chain conv + relu (no norm), merge %s, shares %j', async (merge, shares) => {
    const parent = chainNet(CHAIN, false);
    const child = splitPath(parent.graph, parent.params, 'conv_1', { merge, ...(shares && { shares }) });
    const merged = child.graph.node('relu_1');
    expect(merged?.op).toBe(merge);
    expect(merged?.inputs).toEqual((shares ?? [0, 0]).map((_, k) => `relu_1/b${k}`));
    await expectSameFunction(parent, child);
  });

  it.each(['add', 'concat'] as const)('chain conv + batch norm + relu, merge %s', async (merge) => {
    const parent = chainNet(CHAIN, true);
    const child = splitPath(parent.graph, parent.params, 'conv_0', { merge, branches: 3 });
    expect(child.graph.node('bn_0/b2')?.op).toBe('batchNorm');
    expect(child.graph.node('bn_0')).toBeUndefined();
    await expectSameFunction(parent, child);
  });

  it.each(['add', 'concat'] as const)(
    'chain dense layers (hidden and the logits), merge %s',
    async (merge) => {
      const parent = chainNet(CHAIN, true);
      const hidden = splitPath(parent.graph, parent.params, 'fc_3', { merge });
      await expectSameFunction(parent, hidden);
      const head = splitPath(hidden.graph, hidden.params, 'logits', { merge });
      expect(head.graph.outputs.map((v) => v.name)).toEqual(['logits', 'loss']);
      await expectSameFunction(parent, head);
    },
  );

  it('macro: a tree of splits (a branch split again) in an add-merge network', async () => {
    const parent = macroNet(MACRO, 'add');
    const once = splitPath(parent.graph, parent.params, 'l2/conv5x5/conv', { merge: 'add' });
    const tree = splitPath(once.graph, once.params, 'l2/conv5x5/conv/b0', { merge: 'concat' });
    expect(tree.graph.node('l2/conv5x5/relu/b0')?.inputs).toEqual([
      'l2/conv5x5/relu/b0/b0',
      'l2/conv5x5/relu/b0/b1',
    ]);
    await expectSameFunction(parent, tree);
  });

  it('macro: the pointwise conv of a separable conv (concat-merge network)', async () => {
    const parent = macroNet(MACRO, 'concat');
    const child = splitPath(parent.graph, parent.params, 'l1/sepconv3x3/pw', { merge: 'concat' });
    await expectSameFunction(parent, child);
  });
});

describe('splitPath: the unit and the requests it refuses', () => {
  const net = chainNet(CHAIN, true);
  const attempt = (where: string, how: object) => () =>
    splitPath(net.graph, net.params, where, { merge: 'add', ...how });

  it('takes the layer, its batch norm and its relu as the unit', () => {
    const unit = splitUnit(net.graph, net.graph.node('conv_0')!);
    expect([unit.layer.name, unit.norm?.name, unit.relu?.name]).toEqual(['conv_0', 'bn_0', 'relu_0']);
    expect(splitUnit(net.graph, net.graph.node('logits')!).relu).toBeUndefined();
    expect(splittableLayers(net.graph)).toEqual(['conv_0', 'conv_1', 'fc_3', 'logits']);
  });

  it('names what is wrong', () => {
    expect(attempt('nope', {})).toThrow(/split: no node named 'nope'; name a conv2d or dense layer/);
    expect(attempt('bn_0', {})).toThrow(/split 'bn_0': batchNorm cannot be split/);
    expect(attempt('conv_0', { branches: 1 })).toThrow(/branches must be an integer >= 2, got 1/);
    expect(attempt('conv_0', { shares: [0.5, 0.6] })).toThrow(
      /add shares must be 2 positive numbers summing to 1/,
    );
    expect(attempt('conv_0', { shares: [1.5, -0.5] })).toThrow(/add shares must be/);
    expect(attempt('conv_0', { merge: 'concat', shares: [1, 2] })).toThrow(
      /concat shares must be 2 positive integers summing to the width 4, got \[1,2\]/,
    );
    expect(attempt('conv_0', { merge: 'concat', branches: 5 })).toThrow(
      /4 output channels cannot make 5 branches/,
    );
    expect(attempt('conv_0', { merge: 'max' })).toThrow(/merge must be 'add' or 'concat', got "max"/);
  });
});
