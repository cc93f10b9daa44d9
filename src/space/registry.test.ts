import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import type { SearchSpace } from '../core/space.js';
import { CellSpace } from './cell.js';
import { ChainSpace } from './chain.js';
import { declaredSpaceFromConfig } from './declared.js';
import { MacroSpace } from './macro.js';
import { Nb201NetSpace } from './nb201-net.js';
import { NasbenchMacroSpace } from './nasbench-macro.js';
import { Nb201Space } from './nb201.js';
import { createSpace, registerSpace, spaceTypes } from './registry.js';
import { countArchitectures, enumerate, randomSample } from './walk.js';
import { Rng } from '../core/rng.js';

describe('createSpace', () => {
  it.each([
    new Nb201Space(),
    new NasbenchMacroSpace(),
    declaredSpaceFromConfig(
      'mine',
      [
        { name: 'depth', choices: [0, 1, 2] },
        { repeat: 'depth', decisions: [{ name: 'op', choices: ['a', 'b'] }] },
      ],
      'test',
    ),
  ])('rebuilds $name from its toJSON()', (space) => {
    const rebuilt = createSpace(JSON.parse(JSON.stringify(space.toJSON())));
    expect(rebuilt.name).toBe(space.name);
    expect(rebuilt.toJSON()).toEqual(space.toJSON());
    const keys = (s: SearchSpace<unknown>) => enumerate(s, 20000).map((x) => s.key(x));
    expect(keys(rebuilt)).toEqual(keys(space));
  });

  it('lists the known types for an unknown one', () => {
    expect(() => createSpace({ type: 'nb101' })).toThrow(ConfigError);
    expect(() => createSpace({ type: 'nb101' })).toThrow(
      'unknown space type "nb101"; known types: nb201, nasbench-macro, declared, chain, macro, cell, nb201-net, morph',
    );
    expect(() => createSpace({ type: 'toString' })).toThrow(/unknown space type "toString"/);
    expect(spaceTypes()).toEqual([
      'nb201',
      'nasbench-macro',
      'declared',
      'chain',
      'macro',
      'cell',
      'nb201-net',
      'morph',
    ]);
  });

  it('takes a space type registered from outside, and refuses a second registration', () => {
    registerSpace('test-two-bits', (spec) =>
      createSpace({
        type: 'declared',
        name: String(spec['name'] ?? 'two-bits'),
        decisions: [
          { name: 'a', choices: [0, 1] },
          { name: 'b', choices: [0, 1] },
        ],
      }),
    );
    expect(spaceTypes()).toContain('test-two-bits');
    expect(countArchitectures(createSpace({ type: 'test-two-bits' }))).toBe(4);
    expect(() => registerSpace('chain', () => createSpace({ type: 'nb201' }))).toThrow(/registered twice/);
  });

  it('validates a declared spec', () => {
    expect(() =>
      createSpace({ type: 'declared', name: 'bad', decisions: [{ name: 'a', choices: [] }] }),
    ).toThrow(
      'space "bad": invalid configuration\n  decisions[0].choices: a decision needs at least one choice',
    );
    expect(
      countArchitectures(
        createSpace({ type: 'declared', name: 'x', decisions: [{ name: 'a', choices: [1, 2] }] }),
      ),
    ).toBe(2);
  });

  it.each([
    new ChainSpace({ input: [1, 28, 28], classes: 10 }),
    new MacroSpace({ name: 'enas', input: [1, 28, 28], classes: 10, merge: 'add', reductions: [2] }),
    new CellSpace({ input: [3, 32, 32], classes: 10, blocks: 4, ops: ['identity', 'sepconv3x3'] }),
    new Nb201NetSpace({ input: [3, 32, 32], classes: 10, channels: 16, cells: 5 }),
  ])('rebuilds the network space $name from its toJSON(): same options, same keys', (space) => {
    const rebuilt = createSpace(JSON.parse(JSON.stringify(space.toJSON())));
    expect(rebuilt.name).toBe(space.name);
    expect(rebuilt.toJSON()).toEqual(space.toJSON());
    const a = new Rng(4);
    const b = new Rng(4);
    for (let i = 0; i < 20; i++)
      expect(rebuilt.key(randomSample(rebuilt, a))).toBe(space.key(randomSample(space, b)));
  });

  it('builds network spaces from a config section, defaults filled, bad fields named', () => {
    const macro = createSpace({ type: 'macro', input: [1, 28, 28], classes: 10 });
    expect(macro.toJSON()).toMatchObject({ layers: 6, channels: 16, merge: 'concat', reductions: [1, 3] });
    expect(createSpace({ type: 'cell', input: [1, 28, 28], classes: 10 }).toJSON()).toMatchObject({
      blocks: 3,
      cells: 1,
      channels: 8,
    });
    expect(createSpace({ type: 'nb201-net', input: [1, 28, 28], classes: 10 }).name).toBe('nb201-net');
    expect(() =>
      createSpace({ type: 'macro', name: 'm', input: [1, 28, 28], classes: 10, layers: 'six' }),
    ).toThrow('space "m": invalid configuration\n  layers: Invalid input: expected number, received string');
    expect(() => createSpace({ type: 'cell', input: [1, 28, 28] })).toThrow(ConfigError);
    expect(() => createSpace({ type: 'cell', input: [1, 28, 28] })).toThrow('classes: missing');
  });
});
