import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import type { SearchSpace } from '../core/space.js';
import { declaredSpaceFromConfig } from './declared.js';
import { NasbenchMacroSpace } from './nasbench-macro.js';
import { Nb201Space } from './nb201.js';
import { createSpace, SPACE_TYPES } from './registry.js';
import { countArchitectures, enumerate } from './walk.js';

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
      'unknown space type "nb101"; known types: nb201, nasbench-macro, declared, chain',
    );
    expect(() => createSpace({ type: 'toString' })).toThrow(/unknown space type "toString"/);
    expect(SPACE_TYPES).toEqual(['nb201', 'nasbench-macro', 'declared', 'chain']);
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
});
