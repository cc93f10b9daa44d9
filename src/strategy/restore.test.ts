import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { createStrategy } from './registry.js';
import { conditionalSpace, flatSpace, Harness, hashedObjective } from './toy.testkit.js';

const objective = hashedObjective;

const cases: [string, Record<string, unknown>][] = [
  ['random', {}],
  ['grid', {}],
  ['grid', { shuffle: true }],
  ['evolution', {}],
  ['evolution', { population: 4, sample: 4 }],
  ['mcts', {}],
  ['mcts', { backup: 'max', c: 1 }],
  ['qlearning', {}],
  ['blockqnn', {}],
  ['reinforce', {}],
  ['reinforce', { policy: 'lstm', hidden: 8 }],
  ['ppo', { policy: 'lstm', hidden: 8, batch: 3 }],
  ['bo', { predictor: 'gp', encoding: 'onehot', initial: 4 }],
  ['tpe', {}],
  [
    'screen',
    { inner: 'evolution', innerOptions: { population: 4, sample: 2 }, initial: 4, encoding: 'onehot' },
  ],
];

describe.each(cases)('%s %o: state() / restore()', (name, options) => {
  for (const space of [flatSpace(4, [0, 1, 2, 3]), conditionalSpace()]) {
    for (const concurrency of [1, 3]) {
      it(`continues exactly where it was saved (${space.name}, ${concurrency} in flight)`, async () => {
        for (const at of [2, 9, 40]) {
          const original = new Harness(
            createStrategy(name, options, space, 11),
            space,
            objective,
            concurrency,
          );
          await original.run(at);
          const { state, pending } = original.snapshot();
          const before = original.log.length;
          await original.run(120);

          // Another seed on purpose: everything that matters must come from the saved state.
          const fresh = createStrategy(name, options, space, 99);
          fresh.restore(state);
          const resumed = new Harness(fresh, space, objective, concurrency, pending);
          await resumed.run(120);
          expect(resumed.log.length).toBeGreaterThan(20);
          expect(resumed.log).toEqual(original.log.slice(before));
        }
      });
    }
  }

  it('refuses a state saved by another strategy, another version or corrupted', () => {
    const space = flatSpace(2, [0, 1]);
    const strategy = createStrategy(name, options, space, 1);
    const good = strategy.state();
    const other = name === 'random' ? 'grid' : 'random';
    expect(() => strategy.restore({ ...good, strategy: other })).toThrow(ConfigError);
    expect(() => strategy.restore({ ...good, strategy: other })).toThrow(
      `cannot restore strategy "${name}" from a saved "${other}" state`,
    );
    expect(() => strategy.restore({ ...good, version: 99 })).toThrow(
      `saved "${name}" state has version 99, this naslab reads version 1`,
    );
    expect(() => strategy.restore({ ...good, data: { rng: 'x' } })).toThrow(
      new RegExp(`saved "${name}" strategy state: invalid configuration\\n {2}rng: `),
    );
  });
});

describe('restore checks the state fits this run', () => {
  it('grid: a state for another space is refused', () => {
    const saved = createStrategy('grid', {}, flatSpace(2, [0, 1]), 1).state();
    const other = createStrategy('grid', {}, flatSpace(3, [0, 1]), 1);
    expect(() => other.restore(saved)).toThrow(/space of 4 architectures.*"flat3x2" has 8/);
  });

  it('evolution: more members than the population option, or a member outside the space, is refused', async () => {
    const space = flatSpace(2, [0, 1]);
    const big = new Harness(createStrategy('evolution', { population: 5 }, space, 1), space, () => 1);
    await big.run(20);
    const small = createStrategy('evolution', { population: 3 }, space, 1);
    expect(() => small.restore(big.strategy.state())).toThrow(
      /holds 5 members but the population option is 3/,
    );
    const elsewhere = createStrategy('evolution', { population: 5 }, flatSpace(2, ['x', 'y']), 1);
    expect(() => elsewhere.restore(big.strategy.state())).toThrow(
      /population\[0\] is not an architecture of space "flat2x2": decision "d0" has/,
    );
  });
});
