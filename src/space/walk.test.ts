import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidArchitectureError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { declaredSpaceFromConfig } from './declared.js';
import { NasbenchMacroSpace } from './nasbench-macro.js';
import { Nb201Space } from './nb201.js';
import {
  countArchitectures,
  decisionsOf,
  enumerate,
  mutate,
  randomSample,
  validateSample,
  walk,
} from './walk.js';

const conditional = declaredSpaceFromConfig(
  'cond',
  [
    { name: 'op', choices: ['conv', 'pool'] },
    { name: 'filters', choices: [16, 32, 64], when: { op: ['conv'] } },
    { name: 'fixed', choices: ['only'] },
  ],
  'test',
);

const differingDecisions = (a: Record<string, unknown>, b: Record<string, unknown>): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);

describe('walk helpers', () => {
  it('walk lets the chooser pick each step and sees the prefix', () => {
    const prefixes: string[][] = [];
    const sample = walk(conditional, (d, prefix) => {
      prefixes.push(Object.keys(prefix));
      return d.choices[0] as string | number;
    });
    expect(sample).toEqual({ op: 'conv', filters: 16, fixed: 'only' });
    expect(prefixes).toEqual([[], ['op'], ['op', 'filters']]);
  });

  it('randomSample is deterministic for a seed and varies across seeds', () => {
    const space = new Nb201Space();
    const a = randomSample(space, new Rng(5));
    expect(randomSample(space, new Rng(5))).toEqual(a);
    const keys = new Set(Array.from({ length: 20 }, (_, i) => space.key(randomSample(space, new Rng(i)))));
    expect(keys.size).toBeGreaterThan(15);
  });

  it('decisionsOf lists the decisions a sample went through', () => {
    expect(decisionsOf(conditional, { op: 'pool', fixed: 'only' }).map((d) => d.name)).toEqual([
      'op',
      'fixed',
    ]);
  });

  describe('validateSample', () => {
    it('accepts a complete sample', () => {
      expect(() => validateSample(conditional, { op: 'conv', filters: 32, fixed: 'only' })).not.toThrow();
    });
    it.each<[string, Record<string, string | number>, string]>([
      [
        'a missing decision',
        { op: 'conv', fixed: 'only' },
        'decision "filters" is missing (choices: 16, 32, 64)',
      ],
      [
        'a value outside the choices',
        { op: 'conv', filters: 48, fixed: 'only' },
        'decision "filters" has 48, expected one of: 16, 32, 64',
      ],
      [
        'a numeric string for a number',
        { op: 'conv', filters: '32', fixed: 'only' },
        'decision "filters" has "32"',
      ],
      [
        'a decision that was not asked',
        { op: 'pool', filters: 16, fixed: 'only' },
        'decision "filters" is not part of this architecture',
      ],
      [
        'an unknown decision',
        { op: 'pool', fixed: 'only', colour: 'red' },
        'decision "colour" is not part of this architecture',
      ],
    ])('rejects %s', (_label, sample, message) => {
      expect(() => validateSample(conditional, sample)).toThrow(InvalidArchitectureError);
      expect(() => validateSample(conditional, sample)).toThrow(message);
    });
  });

  describe('mutate', () => {
    it.each([new Nb201Space(), new NasbenchMacroSpace()])(
      'changes exactly one decision of $name',
      (space) => {
        const rng = new Rng(9);
        for (let i = 0; i < 100; i++) {
          const parent = randomSample(space, rng);
          const child = mutate(space, parent, rng);
          expect(differingDecisions(parent, child)).toHaveLength(1);
          expect(() => validateSample(space, child)).not.toThrow();
        }
      },
    );

    it('never picks a single-choice decision and fills newly asked ones', () => {
      const rng = new Rng(2);
      for (let i = 0; i < 50; i++) {
        const parent = { op: 'pool', fixed: 'only' };
        const child = mutate(conditional, parent, rng);
        expect(child['op']).toBe('conv');
        expect([16, 32, 64]).toContain(child['filters']);
        expect(child['fixed']).toBe('only');
      }
    });

    it('returns the parent when nothing can change', () => {
      const single = declaredSpaceFromConfig('one', [{ name: 'x', choices: [1] }], 'test');
      const parent = { x: 1 };
      expect(mutate(single, parent, new Rng(1))).toBe(parent);
    });
  });

  describe('enumerate and countArchitectures', () => {
    it('enumerates depth first in choice order', () => {
      expect(enumerate(conditional, 10)).toEqual([
        { op: 'conv', filters: 16, fixed: 'only' },
        { op: 'conv', filters: 32, fixed: 'only' },
        { op: 'conv', filters: 64, fixed: 'only' },
        { op: 'pool', fixed: 'only' },
      ]);
    });

    it('refuses to enumerate past the limit', () => {
      expect(() => enumerate(conditional, 3)).toThrow(ConfigError);
      expect(() => enumerate(new Nb201Space(), 1000)).toThrow(
        'space "nb201" has more than 1000 architectures; raise the limit or use another strategy',
      );
      expect(enumerate(conditional, 4)).toHaveLength(4);
    });

    it('counts up to the limit', () => {
      expect(countArchitectures(conditional)).toBe(4);
      expect(countArchitectures(new NasbenchMacroSpace())).toBe(6561);
      expect(countArchitectures(new Nb201Space(), 100)).toBe(101);
    });
  });
});
