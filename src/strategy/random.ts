import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Proposal, StrategyState, TrialRecord } from '../core/types.js';
import { randomSample } from '../space/walk.js';
import { defineStrategy } from './define.js';
import { readState, rngStateSchema } from './saved-state.js';

const VERSION = 1;
const stateSchema = z.strictObject({ rng: rngStateSchema });

/** Random search: each proposal is a uniformly random walk of the decision process. */
export class RandomStrategy implements Strategy {
  readonly name = 'random';

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly rng: Rng,
  ) {}

  ask(_ctx: StrategyContext): Promise<Proposal> {
    return Promise.resolve({ kind: 'trial', sample: randomSample(this.space, this.rng) });
  }

  tell(_trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    return Promise.resolve();
  }

  state(): StrategyState {
    return { strategy: this.name, version: VERSION, data: { rng: this.rng.state() } };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    this.rng.setState(data.rng);
  }
}

export const randomStrategy = defineStrategy({
  name: 'random',
  description: 'uniformly random walk of the decision process for every proposal',
  options: z.strictObject({}),
  create: ({ space, rng }) => new RandomStrategy(space, rng),
});
