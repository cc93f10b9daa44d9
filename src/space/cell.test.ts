import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Sample } from '../core/types.js';
import { countParams } from '../graph/count.js';
import { CellSpace, type CellOptionsInput } from './cell.js';
import { decisionsOf, randomSample, validateSample } from './walk.js';

const HAND = {
  normal_2_in1: 0,
  normal_2_in2: 1,
  normal_2_op1: 'sepconv3x3',
  normal_2_op2: 'identity',
  normal_3_in1: 2,
  normal_3_in2: 0,
  normal_3_op1: 'maxpool3x3',
  normal_3_op2: 'avgpool3x3',
  reduce_2_in1: 1,
  reduce_2_in2: 0,
  reduce_2_op1: 'identity',
  reduce_2_op2: 'maxpool3x3',
  reduce_3_in1: 1,
  reduce_3_in2: 1,
  reduce_3_op1: 'sepconv5x5',
  reduce_3_op2: 'avgpool3x3',
};
const HAND_KEY =
  'normal(sepconv3x3~0+identity~1|avgpool3x3~0+maxpool3x3~2) reduce(maxpool3x3~0+identity~1|avgpool3x3~1+sepconv5x5~1)';
const SMALL: CellOptionsInput = { input: [1, 8, 8], classes: 10, blocks: 2, channels: 4 };

/** The sample with each block's two terms swapped: the same architecture. */
function swapped(sample: Sample): Sample {
  const out: Record<string, Sample[string]> = {};
  for (const [name, value] of Object.entries(sample)) {
    out[name.replace(/1$/, '#').replace(/2$/, '1').replace(/#$/, '2')] = value;
  }
  return out;
}

describe('CellSpace', () => {
  it('asks, per cell and block, two inputs among earlier nodes and two ops', () => {
    const space = new CellSpace(SMALL);
    expect(decisionsOf(space, HAND).map((d) => d.name)).toEqual(Object.keys(HAND));
    expect(space.next({})).toEqual({ name: 'normal_2_in1', choices: [0, 1] });
    expect(
      space.next({ normal_2_in1: 0, normal_2_in2: 0, normal_2_op1: 'identity', normal_2_op2: 'identity' }),
    ).toEqual({ name: 'normal_3_in1', choices: [0, 1, 2] });
    expect(space.next({ normal_2_in1: 0, normal_2_in2: 0 })).toEqual({
      name: 'normal_2_op1',
      choices: ['identity', 'sepconv3x3', 'sepconv5x5', 'avgpool3x3', 'maxpool3x3'],
    });
  });

  it('decodes a hand-checked sample: stages, reductions, preprocessing, the loose-end concat', () => {
    const space = new CellSpace(SMALL);
    expect(space.key(HAND)).toBe(HAND_KEY);
    const g = space.decode(HAND);
    const shape = (name: string) => g.value(name).shape;
    expect(g.inputs.map((v) => v.name)).toEqual(['x', 'labels']);
    expect(g.outputs.map((v) => [v.name, v.shape])).toEqual([
      ['logits', ['N', 10]],
      ['loss', []],
    ]);
    // stem, normal c0, reduce c1, normal c2, reduce c3, normal c4.
    expect(shape('stem/bn')).toEqual(['N', 4, 8, 8]);
    // Normal cell: node 2 is read by node 3, so node 3 alone is the output.
    expect(shape('c0/n3')).toEqual(['N', 4, 8, 8]);
    expect(g.node('c0/out')).toBeUndefined();
    expect(g.node('c0/n2/t2')?.op).toBe('identity');
    expect(g.node('c0/n3/t2')?.attrs).toMatchObject({ kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1] });
    // Reduction: channels double; ops on the cell inputs take stride 2; nodes 2 and 3 are concatenated.
    expect(shape('c1/pre0/bn')).toEqual(['N', 8, 8, 8]);
    expect(g.node('c1/n2/t2/conv')?.attrs).toMatchObject({ kernel: [1, 1], stride: [2, 2] });
    expect(g.node('c1/n2/t1')?.attrs).toMatchObject({ kernel: [3, 3], stride: [2, 2] });
    expect(g.node('c1/n3/t2/a/dw')?.attrs).toMatchObject({ kernel: [5, 5], stride: [2, 2], groups: 8 });
    expect(g.node('c1/n3/t2/b/dw')?.attrs).toMatchObject({ kernel: [5, 5], stride: [1, 1], groups: 8 });
    expect(shape('c1/out')).toEqual(['N', 16, 4, 4]);
    // After a reduction, the older input is reduced by a stride-2 1x1 conv to meet the newer one.
    expect(g.node('c2/pre0/conv')?.attrs).toMatchObject({ stride: [2, 2] });
    expect(g.node('c2/pre0/relu')?.inputs).toEqual(['c0/n3']);
    expect(shape('c2/pre0/bn')).toEqual(['N', 8, 4, 4]);
    expect(g.node('c3/pre0/conv')?.attrs).toMatchObject({ stride: [1, 1] });
    expect(shape('c3/out')).toEqual(['N', 32, 2, 2]);
    expect(shape('c4/n3')).toEqual(['N', 16, 2, 2]);
    expect(g.node('gap')?.inputs).toEqual(['final/relu']);
    // Normal cell c0's sepconv3x3 on 4 channels: (dw 36 + pw 16 + BN 8) twice.
    const sep = g.params.filter((p) => p.trainable && p.name.startsWith('c0/n2/t1/'));
    expect(sep.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0)).toBe(120);
  });

  it('gives a block the same key whichever order its two terms were chosen in', () => {
    const space = new CellSpace(SMALL);
    expect(swapped(HAND)).not.toEqual(HAND);
    expect(space.key(swapped(HAND))).toBe(HAND_KEY);
    expect(countParams(space.decode(swapped(HAND)))).toBe(countParams(space.decode(HAND)));
    const canonical = space.sampleFromKey(HAND_KEY);
    expect(space.key(canonical)).toBe(HAND_KEY);
    expect(canonical['reduce_2_in1']).toBe(0);
    expect(canonical['reduce_2_op1']).toBe('maxpool3x3');
  });

  it.each([
    ['defaults on 28x28', { input: [1, 28, 28], classes: 10 }, [7, 7]],
    [
      '4 blocks, 2 cells per stage, odd sizes',
      { input: [3, 9, 5], classes: 4, blocks: 4, cells: 2, channels: 2 },
      [3, 2],
    ],
    ['two ops', { input: [1, 6, 6], classes: 2, ops: ['identity', 'maxpool3x3'] }, [2, 2]],
  ] satisfies [string, CellOptionsInput, number[]][])(
    '200 seeded samples decode; equal keys exactly for equal cells (%s)',
    (_label, options, last) => {
      const space = new CellSpace(options);
      const rng = new Rng(11);
      const cells = new Map<string, string>();
      for (let i = 0; i < 200; i++) {
        const sample = randomSample(space, rng);
        validateSample(space, sample);
        const g = space.decode(sample);
        expect(g.value('logits').shape).toEqual(['N', options.classes]);
        expect(g.value('final/relu').shape.slice(2)).toEqual(last);
        const key = space.key(sample);
        expect(space.key(swapped(sample))).toBe(key);
        const canonical = space.sampleFromKey(key);
        expect(space.key(canonical)).toBe(key);
        const structure = JSON.stringify(space.structure(sample));
        expect(JSON.stringify(space.structure(canonical))).toBe(structure);
        expect(cells.get(key) ?? structure).toBe(structure);
        cells.set(key, structure);
      }
      expect(cells.size).toBeGreaterThan(150);
    },
  );

  it('rejects malformed options with a ConfigError naming the field', () => {
    const bad = (extra: object) => () => new CellSpace({ input: [1, 28, 28], classes: 10, ...extra });
    expect(bad({ blocks: 0 })).toThrow(ConfigError);
    expect(bad({ blocks: 0 })).toThrow('blocks: Too small');
    expect(bad({ cells: 1.5 })).toThrow('cells: Invalid input: expected int');
    expect(bad({ channels: -1 })).toThrow('channels: Too small');
    expect(bad({ ops: ['conv3x3'] })).toThrow(/ops\[0\]: Invalid option.*found string "conv3x3"/);
    expect(bad({ ops: [] })).toThrow('ops: at least one choice');
    expect(bad({ input: 'mnist' })).toThrow('input: expected [channels, height, width]');
    expect(bad({ reduction: 2 })).toThrow('Unrecognized key: "reduction"');
  });

  it('rejects incomplete samples and malformed keys', () => {
    const space = new CellSpace(SMALL);
    expect(() => space.decode({ normal_2_in1: 0 })).toThrow(InvalidArchitectureError);
    expect(() => space.key({ ...HAND, normal_3_in1: 3 })).toThrow('decision "normal_3_in1" has 3');
    expect(() => space.sampleFromKey('normal()')).toThrow('expected "normal(...) reduce(...)"');
    expect(() => space.sampleFromKey(HAND_KEY.replace('|avgpool3x3~0+maxpool3x3~2', ''))).toThrow(
      'normal has 1 blocks, the space 2',
    );
    expect(() => space.sampleFromKey(HAND_KEY.replace('maxpool3x3~2', 'maxpool3x3~3'))).toThrow(
      'normal block 3: input 3 must be below 3',
    );
    expect(() => space.sampleFromKey(HAND_KEY.replace('identity~1', 'conv~1'))).toThrow(
      'op "conv" is not one of',
    );
    expect(() => space.sampleFromKey(HAND_KEY.replace('normal(', 'reduce('))).toThrow('expected normal(...)');
  });

  it('writes every option in toJSON', () => {
    expect(new CellSpace({ input: [1, 28, 28], classes: 10 }).toJSON()).toEqual({
      type: 'cell',
      name: 'cell',
      input: [1, 28, 28],
      classes: 10,
      blocks: 3,
      cells: 1,
      channels: 8,
      ops: ['identity', 'sepconv3x3', 'sepconv5x5', 'avgpool3x3', 'maxpool3x3'],
    });
  });
});
