import { describe, expect, it } from 'vitest';
import { Nb201Space, nb201SampleFromKey } from '../../space/nb201.js';
import { blockDensity, earlyStopPenalty } from './shaping.js';

const space = new Nb201Space();
const cell = (key: string): unknown => space.decode(nb201SampleFromKey(key));

describe('block density (BlockQNN: DAG edges / nodes)', () => {
  it('counts live edges of an nb201 cell: k ops give 2k links over 4 + k nodes', () => {
    const full = cell(
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|',
    );
    expect(blockDensity(full)).toBeCloseTo(12 / 10, 12);
    const two = cell('|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|skip_connect~2|');
    expect(blockDensity(two)).toBeCloseTo(4 / 6, 12);
  });

  it('is undefined without links or without a graph', () => {
    expect(blockDensity(cell('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'))).toBeUndefined();
    expect(blockDensity({ d0: 1 })).toBeUndefined();
    expect(blockDensity(null)).toBeUndefined();
  });
});

describe('early-stop penalty: mu log(FLOPs) + rho log(density)', () => {
  const arch = () =>
    cell('|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|skip_connect~2|');

  it('adds both terms', () => {
    const penalty = earlyStopPenalty(
      { mu: 0.5, rho: 2, flopsMetric: 'flops_M' },
      { flops_M: Math.E ** 4 },
      arch,
    );
    expect(penalty).toBeCloseTo(0.5 * 4 + 2 * Math.log(1.2), 12);
  });

  it('is 0 when off, and leaves out a term whose value is missing', () => {
    let decoded = 0;
    const counting = () => {
      decoded++;
      return arch();
    };
    expect(earlyStopPenalty({ mu: 0, rho: 0, flopsMetric: 'flops_M' }, { flops_M: 100 }, counting)).toBe(0);
    expect(decoded).toBe(0); // nothing decoded when shaping is off
    expect(earlyStopPenalty({ mu: 1, rho: 0, flopsMetric: 'flops_M' }, {}, counting)).toBe(0);
    expect(earlyStopPenalty({ mu: 1, rho: 0, flopsMetric: 'flops' }, { flops: 0 }, counting)).toBe(0);
    expect(earlyStopPenalty({ mu: 0, rho: 1, flopsMetric: 'flops_M' }, {}, () => ({ d0: 1 }))).toBe(0);
  });
});
