import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { countFlops, countParams } from '../graph/count.js';
import { Nb201NetSpace } from './nb201-net.js';
import { Nb201Space, nb201SampleFromKey } from './nb201.js';
import { decisionsOf, randomSample } from './walk.js';

/**
 * Rows of benchmarks/nb201_main.csv.gz: [arch_index, arch_str, params_M_c10, flops_M_c10, params_M_in16,
 * flops_M_in16]. They cover every op, a cell of only `none` (7.78 MFLOPs: the stem, residual blocks and
 * classifier alone) and one of only avg pools (the same counts: pools have no weights and no MACs).
 */
const TABLE = [
  [
    0,
    '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|',
    0.129306,
    15.64737,
    0.136456,
    3.91948,
  ],
  [
    1,
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
    0.802426,
    113.95137,
    0.809576,
    28.49548,
  ],
  [
    1462,
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
    1.531546,
    220.11969,
    1.538696,
    55.03756,
  ],
  [1651, '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|', 0.073306, 7.78305, 0.080456, 1.9534],
  [
    3000,
    '|nor_conv_1x1~0|+|skip_connect~0|skip_connect~1|+|none~0|avg_pool_3x3~1|none~2|',
    0.101306,
    11.71521,
    0.108456,
    2.93644,
  ],
  [
    6111,
    '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|',
    1.073466,
    153.27297,
    1.080616,
    38.32588,
  ],
  [
    7581,
    '|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|',
    0.073306,
    7.78305,
    0.080456,
    1.9534,
  ],
  [
    11472,
    '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|',
    0.559386,
    78.56193,
    0.566536,
    19.64812,
  ],
  [
    15624,
    '|nor_conv_1x1~0|+|none~0|nor_conv_1x1~1|+|none~0|nor_conv_1x1~1|nor_conv_1x1~2|',
    0.185306,
    23.51169,
    0.192456,
    5.88556,
  ],
] as const;

describe('Nb201NetSpace', () => {
  const tabular = new Nb201Space();

  it('has the tabular space decisions, keys and agent states, so samples move between the two', () => {
    const space = new Nb201NetSpace({ input: [1, 28, 28], classes: 10 });
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const sample = randomSample(space, rng);
      expect(decisionsOf(space, sample)).toEqual(decisionsOf(tabular, sample));
      const key = space.key(sample);
      expect(key).toBe(tabular.key(sample));
      expect(space.sampleFromKey(key)).toEqual(sample);
      expect(space.agentState({ edge_1_0: sample['edge_1_0'] as string })).toBe(
        tabular.agentState({ edge_1_0: sample['edge_1_0'] as string }),
      );
      const g = space.decode(sample);
      expect(g.value('logits').shape).toEqual(['N', 10]);
      expect(g.value('final/relu').shape).toEqual(['N', 32, 7, 7]);
    }
  });

  it.each(TABLE)(
    'arch %i at full size (C=16, N=5) has the benchmark params and FLOPs',
    (_index, arch, params, flops, params16, flops16) => {
      const sample = nb201SampleFromKey(arch);
      const c10 = new Nb201NetSpace({ input: [3, 32, 32], classes: 10, channels: 16, cells: 5 }).decode(
        sample,
      );
      expect(countParams(c10) / 1e6).toBeCloseTo(params, 6);
      expect(countFlops(c10) / 1e6).toBeCloseTo(flops, 5);
      const in16 = new Nb201NetSpace({ input: [3, 16, 16], classes: 120, channels: 16, cells: 5 }).decode(
        sample,
      );
      expect(countParams(in16) / 1e6).toBeCloseTo(params16, 6);
      expect(countFlops(in16) / 1e6).toBeCloseTo(flops16, 5);
    },
  );

  it('builds the cell as the benchmark: ops, residual blocks, `none` edges left out of the sums', () => {
    const space = new Nb201NetSpace({ input: [3, 8, 8], classes: 4, channels: 2, cells: 1 });
    const g = space.decode(nb201SampleFromKey(TABLE[7][1]));
    // node 1 = conv3x3(n0); node 2 = conv3x3(n1) (its `none` edge adds nothing); node 3 = n0 + n2.
    expect(g.node('s0c0/edge_1_0/relu')?.inputs).toEqual(['stem/bn']);
    expect(g.node('s0c0/edge_1_0/conv')?.attrs).toMatchObject({
      kernel: [3, 3],
      pads: [1, 1, 1, 1],
      bias: false,
    });
    expect(g.node('s0c0/n2')).toBeUndefined(); // a single term is the node itself: no add
    expect(g.node('s0c0/edge_3_2')?.inputs).toEqual(['s0c0/edge_2_1/bn']);
    expect(g.node('s0c0/n3')?.inputs).toEqual(['s0c0/edge_3_0', 's0c0/edge_3_2']);
    expect(g.node('s0c0/edge_3_0')?.op).toBe('identity');
    expect(g.node('res1/a/conv')?.attrs).toMatchObject({ stride: [2, 2], kernel: [3, 3] });
    expect(g.node('res1/add')?.inputs).toEqual(['res1/b/bn', 'res1/down/conv']);
    expect(g.value('res2/add').shape).toEqual(['N', 8, 2, 2]);
    const none = space.decode(nb201SampleFromKey(TABLE[3][1]));
    expect(none.node('s1c0/n3')?.op).toBe('zero');
    const pool = space.decode(nb201SampleFromKey(TABLE[0][1]));
    expect(pool.node('s0c0/edge_1_0')?.attrs).toEqual({
      kernel: [3, 3],
      stride: [1, 1],
      pads: [1, 1, 1, 1],
      countIncludePad: false,
    });
  });

  it('rejects malformed options with a ConfigError naming the field, and incomplete samples', () => {
    const bad = (extra: object) => () => new Nb201NetSpace({ input: [1, 28, 28], classes: 10, ...extra });
    expect(bad({ channels: 0 })).toThrow(ConfigError);
    expect(bad({ channels: 0 })).toThrow('channels: Too small');
    expect(bad({ cells: 'five' })).toThrow('cells: Invalid input: expected number');
    expect(bad({ classes: 1 })).toThrow('classes: Too small');
    expect(bad({ C: 16 })).toThrow('Unrecognized key: "C"');
    const space = new Nb201NetSpace({ input: [1, 28, 28], classes: 10 });
    expect(() => space.decode({ edge_1_0: 'none' })).toThrow(InvalidArchitectureError);
    expect(() => space.sampleFromKey('|none~0|')).toThrow('not a NAS-Bench-201 arch string');
    expect(space.toJSON()).toEqual({
      type: 'nb201-net',
      name: 'nb201-net',
      input: [1, 28, 28],
      classes: 10,
      channels: 8,
      cells: 1,
    });
  });
});
