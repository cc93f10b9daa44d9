import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { countParams } from '../graph/count.js';
import { MorphSpace } from './morph.js';
import { createSpace } from './registry.js';
import { randomSample, validateSample } from './walk.js';

const SPEC = {
  type: 'morph',
  base: { type: 'chain', input: [1, 8, 8], classes: 3, convFilters: [4], fcSizes: [6] },
  start: 'C(4,3,1)-P(max,2,2)-FC(6)-T',
  widths: [4, 6, 8],
  kernels: [1, 3],
  maxSteps: 4,
};

describe('MorphSpace', () => {
  const space = createSpace(SPEC) as MorphSpace;

  it('offers the transformations of the network so far, then end', () => {
    const first = space.next({});
    expect(first?.name).toBe('m0');
    expect(first?.choices).toEqual([
      'end',
      'widen:conv_0',
      'widen:fc_2',
      'deepen:conv_0:k1',
      'deepen:conv_0:k3',
      'deepen:relu_0:k1',
      'deepen:relu_0:k3',
      'deepen:pool_1:k1',
      'deepen:pool_1:k3',
      'deepen:flatten',
      'deepen:fc_2',
      'deepen:fc_relu_2',
      // Only hidden layers split (not the classifier).
      'split:conv_0:add',
      'split:conv_0:concat',
      'split:fc_2:add',
      'split:fc_2:concat',
    ]);
    expect(space.next({ m0: 'end' })).toBeNull();
    // conv_0 went to 8, the widest width: it is not offered again.
    expect(space.next({ m0: 'widen:conv_0', m1: 'widen:conv_0' })?.choices).not.toContain('widen:conv_0');
  });

  it('decodes a sample to the grown network; key = start key + transformations', () => {
    const sample = space.sampleOf(['widen:conv_0', 'deepen:relu_0:k3']);
    expect(sample).toEqual({ m0: 'widen:conv_0', m1: 'deepen:relu_0:k3', m2: 'end' });
    validateSample(space, sample);
    expect(space.key(sample)).toBe('C(4,3,1)-P(max,2,2)-FC(6)-T + widen:conv_0 + deepen:relu_0:k3');
    expect(space.key(space.sampleOf([]))).toBe('C(4,3,1)-P(max,2,2)-FC(6)-T');
    const graph = space.decode(sample);
    expect(graph.node('conv_0')?.output.shape).toEqual(['N', 6, 8, 8]);
    expect(graph.node('relu_0/deeper/conv')?.op).toBe('conv2d');
    expect(countParams(graph)).toBeGreaterThan(countParams(space.decode(space.sampleOf([]))));
    expect(space.specs(space.steps(sample))).toEqual([
      { kind: 'widen', layer: 'conv_0', width: 6 },
      { kind: 'deepen', after: 'relu_0', kernel: 3 },
    ]);
    // maxSteps long: no end marker.
    expect(
      Object.keys(space.sampleOf(['widen:fc_2', 'widen:fc_2', 'deepen:flatten', 'deepen:flatten'])),
    ).toHaveLength(4);
  });

  it('is walked by any strategy: random samples validate and decode', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 20; i++) {
      const sample = randomSample(space, rng);
      validateSample(space, sample);
      expect(space.decode(sample).outputs.length).toBeGreaterThan(0);
    }
  });

  it('rejects a transformation that does not apply, and rebuilds from toJSON', () => {
    expect(() => space.decode({ m0: 'widen:logits', m1: 'end' })).toThrow(InvalidArchitectureError);
    expect(() => validateSample(space, { m0: 'widen:nope', m1: 'end' })).toThrow(/m0/);
    const again = createSpace(space.toJSON()) as MorphSpace;
    const sample = space.sampleOf(['split:conv_0:concat']);
    expect(again.key(sample)).toBe(space.key(sample));
    expect(again.decode(sample).toJSON()).toEqual(space.decode(sample).toJSON());
  });

  it('explains bad specs', () => {
    expect(() => createSpace({ ...SPEC, start: 'C(5,3,1)-T' })).toThrow(ConfigError);
    expect(() => createSpace({ ...SPEC, kernels: [2] })).toThrow(/kernels\[0\]: kernels must be odd/);
    expect(() => createSpace({ ...SPEC, base: { type: 'nb201' }, start: { a: 1 } })).toThrow(ConfigError);
  });
});
