import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { NB201_OPS, Nb201Space, nb201SampleFromKey } from './nb201.js';
import { countArchitectures, decisionsOf, enumerate, randomSample } from './walk.js';

const RESNET = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';
const EXAMPLE =
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|';

describe('Nb201Space', () => {
  const space = new Nb201Space();

  it('asks the six edges in the benchmark order, each with the five ops', () => {
    const sample = nb201SampleFromKey(EXAMPLE);
    const decisions = decisionsOf(space, sample);
    expect(decisions.map((d) => d.name)).toEqual([
      'edge_1_0',
      'edge_2_0',
      'edge_2_1',
      'edge_3_0',
      'edge_3_1',
      'edge_3_2',
    ]);
    for (const d of decisions) expect(d.choices).toEqual([...NB201_OPS]);
    expect(space.next(sample)).toBeNull();
    expect(space.next({ edge_1_0: 'none' })?.name).toBe('edge_2_0');
  });

  it('has 5^6 architectures', () => {
    expect(countArchitectures(space)).toBe(15625);
  });

  it('keys a sample as the benchmark arch string', () => {
    const sample = {
      edge_1_0: 'nor_conv_3x3',
      edge_2_0: 'nor_conv_3x3',
      edge_2_1: 'nor_conv_3x3',
      edge_3_0: 'skip_connect',
      edge_3_1: 'nor_conv_3x3',
      edge_3_2: 'nor_conv_1x1',
    };
    expect(space.key(sample)).toBe(EXAMPLE);
    expect(nb201SampleFromKey(EXAMPLE)).toEqual(sample);
  });

  it('round-trips key <-> sample for random and enumerated samples', () => {
    const rng = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const sample = randomSample(space, rng);
      expect(nb201SampleFromKey(space.key(sample))).toEqual(sample);
    }
    const keys = new Set(enumerate(space, 20000).map((s) => space.key(s)));
    expect(keys.size).toBe(15625);
  });

  it('refuses an incomplete sample in key()', () => {
    expect(() => space.key({ edge_1_0: 'none' })).toThrow(InvalidArchitectureError);
    expect(() => space.key({ edge_1_0: 'none' })).toThrow(/edge_2_0/);
  });

  it('decodes to a 4-node cell with one op node per edge', () => {
    const graph = space.decode(nb201SampleFromKey(RESNET));
    expect(graph.kind).toBe('cell');
    expect(graph.nodes.map((n) => n.id)).toEqual([
      'n0',
      'edge_1_0',
      'n1',
      'edge_2_0',
      'edge_2_1',
      'n2',
      'edge_3_0',
      'edge_3_1',
      'edge_3_2',
      'n3',
    ]);
    const byId = new Map(graph.nodes.map((n) => [n.id, n]));
    expect(byId.get('edge_2_1')).toEqual({ id: 'edge_2_1', op: 'nor_conv_3x3', inputs: ['n1'] });
    expect(byId.get('n3')?.inputs).toEqual(['edge_3_0', 'edge_3_1', 'edge_3_2']);
    expect(byId.get('n0')?.op).toBe('input');
  });

  it('serialises to its type', () => {
    expect(space.toJSON()).toEqual({ type: 'nb201' });
  });
});

describe('nb201SampleFromKey', () => {
  it.each([
    ['', /not a NAS-Bench-201 arch string/],
    ['|nor_conv_3x3~0|+|nor_conv_3x3~0|', /expected \|op~0\|\+\|op~0\|op~1\|/],
    [RESNET.replace('~2|', '~1|'), /not a NAS-Bench-201 arch string/],
    [RESNET.replace('nor_conv_3x3~0', 'conv_7x7~0'), /unknown op "conv_7x7" on edge_1_0/],
  ])('rejects %j', (text, message) => {
    expect(() => nb201SampleFromKey(text)).toThrow(ConfigError);
    expect(() => nb201SampleFromKey(text)).toThrow(message);
  });
});
