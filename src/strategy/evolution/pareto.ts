import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Proposal, Sample, StrategyState, TrialRecord } from '../../core/types.js';
import { crowdedBetter, rankAndCrowding, type RankAndCrowding } from '../../objective/crowded.js';
import { paretoTrials } from '../../objective/front.js';
import { objectiveListSchema, toMinimization, type Objective } from '../../objective/objectives.js';
import { mutate, randomSample, validateSample } from '../../space/walk.js';
import { defineStrategy } from '../define.js';
import { encodeScore, readState, rngStateSchema, sampleSchema, scoreSchema } from '../saved-state.js';

const VERSION = 1;
const WAIT: Proposal = { kind: 'wait' };
const NAME = 'evolution-pareto';

const options = z
  .strictObject({
    // Optional in the schema only so that `{}` parses for --help; the constructor requires it.
    objectives: objectiveListSchema(2)
      .optional()
      .describe('required: two or more { metric, direction } read from trial.metrics'),
    population: z.number().int().min(2).default(50).describe('population size P'),
    sample: z.number().int().min(1).default(10).describe('tournament size S (at most P)'),
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
export type EvolutionParetoOptions = z.output<typeof options>;

const memberSchema = z.strictObject({ sample: sampleSchema, point: z.array(scoreSchema) });
const stateSchema = z.strictObject({
  rng: rngStateSchema,
  /** Oldest first. */
  population: z.array(memberSchema),
  pendingInitial: z.number().int().min(0),
});

interface Member {
  readonly sample: Sample;
  /** Minimisation vector; all +Infinity for an invalid trial or one lacking a metric. */
  readonly point: readonly number[];
}

/**
 * Regularized evolution (Real et al. 2019) made Pareto-aware: the same asynchronous loop and aging as
 * `evolution` (P random members, then each child mutates one decision of a tournament winner, joins,
 * and the oldest member dies), but the tournament compares members by non-dominated rank within the
 * population, then crowding distance (NSGA-II's crowded comparison), over several objectives read from
 * trial.metrics. Aging, not rank, decides who dies, so the population keeps moving and never freezes
 * on an early front; the front of everything evaluated is `front(history)`.
 */
export class EvolutionParetoStrategy implements Strategy {
  readonly name = NAME;
  readonly objectives: readonly Objective[];
  private readonly capacity: number;
  private readonly tournamentSize: number;
  /** Oldest first. A plain array: P is small and a shift per child costs nothing next to ranking. */
  private population: Member[] = [];
  private ranking: RankAndCrowding | undefined;
  private pendingInitial = 0;

  constructor(
    private readonly space: SearchSpace<unknown>,
    o: EvolutionParetoOptions,
    private readonly rng: Rng,
  ) {
    if (o.objectives === undefined) {
      throw new ConfigError(
        `strategy "${NAME}" needs objectives: e.g. objectives: [{ metric: valid_acc_200ep, direction: maximize }, ` +
          '{ metric: latency_pixel3_ms, direction: minimize }]',
      );
    }
    this.objectives = o.objectives;
    this.capacity = o.population;
    this.tournamentSize = o.sample;
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    if (this.population.length < this.capacity) {
      // Nothing running means no pending result can ever arrive (e.g. lost in a crash): never deadlock.
      if (ctx.running === 0) this.pendingInitial = 0;
      if (this.population.length + this.pendingInitial >= this.capacity) return Promise.resolve(WAIT);
      this.pendingInitial++;
      return Promise.resolve({ kind: 'trial', sample: randomSample(this.space, this.rng) });
    }
    const parent = (this.population[this.tournamentWinner()] as Member).sample;
    return Promise.resolve({ kind: 'trial', sample: mutate(this.space, parent, this.rng) });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    if (this.population.length < this.capacity && this.pendingInitial > 0) this.pendingInitial--;
    // A failed trial does not join (as in evolution); an invalid one joins, ranked worst.
    if (trial.state === 'failed') return Promise.resolve();
    const point = trial.state === 'complete' ? toMinimization(trial.metrics, this.objectives) : undefined;
    this.add({ sample: trial.sample, point: point ?? this.objectives.map(() => Infinity) });
    return Promise.resolve();
  }

  /** The trials on the Pareto front of a history under this strategy's objectives, oldest first. */
  front(history: readonly TrialRecord[]): TrialRecord[] {
    return paretoTrials(history, this.objectives);
  }

  /** The current population, oldest first (tests, reports). */
  members(): readonly Member[] {
    return this.population;
  }

  state(): StrategyState {
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        population: this.population.map((m) => ({ sample: m.sample, point: m.point.map(encodeScore) })),
        pendingInitial: this.pendingInitial,
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    if (data.population.length > this.capacity) {
      throw new ConfigError(
        `saved "${NAME}" state holds ${data.population.length} members but the population option is ` +
          `${this.capacity}: resume with the experiment's own strategy options`,
      );
    }
    const m = this.objectives.length;
    data.population.forEach((member, i) => {
      try {
        validateSample(this.space, member.sample);
      } catch (e) {
        if (!(e instanceof InvalidArchitectureError)) throw e;
        throw new ConfigError(
          `saved "${NAME}" state: population[${i}] is not an architecture of space "${this.space.name}": ${e.message}`,
        );
      }
      if (member.point.length !== m) {
        throw new ConfigError(
          `saved "${NAME}" state: population[${i}] has ${member.point.length} objective values, the ` +
            `strategy has ${m} objectives: resume with the experiment's own strategy options`,
        );
      }
    });
    this.rng.setState(data.rng);
    this.population = data.population.map((p) => ({ sample: p.sample, point: p.point }));
    this.ranking = undefined;
    this.pendingInitial = data.pendingInitial;
  }

  /** The best of S members drawn with replacement by (rank, crowding); the first drawn wins ties. */
  private tournamentWinner(): number {
    this.ranking ??= rankAndCrowding(this.population.map((m) => m.point));
    const ranking = this.ranking;
    let best = this.rng.int(this.population.length);
    for (let s = 1; s < this.tournamentSize; s++) {
      const at = this.rng.int(this.population.length);
      if (crowdedBetter(at, best, ranking)) best = at;
    }
    return best;
  }

  /** Joins a member; when the population is full the oldest dies. */
  private add(member: Member): void {
    this.population.push(member);
    if (this.population.length > this.capacity) this.population.shift();
    this.ranking = undefined;
  }
}

export const evolutionParetoStrategy = defineStrategy({
  name: NAME,
  description:
    'Pareto-aware regularized evolution: tournaments by non-dominated rank then crowding over objectives; the oldest dies',
  options,
  // NAS-Bench-201's accuracy against its size: what `--help` shows and the registry-wide tests run.
  example: {
    objectives: [
      { metric: 'valid_acc_200ep', direction: 'maximize' },
      { metric: 'params_M', direction: 'minimize' },
    ],
    population: 10,
    sample: 3,
  },
  create: ({ space, options: o, rng }) => new EvolutionParetoStrategy(space, o, rng),
});
