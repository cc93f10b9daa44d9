import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import {
  createStrategy,
  describeStrategies,
  parseOptionPairs,
  strategyEntry,
  strategyNames,
} from './registry.js';
import { context, flatSpace, Harness } from './toy.testkit.js';

const space = flatSpace(4, [0, 1, 2, 3]);

function configError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('strategy registry', () => {
  it('knows the built-in strategies', () => {
    expect(strategyNames()).toEqual(expect.arrayContaining(['random', 'grid', 'evolution']));
    // A strategy with its own evaluator searches that evaluator's space (morph, cell networks): its
    // own tests create it. Every other one works on any space, with its example options if it has any.
    const generic = strategyNames().filter((n) => strategyEntry(n).evaluator === undefined);
    expect(generic.length).toBeGreaterThan(10);
    for (const name of generic) {
      expect(createStrategy(name, strategyEntry(name).example ?? {}, space, 1).name).toBe(name);
    }
  });

  it('wraps any strategy in predictor screening with the screen option', () => {
    const toy = flatSpace(3, [0, 1]);
    const s = createStrategy('evolution', { population: 5, screen: 4 }, toy, 1);
    expect(s.name).toBe('screen');
    expect((s.state().data as { inner: { strategy: string } }).inner.strategy).toBe('evolution');
    expect(() => createStrategy('evolution', { screen: 0 }, toy, 1)).toThrow(/screen/);
  });

  it('refuses an unknown strategy, listing the known ones', () => {
    expect(configError(() => createStrategy('annealing', {}, space, 1))).toBe(
      `unknown strategy "annealing"; known strategies: ${strategyNames().join(', ')}`,
    );
  });

  it('refuses unknown options, naming the known ones', () => {
    expect(configError(() => createStrategy('evolution', { populaton: 20 }, space, 1))).toBe(
      'strategy "evolution" options: unknown option "populaton" (known options: population, sample)',
    );
    expect(configError(() => createStrategy('random', { limit: 5 }, space, 1))).toBe(
      'strategy "random" options: unknown option "limit" (it takes no options)',
    );
  });

  it('refuses a tournament larger than the population', () => {
    expect(configError(() => createStrategy('evolution', { population: 5, sample: 6 }, space, 1))).toBe(
      'strategy "evolution" options: invalid configuration\n' +
        '  sample: the tournament size must be at most the population (5), found number 6',
    );
    expect(configError(() => createStrategy('evolution', { sample: 11 }, space, 1))).toMatch(
      /sample: the tournament size must be at most the population \(10\)/,
    );
  });

  it('refuses options of the wrong type or range, naming the field', () => {
    expect(configError(() => createStrategy('evolution', { population: 'ten' }, space, 1))).toMatch(
      /^strategy "evolution" options: invalid configuration\n {2}population: .*expected number, received string/,
    );
    expect(configError(() => createStrategy('evolution', { population: 2.5 }, space, 1))).toMatch(
      /population: .*expected int, received number/,
    );
    expect(configError(() => createStrategy('grid', { shuffle: 'yes' }, space, 1))).toMatch(
      /shuffle: .*expected boolean/,
    );
    expect(configError(() => createStrategy('grid', { limit: 0 }, space, 1))).toMatch(/limit: .*>=\s*1/);
  });

  it('fills defaults: evolution proposes P = 10 initial architectures before it waits', async () => {
    const strategy = createStrategy('evolution', {}, space, 1);
    for (let i = 0; i < 10; i++) expect((await strategy.ask(context(space, i))).kind).toBe('trial');
    expect((await strategy.ask(context(space, 10))).kind).toBe('wait');
  });

  it('derives the strategy Rng from the seed: same seed, same run; another seed, another run', async () => {
    const run = async (seed: number): Promise<string[]> => {
      const h = new Harness(createStrategy('evolution', {}, space, seed), space, (s) => Number(s.d0));
      await h.run(60);
      return h.log;
    };
    expect(await run(4)).toEqual(await run(4));
    expect(await run(5)).not.toEqual(await run(4));
  });

  it('describes every strategy with its options and defaults', () => {
    const described = describeStrategies();
    expect(described.map((d) => d.name)).toEqual(strategyNames());
    const evolution = described.find((d) => d.name === 'evolution');
    expect(evolution?.description).toMatch(/regularized evolution/);
    expect(evolution?.options).toEqual([
      { name: 'population', default: 10, description: 'population size P' },
      { name: 'sample', default: 3, description: 'tournament size S (at most P)' },
    ]);
    const grid = described.find((d) => d.name === 'grid');
    expect(grid?.options.map((o) => [o.name, o.default])).toEqual([
      ['limit', 100_000],
      ['shuffle', false],
    ]);
    expect(described.find((d) => d.name === 'random')?.options).toEqual([]);
  });
});

describe('parseOptionPairs', () => {
  it('converts numbers and booleans, keeps other values as strings', () => {
    expect(
      parseOptionPairs([
        'population=20',
        'rate=0.5',
        'eps=-1e-3',
        'shuffle=true',
        'greedy=false',
        'name=lstm',
        'expr=a=b',
        'empty=',
        'hex=0x10',
        ' spaced = 7 ',
      ]),
    ).toEqual({
      population: 20,
      rate: 0.5,
      eps: -0.001,
      shuffle: true,
      greedy: false,
      name: 'lstm',
      expr: 'a=b',
      empty: '',
      hex: '0x10',
      spaced: 7,
    });
    expect(parseOptionPairs([])).toEqual({});
    // A prototype key stays an own option, so the strategy refuses it by name.
    expect(Object.keys(parseOptionPairs(['__proto__=1']))).toEqual(['__proto__']);
    expect(
      configError(() => createStrategy('evolution', parseOptionPairs(['__proto__=1']), space, 1)),
    ).toMatch(/unknown option "__proto__"/);
  });

  it('refuses a pair without key=value, showing the form', () => {
    expect(configError(() => parseOptionPairs(['population']))).toBe(
      '--opt "population": expected the form key=value (e.g. --opt population=20)',
    );
    expect(configError(() => parseOptionPairs(['=5']))).toMatch(/expected the form key=value/);
  });

  it('refuses the same key twice', () => {
    expect(configError(() => parseOptionPairs(['sample=2', 'sample=3']))).toBe(
      '--opt sample is given more than once',
    );
  });

  it('feeds createStrategy: a wrong value type is reported by the strategy schema', () => {
    expect(() =>
      createStrategy('evolution', parseOptionPairs(['population=20', 'sample=5']), space, 1),
    ).not.toThrow();
    expect(configError(() => createStrategy('grid', parseOptionPairs(['shuffle=1']), space, 1))).toMatch(
      /shuffle: .*expected boolean, received number/,
    );
  });
});
