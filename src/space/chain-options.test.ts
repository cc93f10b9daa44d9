import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import type { SpaceSpec } from '../core/space.js';
import { ChainSpace, chainSpaceFromSpec } from './chain.js';
import { enumerate } from './walk.js';

describe('chain space options', () => {
  it('writes every option out and rebuilds the same space from JSON', () => {
    const space = new ChainSpace({ name: 'tiny', input: [1, 5, 5], classes: 3, maxLayers: 2, fcMaxSize: 4 });
    expect(space.toJSON()).toEqual({
      type: 'chain',
      name: 'tiny',
      input: [1, 5, 5],
      classes: 3,
      maxLayers: 2,
      convFilters: [16, 32, 64],
      convKernels: [1, 3, 5],
      convStrides: [1],
      poolKinds: ['max', 'avg'],
      poolWindows: [[2, 2]],
      fcSizes: [64, 128],
      maxFc: 2,
      batchNorm: false,
      dropout: 0,
      fcMaxSize: 4,
    });
    const rebuilt = chainSpaceFromSpec(JSON.parse(JSON.stringify(space.toJSON())) as SpaceSpec);
    expect(rebuilt.name).toBe('tiny');
    expect(rebuilt.toJSON()).toEqual(space.toJSON());
    const keys = (s: ChainSpace) => enumerate(s, 5000).map((x) => s.key(x));
    expect(keys(rebuilt)).toEqual(keys(space));
    expect(new ChainSpace({ input: [1, 5, 5], classes: 3 }).toJSON()).not.toHaveProperty('fcMaxSize');
  });

  it('names the bad field', () => {
    const bad = (spec: Record<string, unknown>) => () =>
      chainSpaceFromSpec({ type: 'chain', ...spec } as SpaceSpec);
    expect(bad({ input: [1, 28], classes: 10 })).toThrow(ConfigError);
    expect(bad({ input: [1, 28], classes: 10 })).toThrow(/space "chain": invalid configuration\n {2}input/);
    expect(bad({ input: [1, 8, 8], classes: 1 })).toThrow(/classes/);
    expect(bad({ input: [1, 8, 8], classes: 2, convKernels: [3, 3] })).toThrow(
      'convKernels: convKernels: each choice once (remove the duplicate)',
    );
    expect(bad({ input: [1, 8, 8], classes: 2, poolKinds: ['min'] })).toThrow(/poolKinds\[0\]/);
    expect(bad({ input: [1, 8, 8], classes: 2, convFilters: [] })).toThrow(/at least one filter count/);
    expect(bad({ name: 'mine', input: [1, 8, 8], classes: 2, maxLayer: 3 })).toThrow(
      /space "mine": invalid configuration\n.*maxLayer/,
    );
  });
});
