import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Proposal, Sample, StrategyState, TrialRecord } from '../core/types.js';
import { parseConfig } from '../core/validate.js';
import { randomSample } from '../space/walk.js';
import { Observations } from './bo/observations.js';
import { Surrogate, type SurrogateState } from './bo/surrogate.js';
import { meanBest, SYNTH_SPACE, synthScore } from './bo/synthetic.testkit.js';
import { createStrategy } from './registry.js';
import { RandomStrategy } from './random.js';
import { ScreenStrategy, screenStrategy, type CreateStrategy } from './screen.js';
import { conditionalSpace, flatSpace, Harness, hashedObjective, keyOf } from './toy.testkit.js';

/** An inner strategy that proposes random samples and records what it is told. */
class Recorder implements Strategy {
  readonly name = 'recorder';
  readonly asked: Sample[] = [];
  readonly told: TrialRecord[] = [];
  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly rng: Rng,
  ) {}
  ask(_ctx: StrategyContext): Promise<Proposal> {
    const sample = randomSample(this.space, this.rng);
    this.asked.push(sample);
    return Promise.resolve({ kind: 'trial', sample });
  }
  tell(trial: TrialRecord): Promise<void> {
    this.told.push(trial);
    return Promise.resolve();
  }
  state(): StrategyState {
    return { strategy: this.name, version: 1, data: { rng: this.rng.state() } };
  }
  restore(): void {}
}

// The registry's createStrategy, so any registered strategy can be the inner one. (Once the registry
// registers screen itself, this is what it passes.)
const create: CreateStrategy = (name, options, space, seed) => createStrategy(name, options, space, seed);

function screen(
  options: Record<string, unknown>,
  seed: number,
  space: SearchSpace<unknown> = SYNTH_SPACE,
  inner: CreateStrategy = create,
): ScreenStrategy {
  const parsed = parseConfig(screenStrategy(inner).options, options, 'test');
  return new ScreenStrategy(space, parsed, new Rng(seed), inner);
}

describe('screen', () => {
  it('passes proposals through before `initial` results, then proposes the best-predicted of K', async () => {
    let recorder: Recorder | undefined;
    const inner: CreateStrategy = (_n, _o, space, seed) => (recorder = new Recorder(space, new Rng(seed)));
    const options = {
      inner: 'recorder',
      screen: 5,
      initial: 6,
      predictor: 'gp',
      acquisition: 'mean',
      screened: 'predicted',
    };
    const strategy = screen(options, 1, SYNTH_SPACE, inner);
    const h = new Harness(strategy, SYNTH_SPACE, synthScore);
    await h.run(12); // 6 asks, 6 tells
    expect(recorder!.asked.map(keyOf)).toEqual(h.log);
    expect(recorder!.told.map((t) => t.key)).toEqual(h.log);

    for (let round = 0; round < 5; round++) {
      const askedBefore = recorder!.asked.length;
      const toldBefore = recorder!.told.length;
      await h.step();
      const proposals = recorder!.asked.slice(askedBefore);
      expect(proposals).toHaveLength(5);
      const chosen = h.log.at(-1)!;
      // The other four were told at once, as complete trials scored by the surrogate.
      const screened = recorder!.told.slice(toldBefore);
      expect(screened.map((t) => t.key).sort()).toEqual(
        proposals
          .map(keyOf)
          .filter((k) => k !== chosen)
          .sort(),
      );
      // Rebuild the same model (gp does not depend on the seed) and check the pick is its argmax.
      const saved = savedParts(strategy);
      const observations = new Observations(SYNTH_SPACE);
      observations.load(saved.observations, 'screen');
      const model = new Surrogate(SYNTH_SPACE, parseConfig(screenStrategy(inner).options, options, 't'));
      model.restore(saved.surrogate);
      expect(model.update(observations, new Rng(0), 6)).toBe(true);
      const predicted = proposals.map((s) => model.predict(s).mean);
      expect(chosen).toBe(keyOf(proposals[predicted.indexOf(Math.max(...predicted))]!));
      for (const t of screened) {
        expect(t.state).toBe('complete');
        expect(t.score).toBeCloseTo(predicted[proposals.map(keyOf).indexOf(t.key)]!, 9);
      }
      await h.step(); // the real result reaches the inner strategy too
      expect(recorder!.told.at(-1)!.key).toBe(chosen);
    }
  });

  it('`screened: failed` tells the screened-out proposals as failed trials', async () => {
    let recorder: Recorder | undefined;
    const inner: CreateStrategy = (_n, _o, space, seed) => (recorder = new Recorder(space, new Rng(seed)));
    const strategy = screen(
      { inner: 'x', screen: 3, initial: 4, predictor: 'gp', screened: 'failed' },
      2,
      SYNTH_SPACE,
      inner,
    );
    const h = new Harness(strategy, SYNTH_SPACE, synthScore);
    await h.run(9);
    const screened = recorder!.told.filter((t) => t.id.startsWith('screened-'));
    expect(screened).toHaveLength(2);
    for (const t of screened) {
      expect(t.state).toBe('failed');
      expect(t.score).toBeUndefined();
    }
  });

  it('makes random search better on a learnable objective (mean over seeds)', async () => {
    const seeds = [1, 2, 3];
    const screened = await meanBest(
      (s) => screen({ inner: 'random', predictor: 'gp', initial: 8 }, s),
      seeds,
      30,
    );
    const random = await meanBest((s) => new RandomStrategy(SYNTH_SPACE, new Rng(s)), seeds, 30);
    expect(screened).toBeGreaterThan(random + 10);
  });

  it('is deterministic and continues exactly after state()/restore() (inner evolution)', async () => {
    for (const space of [flatSpace(4, [0, 1, 2, 3]), conditionalSpace()]) {
      for (const concurrency of [1, 3]) {
        const options = {
          inner: 'evolution',
          innerOptions: { population: 5 },
          screen: 4,
          initial: 6,
          predictor: 'gp',
          encoding: 'onehot',
          refit: 2,
        };
        const original = new Harness(screen(options, 11, space), space, hashedObjective, concurrency);
        await original.run(25);
        const { state, pending } = original.snapshot();
        const before = original.log.length;
        await original.run(40);
        const again = new Harness(screen(options, 11, space), space, hashedObjective, concurrency);
        await again.run(65);
        expect(again.log).toEqual(original.log);
        const fresh = screen(options, 99, space);
        fresh.restore(state);
        const resumed = new Harness(fresh, space, hashedObjective, concurrency, pending);
        await resumed.run(40);
        expect(resumed.log.length).toBeGreaterThan(15);
        expect(resumed.log).toEqual(original.log.slice(before));
      }
    }
  });

  it('rejects bad options naming the field or the inner strategy', () => {
    expect(() => screen({ inner: 'nope' }, 1)).toThrow(ConfigError);
    expect(() => screen({ inner: 'nope' }, 1)).toThrow(/unknown strategy "nope"/);
    expect(() => screen({ inner: 'screen' }, 1)).toThrow(/screen cannot wrap itself/);
    expect(() => screen({ inner: 'evolution', innerOptions: { population: 0 } }, 1)).toThrow(
      /strategy "evolution" options.*population/s,
    );
    expect(() => screen({ screen: 0 }, 1)).toThrow(/screen/);
    expect(() => screen({ predictor: 'forest' }, 1)).toThrow(/predictor/);
  });
});

/** The saved observations and refit schedule, as the strategy has them after its last ask. */
function savedParts(strategy: ScreenStrategy): {
  observations: Parameters<Observations['load']>[0];
  surrogate: SurrogateState;
} {
  const data = strategy.state().data as {
    observations: { path: number[]; score: number }[];
    surrogate: SurrogateState;
  };
  return { observations: data.observations, surrogate: data.surrogate };
}
