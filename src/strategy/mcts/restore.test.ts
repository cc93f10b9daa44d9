import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { StrategyState } from '../../core/types.js';
import { mctsStrategy, MctsStrategy, type MctsOptions } from './mcts.js';
import { conditionalSpace, flatSpace, Harness, hashedObjective } from '../toy.testkit.js';

function mcts(space: SearchSpace<unknown>, options: Partial<MctsOptions>, seed: number): MctsStrategy {
  return new MctsStrategy(space, mctsStrategy.options.parse(options), new Rng(seed));
}

const objective = hashedObjective;

const cases: Partial<MctsOptions>[] = [{}, { backup: 'max', c: 1.4 }, { maxNodes: 12 }];

describe.each(cases)('mcts %o: state() / restore()', (options) => {
  for (const space of [flatSpace(4, [0, 1, 2, 3]), conditionalSpace()]) {
    for (const concurrency of [1, 3]) {
      it(`continues exactly where it was saved (${space.name}, ${concurrency} in flight)`, async () => {
        for (const at of [2, 9, 40]) {
          const original = new Harness(mcts(space, options, 11), space, objective, concurrency);
          await original.run(at);
          const { state, pending } = original.snapshot();
          const before = original.log.length;
          await original.run(120);

          // Another seed on purpose: everything that matters must come from the saved state.
          const fresh = mcts(space, options, 99);
          fresh.restore(state);
          const resumed = new Harness(fresh, space, objective, concurrency, pending);
          await resumed.run(120);
          expect(resumed.log.length).toBeGreaterThan(20);
          expect(resumed.log).toEqual(original.log.slice(before));
          expect(fresh.state()).toEqual(original.strategy.state());
        }
      });
    }
  }
});

describe('mcts restore refuses a state that does not fit', () => {
  async function saved(space: SearchSpace<unknown>): Promise<StrategyState> {
    const harness = new Harness(mcts(space, {}, 1), space, objective, 2);
    await harness.run(15);
    return harness.snapshot().state;
  }

  it('another strategy, another version or corrupted data', async () => {
    const space = flatSpace(2, [0, 1, 2]);
    const good = await saved(space);
    const strategy = mcts(space, {}, 1);
    expect(() => strategy.restore({ ...good, strategy: 'random' })).toThrow(
      'cannot restore strategy "mcts" from a saved "random" state',
    );
    expect(() => strategy.restore({ ...good, version: 99 })).toThrow(
      'saved "mcts" state has version 99, this naslab reads version 1',
    );
    const data = good.data as Record<string, unknown>;
    expect(() => strategy.restore({ ...good, data: { ...data, rng: 'x' } })).toThrow(
      /saved "mcts" strategy state: invalid configuration\n {2}rng: /,
    );
    expect(() => strategy.restore({ ...good, data: { ...data, tree: 'AAAA' } })).toThrow(ConfigError);
    expect(() => strategy.restore({ ...good, data: { ...data, tree: 'AAAA' } })).toThrow(
      /saved "mcts" state: the tree is corrupted/,
    );
    expect(() => strategy.restore({ ...good, data: { ...data, pending: [['k', [999]]] } })).toThrow(
      'saved "mcts" state: pending node 999 is not in the tree',
    );
    // A refused state leaves the strategy as it was: it still proposes.
    expect(
      (await strategy.ask({ space, direction: 'maximize', progress: 0, history: [], running: 0 })).kind,
    ).toBe('trial');
  });

  it("a tree grown over another space's decisions", async () => {
    const state = await saved(flatSpace(2, [0, 1, 2]));
    const other = mcts(flatSpace(2, [0, 1]), {}, 1);
    expect(() => other.restore(state)).toThrow(/its root has 3 choices, space "flat2x2" starts with 2/);
  });
});
