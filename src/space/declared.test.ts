import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Sample } from '../core/types.js';
import { DeclaredSpace, declaredSpaceFromConfig } from './declared.js';
import { countArchitectures, decisionsOf, enumerate, randomSample, validateSample } from './walk.js';

const NESTED = [
  { name: 'depth', choices: [2, 3, 4] },
  {
    repeat: 'depth',
    decisions: [
      { name: 'op', choices: ['conv3x3', 'conv5x5', 'maxpool'] },
      { name: 'filters', choices: [16, 32, 64], when: { op: ['conv3x3', 'conv5x5'] } },
    ],
  },
];

describe('DeclaredSpace: flat', () => {
  const space = declaredSpaceFromConfig(
    'flat',
    [
      { name: 'e0', choices: ['none', 'conv'] },
      { name: 'e1', choices: [1, 2, 3] },
    ],
    'test',
  );

  it('asks the decisions in order and keys them name=value', () => {
    expect(space.next({})).toEqual({ name: 'e0', choices: ['none', 'conv'] });
    expect(space.next({ e0: 'conv' })?.name).toBe('e1');
    expect(space.next({ e0: 'conv', e1: 2 })).toBeNull();
    expect(space.key({ e0: 'conv', e1: 2 })).toBe('e0=conv,e1=2');
    expect(countArchitectures(space)).toBe(6);
  });

  it('hands out the same decision object each time (no per-call allocation)', () => {
    expect(space.next({})).toBe(space.next({}));
  });

  it('decodes to a chain of decision nodes', () => {
    expect(space.decode({ e0: 'none', e1: 3 })).toEqual({
      kind: 'decisions',
      nodes: [
        { id: 'e0', op: 'none', inputs: [], attrs: { value: 'none' } },
        { id: 'e1', op: '3', inputs: ['e0'], attrs: { value: 3 } },
      ],
    });
  });

  it('refuses an incomplete sample in key()', () => {
    expect(() => space.key({ e0: 'none' })).toThrow(InvalidArchitectureError);
    expect(() => space.key({ e0: 'none' })).toThrow(/decision "e1" is missing/);
  });
});

describe('DeclaredSpace: conditional decisions', () => {
  const space = declaredSpaceFromConfig(
    'cond',
    [
      { name: 'op', choices: ['conv', 'pool', 'skip'] },
      { name: 'filters', choices: [16, 32], when: { op: ['conv'] } },
      { name: 'kernel', choices: [3, 5], when: { op: ['conv', 'pool'], filters: [32] } },
    ],
    'test',
  );

  it('asks a decision only when its condition holds', () => {
    expect(space.next({ op: 'skip' })).toBeNull();
    expect(space.next({ op: 'conv' })?.name).toBe('filters');
    expect(space.next({ op: 'conv', filters: 16 })).toBeNull();
    expect(space.next({ op: 'conv', filters: 32 })?.name).toBe('kernel');
  });

  it('treats a decision that was not asked as not matching', () => {
    // pool skips filters, so `filters: [32]` cannot hold and kernel is not asked either.
    expect(space.next({ op: 'pool' })).toBeNull();
    expect(space.key({ op: 'pool' })).toBe('op=pool');
  });

  it('counts and enumerates the tree: skip, pool, conv16, conv32 x 2 kernels', () => {
    expect(countArchitectures(space)).toBe(5);
    expect(enumerate(space, 10).map((s) => space.key(s))).toEqual([
      'op=conv,filters=16',
      'op=conv,filters=32,kernel=3',
      'op=conv,filters=32,kernel=5',
      'op=pool',
      'op=skip',
    ]);
  });

  it('rejects samples carrying decisions that were not asked', () => {
    expect(() => validateSample(space, { op: 'skip', filters: 16 })).toThrow(/"filters" is not part/);
  });
});

describe('DeclaredSpace: repeat', () => {
  const space = declaredSpaceFromConfig('nested', NESTED, 'test');

  it('repeats the nested decisions `depth` times with _<i> names', () => {
    const sample: Sample = {
      depth: 3,
      op_0: 'conv3x3',
      filters_0: 16,
      op_1: 'maxpool',
      op_2: 'conv5x5',
      filters_2: 64,
    };
    expect(decisionsOf(space, sample).map((d) => d.name)).toEqual([
      'depth',
      'op_0',
      'filters_0',
      'op_1',
      'op_2',
      'filters_2',
    ]);
    expect(space.key(sample)).toBe(
      'depth=3,op_0=conv3x3,filters_0=16,op_1=maxpool,op_2=conv5x5,filters_2=64',
    );
    expect(space.next({ depth: 2, op_0: 'maxpool' })?.name).toBe('op_1');
    expect(space.next({ depth: 2, op_0: 'conv3x3' })?.name).toBe('filters_0');
  });

  it('counts 7^2 + 7^3 + 7^4 architectures (each layer: maxpool or 2 convs x 3 filters)', () => {
    expect(countArchitectures(space)).toBe(49 + 343 + 2401);
  });

  it('gives distinct keys to distinct samples and valid random samples', () => {
    const all = enumerate(space, 5000);
    expect(new Set(all.map((s) => space.key(s))).size).toBe(all.length);
    const rng = new Rng(11);
    for (let i = 0; i < 50; i++) expect(() => validateSample(space, randomSample(space, rng))).not.toThrow();
  });

  it('supports a fixed count, nested repeats and conditions on outer decisions', () => {
    const nested = declaredSpaceFromConfig(
      'grid',
      [
        { name: 'wide', choices: ['yes', 'no'] },
        {
          repeat: 2,
          decisions: [
            { name: 'cells', choices: [0, 1, 2] },
            {
              repeat: 'cells',
              decisions: [{ name: 'op', choices: ['a', 'b'], when: { wide: ['yes'] } }],
            },
          ],
        },
      ],
      'test',
    );
    const sample = { wide: 'yes', cells_0: 2, op_0_0: 'a', op_0_1: 'b', cells_1: 1, op_1_0: 'b' };
    expect(nested.key(sample)).toBe('wide=yes,cells_0=2,op_0_0=a,op_0_1=b,cells_1=1,op_1_0=b');
    expect(nested.key({ wide: 'no', cells_0: 2, cells_1: 0 })).toBe('wide=no,cells_0=2,cells_1=0');
    // wide=no: 3 x 3; wide=yes: (1 + 2 + 4)^2.
    expect(countArchitectures(nested)).toBe(9 + 49);
  });

  it('lets a condition inside a repeat refer to the same iteration', () => {
    const sample = { depth: 2, op_0: 'maxpool', op_1: 'conv3x3' };
    expect(space.next(sample)?.name).toBe('filters_1');
  });

  it('serialises to a spec that rebuilds the same space', () => {
    const spec = space.toJSON();
    expect(spec).toEqual({ type: 'declared', name: 'nested', decisions: NESTED });
    const copy = declaredSpaceFromConfig('nested', spec['decisions'], 'spec');
    expect(countArchitectures(copy)).toBe(countArchitectures(space));
  });

  it('rejects invalid decisions passed straight to the constructor', () => {
    expect(() => new DeclaredSpace('raw', [{ name: 'a', choices: [1], when: { b: [1] } }])).toThrow(
      ConfigError,
    );
    expect(() => new DeclaredSpace('raw', [{ name: 'a', choices: [1], when: { b: [1] } }])).toThrow(
      /space "raw": invalid decisions\n {2}decisions\[0\]\.when\.b: there is no decision "b"/,
    );
  });
});
