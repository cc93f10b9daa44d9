import { z } from 'zod';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Proposal, Sample, StrategyState, TrialRecord } from '../../core/types.js';
import { acquire } from './acquisition.js';
import { bestFirst, freshRandomSample, generateCandidates } from './candidates.js';
import { Observations, observationsSchema, pendingSchema } from './observations.js';
import { Surrogate, surrogateFields, surrogateStateSchema } from './surrogate.js';
import { defineStrategy } from '../define.js';
import { readState, rngStateSchema } from '../saved-state.js';

const VERSION = 1;

const boOptions = z.strictObject({
  initial: z.number().int().min(1).default(10).describe('random trials before the surrogate is used'),
  candidates: z.number().int().min(1).default(100).describe('candidates scored by the acquisition per ask'),
  parents: z.number().int().min(1).default(5).describe('candidates mutate the best `parents` trials'),
  mutations: z.number().int().min(1).default(1).describe('a candidate is 1..mutations mutations of a parent'),
  random: z.number().min(0).max(1).default(0.1).describe('share of random candidates'),
  acquisition: z
    .enum(['its', 'ei', 'ucb'])
    .default('its')
    .describe('its (independent Thompson sampling), ei (expected improvement) or ucb (mean + beta std)'),
  beta: z.number().min(0).default(1).describe('ucb exploration weight'),
  ...surrogateFields,
});
export type BoOptions = z.output<typeof boOptions>;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  observations: observationsSchema,
  pending: pendingSchema,
  surrogate: surrogateStateSchema,
});

/**
 * Bayesian optimisation as BANANAS runs it (White et al. 2021): `initial` random architectures, then
 * every ask refits the surrogate when `refit` new results arrived, scores candidates made by mutating
 * the best architectures so far with the acquisition function, and proposes the best candidate that is
 * neither evaluated nor in flight. Asynchronous: with several trials in flight, each ask uses the latest
 * model (the pending keys keep proposals distinct).
 */
export class BoStrategy implements Strategy {
  readonly name = 'bo';
  private readonly observations: Observations;
  private readonly surrogate: Surrogate;
  private readonly pending = new Set<string>();

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly options: BoOptions,
    private readonly rng: Rng,
  ) {
    this.observations = new Observations(space);
    this.surrogate = new Surrogate(space, options);
  }

  ask(_ctx: StrategyContext): Promise<Proposal> {
    const sample = this.propose();
    this.pending.add(this.space.key(sample));
    return Promise.resolve({ kind: 'trial', sample });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    this.pending.delete(trial.key);
    this.observations.add(trial);
    return Promise.resolve();
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        observations: this.observations.toJSON(),
        pending: [...this.pending],
        surrogate: this.surrogate.state(),
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    this.observations.load(data.observations, this.name);
    this.pending.clear();
    for (const key of data.pending) this.pending.add(key);
    this.surrogate.restore(data.surrogate);
    this.rng.setState(data.rng);
  }

  private used = (key: string): boolean => this.observations.has(key) || this.pending.has(key);

  private propose(): Sample {
    const o = this.options;
    if (
      this.observations.scoredCount < o.initial ||
      !this.surrogate.update(this.observations, this.rng, o.initial)
    ) {
      return freshRandomSample(this.space, this.rng, this.used);
    }
    const ranked = bestFirst(this.observations.scored());
    const candidates = generateCandidates(
      this.space,
      ranked,
      { count: o.candidates, parents: o.parents, mutations: o.mutations, random: o.random },
      this.rng,
      this.used,
    );
    if (candidates.length === 0) return freshRandomSample(this.space, this.rng, this.used);
    const predictions = candidates.map((c) => this.surrogate.predict(c));
    const values = acquire(o.acquisition, predictions, ranked[0]!.score, o.beta, this.rng);
    let pick = 0;
    for (let i = 1; i < values.length; i++) if (values[i]! > values[pick]!) pick = i;
    return candidates[pick]!;
  }
}

export const boStrategy = defineStrategy({
  name: 'bo',
  description:
    'Bayesian optimisation (BANANAS): a surrogate scores mutations of the best architectures by an acquisition',
  options: boOptions,
  create: ({ space, options, rng }) => new BoStrategy(space, options, rng),
});
