import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Decision, Sample } from '../../core/types.js';
import { Nb201Space, nb201SampleFromKey } from '../../space/nb201.js';
import { encodeAll, OneHotEncoder } from './encode.js';

/** kind a -> width; kind b -> depth, and depth 2 -> extra (two changes from the first-choice walk). */
const conditional: SearchSpace<unknown> = {
  name: 'toy-conditional',
  next(prefix: Sample): Decision | null {
    if (prefix.kind === undefined) return { name: 'kind', choices: ['a', 'b'] };
    if (prefix.kind === 'a') return prefix.width === undefined ? { name: 'width', choices: [1, 2, 3] } : null;
    if (prefix.depth === undefined) return { name: 'depth', choices: [1, 2] };
    if (prefix.depth === 2 && prefix.extra === undefined) return { name: 'extra', choices: ['x', 'y'] };
    return null;
  },
  decode: (s) => s,
  key: (s) => JSON.stringify(s),
  toJSON: () => ({ type: 'toy' }),
};

describe('OneHotEncoder', () => {
  it('gives nb201 one block of five per edge, with the chosen op set', () => {
    const encoder = new OneHotEncoder(new Nb201Space());
    expect(encoder.size).toBe(30);
    const x = encoder.encode(
      nb201SampleFromKey('|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|'),
    );
    // Op order: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3; edge order as the arch string.
    const ones = x.flatMap((v, i) => (v === 1 ? [i] : []));
    expect(ones).toEqual([0 * 5 + 3, 1 * 5 + 0, 2 * 5 + 1, 3 * 5 + 4, 4 * 5 + 0, 5 * 5 + 2]);
    expect(x.reduce((s, v) => s + v, 0)).toBe(6);
  });

  it('encodes absent conditional decisions as an all-zero block', () => {
    const encoder = new OneHotEncoder(conditional);
    // Found by single changes: kind, width, depth; extra needs two changes.
    expect(encoder.decisions.map((d) => d.name)).toEqual(['kind', 'width', 'depth']);
    expect(encoder.size).toBe(2 + 3 + 2);
    expect(encoder.encode({ kind: 'a', width: 3 })).toEqual([1, 0, 0, 0, 1, 0, 0]);
    expect(encoder.encode({ kind: 'b', depth: 1 })).toEqual([0, 1, 0, 0, 0, 1, 0]);
  });

  it('adds decisions met in given samples or random probes', () => {
    const fromSamples = new OneHotEncoder(conditional, { samples: [{ kind: 'b', depth: 2, extra: 'y' }] });
    expect(fromSamples.decisions.map((d) => d.name)).toEqual(['kind', 'width', 'depth', 'extra']);
    expect(fromSamples.encode({ kind: 'b', depth: 2, extra: 'y' })).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 1]);
    const probed = new OneHotEncoder(conditional, { probes: 50, rng: new Rng(1) });
    expect(probed.size).toBe(9);
    expect(() => new OneHotEncoder(conditional, { probes: 5 })).toThrow(/probes need an rng/);
  });

  it('encodeAll maps every sample', () => {
    const encoder = new OneHotEncoder(conditional);
    expect(
      encodeAll(encoder, [
        { kind: 'a', width: 1 },
        { kind: 'b', depth: 2 },
      ]),
    ).toEqual([
      [1, 0, 1, 0, 0, 0, 0],
      [0, 1, 0, 0, 0, 0, 1],
    ]);
  });
});
