import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy } from '../../core/strategy.js';
import { parseConfig } from '../../core/validate.js';
import { Nb201Space } from '../../space/nb201.js';
import type { StrategyEntry } from '../define.js';
import { blockqnnStrategy, qlearningStrategy } from './qlearning.js';
import { conditionalSpace, flatSpace, Harness, hashedObjective } from '../toy.testkit.js';

const objective = hashedObjective;

function create(
  entry: StrategyEntry,
  options: Record<string, unknown>,
  space: SearchSpace<unknown>,
  seed: number,
): Strategy {
  const parsed = parseConfig(entry.options, options, 'options');
  return entry.create({ space, options: parsed, rng: new Rng(seed) });
}

// The Harness asks at progress 0, so an explicit schedule keeps the greedy policy (the Q-table) in play.
const cases: [string, StrategyEntry, Record<string, unknown>][] = [
  ['qlearning', qlearningStrategy, { schedule: '0:0.3', replays: 20 }],
  // Small bounds, so the replay memory wraps around and the table evicts before the snapshot.
  ['qlearning', qlearningStrategy, { schedule: '0:0.3', replays: 7, replaySize: 5, tableSize: 12 }],
  ['blockqnn', blockqnnStrategy, { schedule: '0:0.2', replays: 20, mu: 0.1, rho: 0.1 }],
];

describe.each(cases)('%s %o: state() / restore()', (_name, entry, options) => {
  for (const space of [flatSpace(4, [0, 1, 2, 3]), conditionalSpace(), new Nb201Space()]) {
    for (const concurrency of [1, 3]) {
      it(`continues exactly where it was saved (${space.name}, ${concurrency} in flight)`, async () => {
        for (const at of [2, 9, 40]) {
          const original = new Harness(create(entry, options, space, 11), space, objective, concurrency);
          await original.run(at);
          const { state, pending } = original.snapshot();
          const before = original.log.length;
          await original.run(120);

          // Another seed on purpose: everything that matters must come from the saved state.
          const fresh = create(entry, options, space, 99);
          fresh.restore(state);
          const resumed = new Harness(fresh, space, objective, concurrency, pending);
          await resumed.run(120);
          expect(resumed.log.length).toBeGreaterThan(20);
          expect(resumed.log).toEqual(original.log.slice(before));
          expect(resumed.strategy.state()).toEqual(original.strategy.state());
        }
      });
    }
  }
});

describe('qlearning restore refuses what does not fit', () => {
  it('another strategy, another version or a corrupted state', () => {
    const space = flatSpace(2, [0, 1]);
    const s = create(qlearningStrategy, {}, space, 1);
    const good = s.state();
    expect(() => s.restore({ ...good, strategy: 'blockqnn' })).toThrow(
      'cannot restore strategy "qlearning" from a saved "blockqnn" state',
    );
    expect(() => s.restore({ ...good, version: 99 })).toThrow(
      'saved "qlearning" state has version 99, this naslab reads version 1',
    );
    expect(() => s.restore({ ...good, data: { rng: 'x' } })).toThrow(
      /saved "qlearning" strategy state: invalid configuration\n {2}rng: /,
    );
  });

  it('more episodes or Q-values than the options allow, an episode outside the space, a bad blob', async () => {
    const space = flatSpace(2, [0, 1]);
    const big = new Harness(
      create(qlearningStrategy, { variant: 'paper', replays: 2 }, space, 1),
      space,
      () => 1,
    );
    await big.run(40);
    const saved = big.strategy.state();
    expect(() => create(qlearningStrategy, { replaySize: 3 }, space, 1).restore(saved)).toThrow(
      /holds 20 episodes but replaySize is 3/,
    );
    expect(() => create(qlearningStrategy, { tableSize: 2 }, space, 1).restore(saved)).toThrow(
      /holds 6 Q-values but tableSize is 2/,
    );
    expect(() => create(qlearningStrategy, {}, flatSpace(2, ['x', 'y']), 1).restore(saved)).toThrow(
      /replay\[0\] is not an architecture of this space: sample does not walk space "flat2x2" at decision "d0"/,
    );
    const data = saved.data as { table: { keys: string[]; values: string } };
    const broken = { ...saved, data: { ...data, table: { ...data.table, keys: ['a'] } } };
    expect(() => create(qlearningStrategy, {}, space, 1).restore(broken)).toThrow(ConfigError);
    expect(() => create(qlearningStrategy, {}, space, 1).restore(broken)).toThrow(
      /table: base64 float64 blob/,
    );
  });
});
