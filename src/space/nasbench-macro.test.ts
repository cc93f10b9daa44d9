import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { MACRO_CHOICES, NasbenchMacroSpace, macroSampleFromKey } from './nasbench-macro.js';
import { countArchitectures, decisionsOf, randomSample } from './walk.js';

describe('NasbenchMacroSpace', () => {
  const space = new NasbenchMacroSpace();

  it('asks layer_0..layer_7 with the three block choices', () => {
    const decisions = decisionsOf(space, macroSampleFromKey('01201210'));
    expect(decisions.map((d) => d.name)).toEqual(Array.from({ length: 8 }, (_, i) => `layer_${i}`));
    for (const d of decisions) expect(d.choices).toEqual(['identity', 'mb_e3_k3', 'mb_e6_k5']);
    expect(countArchitectures(space)).toBe(6561);
  });

  it('maps benchmark digits to choices and back', () => {
    const sample = macroSampleFromKey('01201210');
    expect(sample).toEqual({
      layer_0: 'identity',
      layer_1: 'mb_e3_k3',
      layer_2: 'mb_e6_k5',
      layer_3: 'identity',
      layer_4: 'mb_e3_k3',
      layer_5: 'mb_e6_k5',
      layer_6: 'mb_e3_k3',
      layer_7: 'identity',
    });
    expect(space.key(sample)).toBe('01201210');
    const rng = new Rng(3);
    for (let i = 0; i < 100; i++) {
      const s = randomSample(space, rng);
      expect(macroSampleFromKey(space.key(s))).toEqual(s);
    }
  });

  it('refuses samples it cannot key', () => {
    const sample = { ...macroSampleFromKey('00000000'), layer_3: 'conv' };
    expect(() => space.key(sample)).toThrow(InvalidArchitectureError);
    expect(() => space.key(sample)).toThrow(/layer_3/);
    expect(() => space.key({ layer_0: 'identity' })).toThrow(/layer_1" is missing/);
  });

  it('decodes to a chain with block attributes', () => {
    const graph = space.decode(macroSampleFromKey('20000001'));
    expect(graph.kind).toBe('chain');
    expect(graph.nodes).toHaveLength(9);
    expect(graph.nodes[1]).toEqual({
      id: 'layer_0',
      op: 'mb_e6_k5',
      inputs: ['input'],
      attrs: { expansion: 6, kernel: 5 },
    });
    expect(graph.nodes[2]).toEqual({ id: 'layer_1', op: 'identity', inputs: ['layer_0'] });
    expect(graph.nodes[8]?.attrs).toEqual({ expansion: 3, kernel: 3 });
    expect(space.toJSON()).toEqual({ type: 'nasbench-macro' });
    expect(MACRO_CHOICES).toHaveLength(3);
  });

  it.each(['0120121', '012012103', '01201213', 'abcdefgh'])('rejects the key %j', (text) => {
    expect(() => macroSampleFromKey(text)).toThrow(ConfigError);
    expect(() => macroSampleFromKey(text)).toThrow(/expected 8 digits, each 0 \(identity\)/);
  });
});
