import { describe, expect, it } from 'vitest';
import { countFlops, countParams, macsByNode } from './count.js';
import { nb201Network, separableBlock, smallCnn } from './networks.testkit.js';

describe('the small CNN', () => {
  const g = smallCnn();

  it('has the hand-computed parameter count', () => {
    expect(countParams(g)).toBe(16 * 9 + 16 + (32 * 16 * 9 + 32) + (32 * 7 * 7 * 10 + 10));
    expect(countParams(g)).toBe(20490);
  });

  it('has the hand-computed multiply-accumulates, per node and in total', () => {
    const conv1 = 3 * 3 * 1 * 16 * 28 * 28 + 16 * 28 * 28; // + bias per output element
    const conv2 = 3 * 3 * 16 * 32 * 14 * 14 + 32 * 14 * 14;
    const fc = 32 * 7 * 7 * 10 + 10;
    const byNode = macsByNode(g);
    expect([byNode.get('conv1'), byNode.get('conv2'), byNode.get('fc')]).toEqual([conv1, conv2, fc]);
    expect([byNode.get('pool1'), byNode.get('pool2'), byNode.get('relu_1')]).toEqual([0, 0, 0]);
    expect(countFlops(g)).toBe(conv1 + conv2 + fc);
    expect(countFlops(g)).toBe(1_050_570);
    expect(countFlops(g, 64)).toBe(64 * 1_050_570);
  });
});

describe('a depthwise-separable block', () => {
  it('counts depthwise and pointwise weights plus BN gamma/beta, not the running statistics', () => {
    const g = separableBlock();
    expect(countParams(g)).toBe(32 * 1 * 3 * 3 + 2 * 32 + 64 * 32 + 2 * 64);
    expect(g.params.filter((p) => !p.trainable).map((p) => p.name)).toEqual([
      'batchNorm_1.runningMean',
      'batchNorm_1.runningVar',
      'batchNorm_2.runningMean',
      'batchNorm_2.runningVar',
    ]);
  });

  it('costs kh*kw*(cin/groups)*cout*oh*ow per conv and nothing for BN/ReLU', () => {
    const g = separableBlock();
    const dw = 3 * 3 * 1 * 32 * 16 * 16;
    const pw = 1 * 1 * 32 * 64 * 16 * 16;
    expect(macsByNode(g).get('dw')).toBe(dw);
    expect(countFlops(g)).toBe(dw + pw);
    // The point of separable convs: about 1/9 + 1/64 of a full 3x3 conv.
    expect(countFlops(g) / (3 * 3 * 32 * 64 * 16 * 16)).toBeCloseTo(1 / 64 + 1 / 9, 10);
  });
});

describe("NAS-Bench-201's table (nb201_main.csv: params_M_*, flops_M_*)", () => {
  // [arch_index, arch_str, CIFAR-10 params_M, flops_M, ImageNet16-120 params_M, flops_M]
  const rows = [
    [
      0,
      '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|',
      0.129306,
      15.64737,
      0.136456,
      3.91948,
    ],
    [
      11472,
      '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|',
      0.559386,
      78.56193,
      0.566536,
      19.64812,
    ],
  ] as const;
  it.each(rows)(
    'arch %i: params and FLOPs equal the table',
    (_index, arch, params, flops, params16, flops16) => {
      const c10 = nb201Network(arch, 10, 32);
      const in16 = nb201Network(arch, 120, 16);
      expect(countParams(c10) / 1e6).toBeCloseTo(params, 6);
      expect(countFlops(c10) / 1e6).toBeCloseTo(flops, 5);
      expect(countParams(in16) / 1e6).toBeCloseTo(params16, 6);
      expect(countFlops(in16) / 1e6).toBeCloseTo(flops16, 5);
    },
  );

  it('counts pooling as 0 (arch 0 has avg_pool_3x3 in every cell)', () => {
    const g = nb201Network(rows[0][1], 10, 32);
    const pools = g.nodes.filter((n) => n.op === 'avgPool');
    expect(pools.length).toBe(15 + 2);
    const macs = macsByNode(g);
    expect(pools.every((n) => macs.get(n.name) === 0)).toBe(true);
  });
});
