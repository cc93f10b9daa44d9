import { describe, expect, it } from 'vitest';
import type { SearchSpace } from '../../core/space.js';
import { Nb201Space, nb201SampleFromKey } from '../../space/nb201.js';
import { dagPaths, nb201Paths, PathEncoder, pathEncoderFor } from './paths.js';

const sorted = (paths: string[][]): string[] => paths.map((p) => p.join('>')).sort();

describe('nb201 path encoding', () => {
  const encoder = new PathEncoder(nb201Paths);
  const ones = (x: number[]): number[] => x.flatMap((v, i) => (v === 1 ? [i] : []));

  it('has 4 + 16 + 64 features', () => {
    expect(encoder.size).toBe(84);
  });

  it('cuts the paths through none edges (cell with two surviving paths)', () => {
    // 1<-0 conv3, 2<-0 none, 2<-1 skip, 3<-0 avg, 3<-1 none, 3<-2 conv1.
    // 0>3: avg; 0>1>3 cut; 0>2>3 cut; 0>1>2>3: conv3, skip, conv1.
    const sample = nb201SampleFromKey(
      '|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|',
    );
    expect(sorted(nb201Paths.paths(sample))).toEqual(
      sorted([['avg_pool_3x3'], ['nor_conv_3x3', 'skip_connect', 'nor_conv_1x1']]),
    );
    // Op indices: skip 0, conv1 1, conv3 2, avg 3. [avg] -> 3; [conv3, skip, conv1] -> 4 + 16 + (2*16 + 0*4 + 1).
    expect(ones(encoder.encode(sample))).toEqual([3, 53]);
  });

  it('finds the three paths of a cell without a direct edge', () => {
    // 1<-0 skip, 2<-0 conv1, 2<-1 avg, 3<-0 none, 3<-1 conv3, 3<-2 skip.
    const sample = nb201SampleFromKey(
      '|skip_connect~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|skip_connect~2|',
    );
    expect(sorted(nb201Paths.paths(sample))).toEqual(
      sorted([
        ['skip_connect', 'nor_conv_3x3'],
        ['nor_conv_1x1', 'skip_connect'],
        ['skip_connect', 'avg_pool_3x3', 'skip_connect'],
      ]),
    );
    // [skip, conv3] -> 4 + 2 = 6; [conv1, skip] -> 4 + 4 = 8; [skip, avg, skip] -> 20 + 3*4 = 32.
    expect(ones(encoder.encode(sample))).toEqual([6, 8, 32]);
  });

  it('gives a cell with no input-to-output path the zero vector, and merges equal op sequences', () => {
    const dead = nb201SampleFromKey('|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|');
    expect(encoder.encode(dead).every((v) => v === 0)).toBe(true);
    const full = nb201SampleFromKey(
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
    );
    expect(nb201Paths.paths(full)).toHaveLength(4);
    // Two length-2 paths share one feature: [conv3] 2, [conv3, conv3] 4 + 10, [conv3 x3] 20 + 42.
    expect(ones(encoder.encode(full))).toEqual([2, 14, 62]);
  });

  it('is found by space name and refuses other spaces with a hint', () => {
    expect(pathEncoderFor(new Nb201Space()).size).toBe(84);
    const chain: SearchSpace<unknown> = {
      name: 'chain',
      next: () => null,
      decode: (s) => s,
      key: () => '',
      toJSON: () => ({ type: 'chain' }),
    };
    expect(() => pathEncoderFor(chain)).toThrow(/use the one-hot/);
  });

  it('dagPaths works on any DAG', () => {
    const edges = [
      { from: 0, to: 1, op: 'a' },
      { from: 1, to: 2, op: 'b' },
      { from: 0, to: 2, op: 'c' },
      { from: 1, to: 2, op: 'off' },
    ];
    expect(sorted(dagPaths(edges, 0, 2, new Set(['a', 'b', 'c'])))).toEqual(['a>b', 'c']);
  });
});
