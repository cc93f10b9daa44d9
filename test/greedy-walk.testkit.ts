import { z } from 'zod';
import type { Rng } from '../src/core/rng.js';
import type { SearchSpace } from '../src/core/space.js';
import type { Strategy, StrategyContext } from '../src/core/strategy.js';
import type { Proposal, StrategyState, TrialRecord } from '../src/core/types.js';
import { mutate, randomSample } from '../src/space/walk.js';
import { defineStrategy } from '../src/strategy/define.js';
import { registerStrategy, strategyNames } from '../src/strategy/registry.js';

/**
 * A strategy that exists only in the tests: greedy local search (mutate the best so far, or a random
 * walk while nothing is known). Registering it is the only step: run, resume and bench reach it through
 * the registry with no other edit anywhere.
 */
class GreedyWalk implements Strategy {
  readonly name = 'test-greedy-walk';
  private best: { sample: TrialRecord['sample']; score: number } | undefined;

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly rng: Rng,
    private readonly explore: number,
  ) {}

  ask(_ctx: StrategyContext): Promise<Proposal> {
    const fresh = this.best === undefined || this.rng.float() < this.explore;
    const sample = fresh
      ? randomSample(this.space, this.rng)
      : mutate(this.space, this.best!.sample, this.rng);
    return Promise.resolve({ kind: 'trial', sample });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    if (trial.score !== undefined && (this.best === undefined || trial.score > this.best.score)) {
      this.best = { sample: trial.sample, score: trial.score };
    }
    return Promise.resolve();
  }

  state(): StrategyState {
    return { strategy: this.name, version: 1, data: { rng: this.rng.state(), best: this.best ?? null } };
  }

  restore(state: StrategyState): void {
    const data = state.data as { rng: ReturnType<Rng['state']>; best: GreedyWalk['best'] | null };
    this.rng.setState(data.rng);
    this.best = data.best ?? undefined;
  }
}

/**
 * Registers the strategy (once per process): the only step that makes it available to run, resume,
 * bench and the queue.
 */
export function registerGreedyWalk(): void {
  if (strategyNames().includes('test-greedy-walk')) return;
  registerStrategy(
    defineStrategy({
      name: 'test-greedy-walk',
      description: 'greedy local search, defined in a test',
      options: z.strictObject({ explore: z.number().min(0).max(1).default(0.2) }),
      create: ({ space, options, rng }) => new GreedyWalk(space, rng, options.explore),
    }),
  );
}
