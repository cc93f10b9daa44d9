import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import type { StrategyEntry } from '../define.js';
import { createWith, scrambledObjective } from './strategy.testkit.js';
import { ppoStrategy } from './ppo.js';
import { reinforceStrategy } from './reinforce.js';
import { conditionalSpace, flatSpace, Harness } from '../toy.testkit.js';

const cases: [StrategyEntry, Record<string, unknown>][] = [
  [reinforceStrategy, {}],
  [reinforceStrategy, { batch: 4, gradClip: 1 }],
  [reinforceStrategy, { policy: 'lstm', hidden: 6, batch: 3, entropy: 0.05, temperature: 2, tanhClip: 2.5 }],
  [ppoStrategy, {}],
  [ppoStrategy, { policy: 'lstm', hidden: 6, batch: 4, epochs: 2, entropy: 0.05, lr: 0.01 }],
];

describe.each(cases)('%s %o: state() / restore()', (entry, options) => {
  for (const space of [flatSpace(4, [0, 1, 2, 3]), conditionalSpace()]) {
    for (const concurrency of [1, 3]) {
      it(`continues exactly where it was saved (${space.name}, ${concurrency} in flight)`, async () => {
        for (const at of [2, 9, 40]) {
          const original = new Harness(
            createWith(entry, options, space, 11),
            space,
            scrambledObjective,
            concurrency,
          );
          await original.run(at);
          const { state, pending } = original.snapshot();
          const before = original.log.length;
          await original.run(120);

          // Another seed on purpose: everything that matters must come from the saved state.
          const fresh = createWith(entry, options, space, 99);
          fresh.restore(state);
          const resumed = new Harness(fresh, space, scrambledObjective, concurrency, pending);
          await resumed.run(120);
          expect(resumed.log.length).toBeGreaterThan(20);
          expect(resumed.log).toEqual(original.log.slice(before));
          // The learned weights agree too, not only the proposals.
          expect(JSON.stringify(resumed.strategy.state())).toBe(JSON.stringify(original.strategy.state()));
        }
      });
    }
  }

  it('refuses a state saved by another strategy, another version or corrupted', () => {
    const space = flatSpace(2, [0, 1]);
    const strategy = createWith(entry, options, space, 1);
    const name = entry.name;
    const good = strategy.state();
    expect(() => strategy.restore({ ...good, strategy: 'random' })).toThrow(
      `cannot restore strategy "${name}" from a saved "random" state`,
    );
    expect(() => strategy.restore({ ...good, version: 99 })).toThrow(
      `saved "${name}" state has version 99, this naslab reads version 1`,
    );
    expect(() => strategy.restore({ ...good, data: { rng: 'x' } })).toThrow(ConfigError);
    const data = good.data as Record<string, unknown>;
    expect(() => strategy.restore({ ...good, data: { ...data, policy: { kind: 'other' } } })).toThrow(
      ConfigError,
    );
  });
});

describe('restore checks the state fits the options', () => {
  it('a batch gathered under a larger batch option is refused', async () => {
    const space = flatSpace(3, [0, 1]);
    const big = new Harness(createWith(reinforceStrategy, { batch: 8 }, space, 1), space, () => 1);
    await big.run(10);
    const small = createWith(reinforceStrategy, { batch: 2 }, space, 1);
    expect(() => small.restore(big.strategy.state())).toThrow(/gathered \d results for a batch of 2/);
    const ppoBig = new Harness(createWith(ppoStrategy, { batch: 10 }, space, 1), space, () => 1);
    await ppoBig.run(10);
    const ppoSmall = createWith(ppoStrategy, { batch: 3 }, space, 1);
    expect(() => ppoSmall.restore(ppoBig.strategy.state())).toThrow(/holds 5 results for a batch of 3/);
  });

  it('an lstm state is refused by a factorized strategy and by another hidden size', () => {
    const space = flatSpace(3, [0, 1]);
    const lstm = createWith(reinforceStrategy, { policy: 'lstm', hidden: 4 }, space, 1).state();
    expect(() => createWith(reinforceStrategy, {}, space, 1).restore(lstm)).toThrow(ConfigError);
    expect(() =>
      createWith(reinforceStrategy, { policy: 'lstm', hidden: 5 }, space, 1).restore(lstm),
    ).toThrow(/4 hidden units, the options say 5/);
  });
});
