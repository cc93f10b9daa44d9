import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Proposal, Sample, StrategyState, TrialRecord } from '../../core/types.js';
import { mutate, randomSample, validateSample } from '../../space/walk.js';
import { defineStrategy } from '../define.js';
import { encodeScore, readState, rngStateSchema, sampleSchema, scoreSchema } from '../saved-state.js';

const VERSION = 1;
const WAIT: Proposal = { kind: 'wait' };

const evolutionOptions = z
  .strictObject({
    population: z.number().int().min(1).max(1_000_000).default(10).describe('population size P'),
    sample: z.number().int().min(1).default(3).describe('tournament size S (at most P)'),
  })
  .superRefine((o, ctx) => {
    if (o.sample > o.population) {
      ctx.addIssue({
        code: 'custom',
        path: ['sample'],
        input: o.sample,
        message: `the tournament size must be at most the population (${o.population})`,
      });
    }
  });
export type EvolutionOptions = z.output<typeof evolutionOptions>;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  /** Oldest first. */
  population: z.array(z.strictObject({ sample: sampleSchema, score: scoreSchema })),
  pendingInitial: z.number().int().min(0),
});

/**
 * Regularized evolution (Real et al. 2019), as the NAS-Bench-201 baseline runs it: P random
 * architectures, then each child mutates one decision of the best of S members drawn with replacement,
 * joins the population, and the oldest member dies. Asynchronous: once the population is full, every ask
 * gets a child at once, whatever is still running.
 */
export class EvolutionStrategy implements Strategy {
  readonly name = 'evolution';
  private readonly capacity: number;
  private readonly tournament: number;
  // A ring buffer, oldest at `head`: adding a child and killing the oldest is one overwrite.
  private readonly samples: Sample[] = [];
  private readonly scores: Float64Array;
  private head = 0;
  private size = 0;
  /** Initial random proposals not told yet: with those, the population will be full, so wait. */
  private pendingInitial = 0;

  constructor(
    private readonly space: SearchSpace<unknown>,
    options: EvolutionOptions,
    private readonly rng: Rng,
  ) {
    this.capacity = options.population;
    this.tournament = options.sample;
    this.scores = new Float64Array(this.capacity);
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    if (this.size < this.capacity) return Promise.resolve(this.askInitial(ctx));
    const parent = this.samples[this.tournamentWinner()] as Sample;
    return Promise.resolve({ kind: 'trial', sample: mutate(this.space, parent, this.rng) });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    if (this.size < this.capacity && this.pendingInitial > 0) this.pendingInitial--;
    // A failed trial has no score and does not join; in the initial phase its slot is proposed again.
    if (trial.score !== undefined) this.add(trial.sample, trial.score);
    return Promise.resolve();
  }

  state(): StrategyState {
    const population = [];
    for (let i = 0; i < this.size; i++) {
      const at = (this.head + i) % this.capacity;
      population.push({ sample: this.samples[at] as Sample, score: encodeScore(this.scores[at] as number) });
    }
    return {
      strategy: this.name,
      version: VERSION,
      data: { rng: this.rng.state(), population, pendingInitial: this.pendingInitial },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    if (data.population.length > this.capacity) {
      throw new ConfigError(
        `saved "evolution" state holds ${data.population.length} members but the population option is ` +
          `${this.capacity}: resume with the experiment's own strategy options`,
      );
    }
    data.population.forEach((member, i) => {
      try {
        validateSample(this.space, member.sample);
      } catch (e) {
        if (!(e instanceof InvalidArchitectureError)) throw e;
        throw new ConfigError(
          `saved "evolution" state: population[${i}] is not an architecture of space ` +
            `"${this.space.name}": ${e.message}`,
        );
      }
    });
    this.rng.setState(data.rng);
    this.samples.length = 0;
    this.head = 0;
    this.size = 0;
    for (const member of data.population) this.add(member.sample, member.score);
    this.pendingInitial = data.pendingInitial;
  }

  private askInitial(ctx: StrategyContext): Proposal {
    // Nothing running means no pending result can ever arrive (e.g. lost in a crash): never deadlock.
    if (ctx.running === 0) this.pendingInitial = 0;
    if (this.size + this.pendingInitial >= this.capacity) return WAIT;
    this.pendingInitial++;
    return { kind: 'trial', sample: randomSample(this.space, this.rng) };
  }

  /** The best of S members drawn uniformly with replacement; the first drawn wins ties (as Python's max). */
  private tournamentWinner(): number {
    let best = (this.head + this.rng.int(this.size)) % this.capacity;
    for (let s = 1; s < this.tournament; s++) {
      const at = (this.head + this.rng.int(this.size)) % this.capacity;
      if ((this.scores[at] as number) > (this.scores[best] as number)) best = at;
    }
    return best;
  }

  /** Adds a member; when the population is full, it takes the place of the oldest, who dies. */
  private add(sample: Sample, score: number): void {
    let at: number;
    if (this.size < this.capacity) {
      at = (this.head + this.size) % this.capacity;
      this.size++;
    } else {
      at = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    this.samples[at] = sample;
    this.scores[at] = score;
  }
}

export const evolutionStrategy = defineStrategy({
  name: 'evolution',
  description:
    'regularized evolution: mutate the best of S random members of a population of P, the oldest dies',
  options: evolutionOptions,
  create: ({ space, options, rng }) => new EvolutionStrategy(space, options, rng),
});
