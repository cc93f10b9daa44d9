import { describe, expect, it } from 'vitest';
import { InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Sample } from '../core/types.js';
import { countFlops, countParams } from '../graph/count.js';
import { ChainSpace, type ChainLayer, type ChainOptionsInput } from './chain.js';
import { countArchitectures, decisionsOf, enumerate, randomSample, validateSample } from './walk.js';

const HAND = {
  layer_0: 'conv',
  filters_0: 16,
  kernel_0: 3,
  layer_1: 'pool',
  pool_1: 'max',
  layer_2: 'conv',
  filters_2: 32,
  kernel_2: 5,
  layer_3: 'fc',
  units_3: 64,
  layer_4: 'terminate',
};

/** Checks MetaQNN's ordering rules on a decoded layer list. */
function checkOrder(layers: readonly ChainLayer[], maxLayers: number, maxFc: number): void {
  expect(layers.length).toBeLessThanOrEqual(maxLayers);
  expect(layers.filter((l) => l.kind === 'fc').length).toBeLessThanOrEqual(maxFc);
  layers.forEach((l, i) => {
    const prev = layers[i - 1];
    if (prev?.kind === 'fc') expect(l.kind).toBe('fc');
    if (prev?.kind === 'pool') expect(l.kind).not.toBe('pool');
  });
}

describe('ChainSpace', () => {
  it('decodes a hand-checked sample: shapes, parameters, FLOPs and key', () => {
    const space = new ChainSpace({ input: [1, 28, 28], classes: 10 });
    validateSample(space, HAND);
    expect(space.key(HAND)).toBe('C(16,3,1)-P(max,2,2)-C(32,5,1)-FC(64)-T');
    const g = space.decode(HAND);
    const shape = (name: string) => g.value(name).shape;
    expect(g.inputs.map((v) => [v.name, v.shape, v.dtype])).toEqual([
      ['x', ['N', 1, 28, 28], 'float32'],
      ['labels', ['N'], 'int64'],
    ]);
    expect(shape('relu_0')).toEqual(['N', 16, 28, 28]);
    expect(shape('pool_1')).toEqual(['N', 16, 14, 14]);
    expect(shape('relu_2')).toEqual(['N', 32, 14, 14]);
    expect(shape('flatten')).toEqual(['N', 16 * 14 * 14 * 2]);
    expect(shape('fc_relu_3')).toEqual(['N', 64]);
    expect(g.outputs.map((v) => [v.name, v.shape])).toEqual([
      ['logits', ['N', 10]],
      ['loss', []],
    ]);
    expect(g.node('conv_2')?.attrs).toMatchObject({ kernel: [5, 5], stride: [1, 1], pads: [2, 2, 2, 2] });
    expect(g.node('pool_1')?.op).toBe('maxPool');
    // conv 1*9*16+16, conv 16*25*32+32, fc 6272*64+64, logits 64*10+10.
    expect(countParams(g)).toBe(160 + 12832 + 401472 + 650);
    expect(countFlops(g)).toBe(160 * 784 + 12832 * 196 + 401472 + 650);
  });

  it('adds batch norm after every conv and dropout before every dense layer when asked', () => {
    const space = new ChainSpace({ input: [1, 28, 28], classes: 10, batchNorm: true, dropout: 0.3 });
    const g = space.decode(HAND);
    const ops = g.nodes.map((n) => `${n.op}:${n.name}`);
    expect(ops.filter((o) => /^(conv2d|batchNorm|relu|dropout|dense):/.test(o))).toEqual([
      'conv2d:conv_0',
      'batchNorm:bn_0',
      'relu:relu_0',
      'conv2d:conv_2',
      'batchNorm:bn_2',
      'relu:relu_2',
      'dropout:drop_3',
      'dense:fc_3',
      'relu:fc_relu_3',
      'dropout:drop_logits',
      'dense:logits',
    ]);
    expect(g.node('drop_3')?.attrs).toEqual({ rate: 0.3 });
    // The convs lose their bias (the norm's beta replaces it); each norm adds gamma and beta.
    expect(countParams(g)).toBe(160 - 16 + 32 + 12832 - 32 + 64 + 401472 + 650);
    expect(space.toJSON()).toMatchObject({ batchNorm: true, dropout: 0.3 });
    expect(() => new ChainSpace({ input: [1, 28, 28], classes: 10, dropout: 1 })).toThrow(/dropout/);
  });

  it('asks only real choices: stride and window are implied when they have one option', () => {
    const space = new ChainSpace({ input: [1, 28, 28], classes: 10 });
    expect(decisionsOf(space, HAND).map((d) => d.name)).toEqual(Object.keys(HAND));
    expect(space.next({})).toEqual({ name: 'layer_0', choices: ['conv', 'pool', 'fc', 'terminate'] });
  });

  it('offers only choices that fit the representation size', () => {
    const space = new ChainSpace({
      input: [3, 6, 6],
      classes: 2,
      convStrides: [1, 2],
      poolWindows: [
        [2, 2],
        [3, 2],
      ],
    });
    // 6x6: every kernel fits.
    expect(space.next({ layer_0: 'conv', filters_0: 16 })?.choices).toEqual([1, 3, 5]);
    // pool 3/2: 6 -> 2; then kernels up to 2, stride 2 still fits, pooling is not offered twice.
    const pooled = { layer_0: 'pool', pool_0: 'avg', window_0: 'k3s2' };
    expect(space.next(pooled)).toEqual({ name: 'layer_1', choices: ['conv', 'fc', 'terminate'] });
    expect(space.next({ ...pooled, layer_1: 'conv', filters_1: 16 })).toEqual({
      name: 'stride_1',
      choices: [1, 2],
    });
    // conv stride 2 from 2x2 -> 1x1: only 1x1 kernels, stride 1, no pool.
    const tiny = { ...pooled, layer_1: 'conv', filters_1: 16, stride_1: 2 };
    expect(space.next(tiny)).toEqual({ name: 'layer_2', choices: ['conv', 'fc', 'terminate'] });
    expect(space.next({ ...tiny, layer_2: 'conv' })).toEqual({ name: 'filters_2', choices: [16, 32, 64] });
    expect(space.next({ ...tiny, layer_2: 'conv', filters_2: 16 })).toEqual({
      name: 'layer_3',
      choices: ['conv', 'fc', 'terminate'],
    });
    // after fc: fc or terminate; at maxFc only terminate, which is implied (the sample is complete).
    const fc = { layer_0: 'fc', units_0: 64 };
    expect(space.next(fc)).toEqual({ name: 'layer_1', choices: ['fc', 'terminate'] });
    expect(space.next({ ...fc, layer_1: 'fc', units_1: 128 })).toBeNull();
    expect(space.key({ ...fc, layer_1: 'fc', units_1: 128 })).toBe('FC(64)-FC(128)-T');
    expect(() => space.next({ layer_0: 'pool', pool_0: 'max', window_0: 'k2s2', layer_1: 'pool' })).toThrow(
      new InvalidArchitectureError('chain: decision "layer_1" has "pool", allowed here: conv, fc, terminate'),
    );
  });

  it('terminates at maxLayers and applies fcMaxSize to the first fc layer', () => {
    const space = new ChainSpace({ input: [1, 16, 16], classes: 3, maxLayers: 2, fcMaxSize: 8 });
    expect(space.next({})?.choices).toEqual(['conv', 'pool', 'terminate']);
    const pooled = { layer_0: 'pool', pool_0: 'max' };
    expect(space.next(pooled)?.choices).toEqual(['conv', 'fc', 'terminate']);
    expect(space.next({ ...pooled, layer_1: 'fc', units_1: 64 })).toBeNull();
    expect(() => space.key(pooled)).toThrow('decision "layer_1" is missing');
  });

  it.each([
    ['defaults on 28x28', false, { input: [1, 28, 28], classes: 10 }],
    [
      'strides, overlapping pools and small maps',
      true,
      {
        input: [3, 9, 7],
        classes: 5,
        maxLayers: 8,
        convKernels: [1, 2, 3, 5, 7],
        convStrides: [1, 2, 3],
        poolWindows: [
          [2, 2],
          [3, 2],
          [3, 3],
        ],
        maxFc: 3,
      },
    ],
  ] satisfies [string, boolean, ChainOptionsInput][])(
    '2,000 seeded random samples all decode (%s)',
    (_label, reachesOne, options) => {
      const space = new ChainSpace(options);
      const rng = new Rng(42);
      const keys = new Set<string>();
      let longest = 0;
      let reachedOne = 0;
      for (let i = 0; i < 2000; i++) {
        const sample = randomSample(space, rng);
        validateSample(space, sample);
        const g = space.decode(sample);
        expect(g.value('logits').shape).toEqual(['N', options.classes]);
        const key = space.key(sample);
        expect(space.sampleFromKey(key)).toEqual(sample);
        const layers = space.layers(sample);
        checkOrder(layers, space.options.maxLayers, space.options.maxFc);
        longest = Math.max(longest, layers.length);
        // A feature map shrunk to a single row or column: the size rules were exercised at their edge.
        if (g.nodes.some((n) => n.output.shape.length === 4 && n.output.shape.slice(2).includes(1)))
          reachedOne++;
        keys.add(key);
      }
      // Random walks stop early often (terminate is always offered), so short chains repeat.
      expect(keys.size).toBeGreaterThan(400);
      expect(longest).toBe(space.options.maxLayers);
      // 28x28 with stride-1 convs needs 4 pools (7 layers) to reach 1; the small maps get there often.
      expect(reachedOne > 0).toBe(reachesOne);
    },
  );
  it('enumerates a tiny space: 15 architectures, counted by hand, unique keys that round-trip', () => {
    const space = new ChainSpace({
      input: [1, 4, 4],
      classes: 2,
      maxLayers: 2,
      convFilters: [8],
      convKernels: [1, 3],
      poolKinds: ['max'],
      fcSizes: [16],
      maxFc: 1,
    });
    // T; C(k) then {C(1), C(3), P, FC, T} for k in {1, 3}; P (4 -> 2) then {C(1), FC, T}; FC then T.
    expect(countArchitectures(space)).toBe(1 + 2 * 5 + 3 + 1);
    const samples = enumerate(space, 100);
    const keys = samples.map((s) => space.key(s));
    expect(new Set(keys).size).toBe(15);
    expect(keys).toContain('P(max,2,2)-C(8,1,1)-T');
    expect(keys).not.toContain('P(max,2,2)-C(8,3,1)-T');
    samples.forEach((s, i) => expect(space.sampleFromKey(keys[i] as string)).toEqual(s));
    expect(space.sampleFromKey('T')).toEqual({ layer_0: 'terminate' });
  });

  it('rejects keys the space cannot produce, naming the decision', () => {
    const space = new ChainSpace({ input: [1, 4, 4], classes: 2, maxLayers: 2 });
    expect(() => space.sampleFromKey('C(8,3,1)-T')).toThrow(
      'decision "filters_0" allows 16, 32, 64, the key asks 8',
    );
    expect(() => space.sampleFromKey('P(max,2,2)-P(max,2,2)-T')).toThrow('decision "layer_1"');
    expect(() => space.sampleFromKey('C(16,3,1)-C(16,3,1)-C(16,3,1)-T')).toThrow('it stops at');
    expect(() => space.sampleFromKey('X(1)-T')).toThrow('layer 0 "X(1)" is not');
    expect(() => space.sampleFromKey('C(16,3,1)')).toThrow('must end with "-T"');
  });

  it('gives the agent depth, layer type and size bin', () => {
    const space = new ChainSpace({ input: [1, 28, 28], classes: 10 });
    const states: string[] = [];
    const prefix: Record<string, Sample[string]> = {};
    for (const [name, value] of Object.entries(HAND)) {
      states.push(space.agentState(prefix));
      prefix[name] = value;
    }
    states.push(space.agentState(prefix));
    expect(states).toEqual([
      'd0 input r8+',
      'd0 conv.filters r8+',
      'd0 conv.kernel r8+',
      'd1 conv r8+',
      'd1 pool.pool r8+',
      'd2 pool r8+',
      'd2 conv.filters r8+',
      'd2 conv.kernel r8+',
      'd3 conv r8+',
      'd3 fc.units r8+',
      'd4 fc flat',
      'done',
    ]);
    const small = new ChainSpace({ input: [1, 7, 7], classes: 2 });
    expect(small.agentState({ layer_0: 'pool', pool_0: 'max' })).toBe('d1 pool r1-3');
    expect(small.agentState({})).toBe('d0 input r4-7');
  });
});
