import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { countParams } from '../graph/count.js';
import { defaultReductions, MacroSpace, type MacroOptionsInput } from './macro.js';
import { decisionsOf, randomSample, validateSample } from './walk.js';

const HAND = {
  op_0: 'conv3x3',
  op_1: 'sepconv5x5',
  skip_1_0: 1,
  op_2: 'maxpool3x3',
  skip_2_0: 1,
  skip_2_1: 0,
};
const SMALL: MacroOptionsInput = { input: [1, 8, 8], classes: 10, layers: 3, channels: 4, reductions: [0] };

describe('MacroSpace', () => {
  it('asks op_i then skip_i_j layer by layer, as ENAS', () => {
    const space = new MacroSpace(SMALL);
    expect(decisionsOf(space, HAND).map((d) => d.name)).toEqual(Object.keys(HAND));
    expect(space.next({})).toEqual({
      name: 'op_0',
      choices: ['conv3x3', 'conv5x5', 'sepconv3x3', 'sepconv5x5', 'maxpool3x3', 'avgpool3x3'],
    });
    expect(space.next({ op_0: 'conv3x3', op_1: 'conv3x3' })).toEqual({ name: 'skip_1_0', choices: [0, 1] });
    expect(space.next(HAND)).toBeNull();
  });

  it('decodes a hand-checked sample with concat merges: shapes, parameters, key', () => {
    const space = new MacroSpace(SMALL);
    expect(space.key(HAND)).toBe('conv3x3 sepconv5x5[0] maxpool3x3[0]');
    const g = space.decode(HAND);
    const shape = (name: string) => g.value(name).shape;
    expect(g.inputs.map((v) => [v.name, v.shape, v.dtype])).toEqual([
      ['x', ['N', 1, 8, 8], 'float32'],
      ['labels', ['N'], 'int64'],
    ]);
    expect(g.outputs.map((v) => [v.name, v.shape])).toEqual([
      ['logits', ['N', 10]],
      ['loss', []],
    ]);
    // The reduction after layer 0 halves the maps and doubles the channels (4 -> 8).
    expect(shape('l0/conv3x3/relu')).toEqual(['N', 4, 8, 8]);
    expect(shape('l0/down1')).toEqual(['N', 4, 4, 4]);
    expect(shape('l1/sepconv5x5/relu')).toEqual(['N', 8, 4, 4]);
    expect(shape('l1/concat')).toEqual(['N', 12, 4, 4]);
    expect(shape('l2/maxpool3x3')).toEqual(['N', 8, 4, 4]);
    expect(g.node('l2/maxpool3x3')?.attrs).toMatchObject({
      kernel: [3, 3],
      stride: [1, 1],
      pads: [1, 1, 1, 1],
    });
    // The pooled skip source is built once and shared by layers 1 and 2.
    expect(g.nodes.filter((n) => n.op === 'maxPool' && n.inputs[0] === 'l0/conv3x3/relu')).toHaveLength(1);
    // No 1x1 input conv before the pool: its input already has the layer's channels.
    expect(g.node('l2/in/conv')).toBeUndefined();
    // stem 9*4 + BN 8; conv3x3 4*4*9 + 8; sep5x5 dw 4*25 + pw 4*8 + BN 16; proj 12*8 + 16 (twice); dense 8*10+10.
    expect(countParams(g)).toBe(44 + 152 + 148 + 112 + 112 + 90);
  });

  it('merges by add: a skip with other channels is projected, the sum batch-normalised', () => {
    const space = new MacroSpace({ ...SMALL, merge: 'add' });
    const g = space.decode(HAND);
    expect(g.node('l1/add')?.inputs).toEqual(['l1/sepconv5x5/relu', 'l1/proj0/bn']);
    expect(g.value('l1/proj0/bn').shape).toEqual(['N', 8, 4, 4]);
    expect(g.node('l1/bn')?.inputs).toEqual(['l1/add']);
    expect(g.node('l1/concat')).toBeUndefined();
    // 8-channel pool output plus the projected 4-channel source.
    expect(g.node('l2/add')?.inputs).toEqual(['l2/maxpool3x3', 'l2/proj0/bn']);
    // sep5x5 148; l1 proj 4*8 + 16 and BN 16; l2 proj 48, BN 16.
    expect(countParams(g)).toBe(44 + 152 + 148 + 48 + 16 + 48 + 16 + 90);
  });

  it('puts a 1x1 conv before a pool only where the channels change; layer 0 takes no skips', () => {
    const space = new MacroSpace({ ...SMALL, layers: 2 });
    const g = space.decode({ op_0: 'avgpool3x3', op_1: 'avgpool3x3', skip_1_0: 0 });
    expect(g.node('l0/in/conv')).toBeUndefined(); // the stem already has 4 channels
    expect(g.node('l1/in/conv')?.inputs).toEqual(['l0/down1']);
    expect(g.value('l1/avgpool3x3').shape).toEqual(['N', 8, 4, 4]);
    expect(space.key({ op_0: 'avgpool3x3', op_1: 'avgpool3x3', skip_1_0: 0 })).toBe('avgpool3x3 avgpool3x3');
  });

  it.each([
    ['defaults on 28x28, concat', { input: [1, 28, 28], classes: 10 }, 2, [7, 7]],
    [
      'add, 8 layers, every op',
      { input: [3, 12, 12], classes: 5, layers: 8, merge: 'add', channels: 3 },
      2,
      [3, 3],
    ],
    [
      'two ops, no reduction',
      { input: [1, 5, 7], classes: 3, layers: 4, ops: ['conv3x3', 'avgpool3x3'], reductions: [] },
      0,
      [5, 7],
    ],
  ] satisfies [string, MacroOptionsInput, number, number[]][])(
    '200 seeded samples decode, with distinct keys that round-trip (%s)',
    (_label, options, reductions, lastSize) => {
      const space = new MacroSpace(options);
      expect(space.options.reductions).toHaveLength(reductions);
      const rng = new Rng(7);
      const keys = new Map<string, string>();
      for (let i = 0; i < 200; i++) {
        const sample = randomSample(space, rng);
        validateSample(space, sample);
        const g = space.decode(sample);
        expect(g.value('logits').shape).toEqual(['N', options.classes]);
        const last = g.node('gap')?.inputs[0] as string;
        expect(g.value(last).shape.slice(2)).toEqual(lastSize);
        const key = space.key(sample);
        expect(space.sampleFromKey(key)).toEqual(sample);
        const json = JSON.stringify(sample);
        expect(keys.get(key) ?? json).toBe(json);
        keys.set(key, json);
      }
      // The third space has 2^4 * 2^6 = 1,024 architectures, so some draws repeat.
      expect(keys.size).toBeGreaterThan(150);
    },
  );

  it('places ENAS pool layers at L/3 - 1 and 2L/3 - 1, dropping those a tiny input cannot take', () => {
    expect(defaultReductions(12)).toEqual([3, 7]);
    expect(defaultReductions(6)).toEqual([1, 3]);
    expect(defaultReductions(2)).toEqual([]);
    expect(new MacroSpace({ input: [1, 3, 3], classes: 2 }).options.reductions).toEqual([1]);
    expect(new MacroSpace({ input: [1, 9, 9], classes: 2, reductions: [3, 0] }).options.reductions).toEqual([
      0, 3,
    ]);
  });

  it('rejects malformed options with a ConfigError naming the field', () => {
    const bad = (extra: object) => () => new MacroSpace({ input: [1, 28, 28], classes: 10, ...extra });
    expect(bad({ layers: 0 })).toThrow(ConfigError);
    expect(bad({ layers: 0 })).toThrow('layers: Too small');
    expect(bad({ ops: ['conv7x7'] })).toThrow(/ops\[0\]: Invalid option.*found string "conv7x7"/);
    expect(bad({ ops: ['conv3x3', 'conv3x3'] })).toThrow('ops: each choice once');
    expect(bad({ ops: [] })).toThrow('ops: at least one choice');
    expect(bad({ merge: 'mul' })).toThrow('merge: Invalid option');
    expect(bad({ reductions: [5] })).toThrow(
      'reductions: layer 5 cannot be followed by a reduction: use indices 0..4',
    );
    expect(bad({ reductions: [1, 1] })).toThrow('reductions: each layer index once');
    expect(bad({ input: [1, 8, 8], reductions: [0, 1, 2, 3] })).toThrow(
      'reductions: 4 reductions halve the 8x8',
    );
    expect(bad({ input: [1, 28] })).toThrow('input: expected [channels, height, width]');
    expect(bad({ filters: 3 })).toThrow('Unrecognized key: "filters"');
    expect(() => new MacroSpace({ name: 'm', input: [1, 4, 4], classes: 1 })).toThrow(
      'space "m": invalid configuration\n  classes: Too small',
    );
  });

  it('rejects incomplete samples and keys it cannot produce', () => {
    const space = new MacroSpace(SMALL);
    expect(() => space.decode({ op_0: 'conv3x3' })).toThrow(InvalidArchitectureError);
    expect(() => space.key({ ...HAND, skip_2_1: 2 })).toThrow('decision "skip_2_1" has 2');
    expect(() => space.sampleFromKey('conv3x3 conv3x3')).toThrow('has 2 layers, the space 3');
    expect(() => space.sampleFromKey('conv3x3 conv3x3[1] conv3x3')).toThrow(
      'layer 1: skips must be ascending',
    );
    expect(() => space.sampleFromKey('conv3x3 conv3x3 conv3x3[1,0]')).toThrow('skips must be ascending');
    expect(() => space.sampleFromKey('conv3x3 conv9x9 conv3x3')).toThrow('op "conv9x9" is not one of');
    expect(() => space.sampleFromKey('conv3x3 conv3x3 conv3x3[')).toThrow('layer 2 "conv3x3[" is not op');
  });

  it('writes every option in toJSON, so a stored space keeps its meaning', () => {
    const space = new MacroSpace({ input: [1, 28, 28], classes: 10 });
    expect(space.toJSON()).toEqual({
      type: 'macro',
      name: 'macro',
      input: [1, 28, 28],
      classes: 10,
      layers: 6,
      channels: 16,
      ops: ['conv3x3', 'conv5x5', 'sepconv3x3', 'sepconv5x5', 'maxpool3x3', 'avgpool3x3'],
      merge: 'concat',
      reductions: [1, 3],
    });
  });
});
