import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Choice, Proposal, Sample, StrategyState, TrialRecord } from '../../core/types.js';
import {
  crowdedBetter,
  crowdedSelection,
  rankAndCrowding,
  type RankAndCrowding,
} from '../../objective/crowded.js';
import { paretoTrials } from '../../objective/front.js';
import { objectiveListSchema, toMinimization, type Objective } from '../../objective/objectives.js';
import { mutate, randomSample, validateSample, walk } from '../../space/walk.js';
import { defineStrategy } from '../define.js';
import { encodeScore, readState, rngStateSchema, sampleSchema, scoreSchema } from '../saved-state.js';

const VERSION = 1;
const WAIT: Proposal = { kind: 'wait' };
/** Attempts at a child not already in the population or this generation before accepting a repeat. */
const NOVELTY_TRIES = 20;

const nsga2Options = z.strictObject({
  // Optional in the schema only so that `{}` parses for --help; create() requires it.
  objectives: objectiveListSchema(2)
    .optional()
    .describe('required: two or more { metric, direction } read from trial.metrics'),
  population: z
    .number()
    .int()
    .min(2)
    .default(50)
    .describe('population size N (also the offspring per generation)'),
  crossover: z
    .number()
    .min(0)
    .max(1)
    .default(0.9)
    .describe('probability that a child is a uniform crossover of two parents (else a copy of one)'),
  mutationRate: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('probability that a child then has one decision mutated'),
});
export type Nsga2Options = z.output<typeof nsga2Options>;

const memberSchema = z.strictObject({ sample: sampleSchema, point: z.array(scoreSchema) });
const stateSchema = z.strictObject({
  rng: rngStateSchema,
  population: z.array(memberSchema),
  /** Every child asked this generation, in ask order. */
  issued: z.array(sampleSchema),
  /** The children told this generation, in tell order. */
  offspring: z.array(memberSchema),
});

interface Member {
  readonly sample: Sample;
  /** Minimisation vector; all +Infinity for a trial that failed, was invalid or lacks a metric. */
  readonly point: readonly number[];
}

/**
 * NSGA-II (Deb et al. 2002) over a search space's decision process. Generational: N random
 * architectures, then each generation asks N children, each from two binary tournaments on (rank,
 * crowding), a uniform crossover of their decisions (probability `crossover`) and a one-decision
 * mutation (probability `mutationRate`; walk.ts's mutate, which the paper's per-variable rate 1/n
 * approximates with one expected change); once all are told, parents and children are pooled and the
 * best N by non-dominated rank, then crowding distance, survive. Objectives come from trial.metrics;
 * trial.score is not used. As in pymoo, a child already in the population or this generation is
 * redrawn, since a repeat costs a slot and teaches nothing.
 */
export class Nsga2Strategy implements Strategy {
  readonly name = 'nsga2';
  readonly objectives: readonly Objective[];
  private readonly size: number;
  private readonly crossover: number;
  private readonly mutationRate: number;
  private population: Member[] = [];
  private ranking: RankAndCrowding = { rank: [], crowding: [] };
  private issued: Sample[] = [];
  private offspring: Member[] = [];

  constructor(
    private readonly space: SearchSpace<unknown>,
    options: Nsga2Options,
    private readonly rng: Rng,
  ) {
    if (options.objectives === undefined) {
      throw new ConfigError(
        'strategy "nsga2" needs objectives: e.g. objectives: [{ metric: valid_acc_200ep, direction: maximize }, ' +
          '{ metric: params_M, direction: minimize }]',
      );
    }
    this.objectives = options.objectives;
    this.size = options.population;
    this.crossover = options.crossover;
    this.mutationRate = options.mutationRate;
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    if (this.issued.length >= this.size) {
      // Nothing running means the missing results can never arrive (lost in a crash): move on.
      if (ctx.running > 0) return Promise.resolve(WAIT);
      this.nextGeneration();
    }
    const sample =
      this.population.length === 0
        ? this.novel(() => randomSample(this.space, this.rng))
        : this.novel(() => this.child());
    this.issued.push(sample);
    return Promise.resolve({ kind: 'trial', sample });
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    const point = trial.state === 'complete' ? toMinimization(trial.metrics, this.objectives) : undefined;
    this.offspring.push({ sample: trial.sample, point: point ?? this.objectives.map(() => Infinity) });
    if (this.issued.length >= this.size && this.offspring.length >= this.issued.length) this.nextGeneration();
    return Promise.resolve();
  }

  /** The trials on the Pareto front of a history under this strategy's objectives, oldest first. */
  front(history: readonly TrialRecord[]): TrialRecord[] {
    return paretoTrials(history, this.objectives);
  }

  /** The current parents, for tests and reports. */
  members(): readonly Member[] {
    return this.population;
  }

  state(): StrategyState {
    const member = (m: Member) => ({ sample: m.sample, point: m.point.map(encodeScore) });
    return {
      strategy: this.name,
      version: VERSION,
      data: {
        rng: this.rng.state(),
        population: this.population.map(member),
        issued: this.issued,
        offspring: this.offspring.map(member),
      },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    const check = (sample: Sample, where: string): void => {
      try {
        validateSample(this.space, sample);
      } catch (e) {
        if (!(e instanceof InvalidArchitectureError)) throw e;
        throw new ConfigError(
          `saved "nsga2" state: ${where} is not an architecture of space "${this.space.name}": ${e.message}`,
        );
      }
    };
    const m = this.objectives.length;
    const members = (list: readonly { sample: Sample; point: number[] }[], field: string): Member[] =>
      list.map((x, i) => {
        check(x.sample, `${field}[${i}]`);
        if (x.point.length !== m) {
          throw new ConfigError(
            `saved "nsga2" state: ${field}[${i}] has ${x.point.length} objective values, the strategy has ${m} ` +
              "objectives: resume with the experiment's own strategy options",
          );
        }
        return { sample: x.sample, point: x.point };
      });
    data.issued.forEach((s, i) => check(s, `issued[${i}]`));
    this.rng.setState(data.rng);
    this.population = members(data.population, 'population');
    this.ranking = rankAndCrowding(this.population.map((p) => p.point));
    this.issued = data.issued;
    this.offspring = members(data.offspring, 'offspring');
  }

  /** Pools parents and children (each architecture once) and keeps the best N. */
  private nextGeneration(): void {
    const pool: Member[] = [];
    const keys = new Set<string>();
    for (const member of [...this.population, ...this.offspring]) {
      const key = this.space.key(member.sample);
      if (keys.has(key)) continue;
      keys.add(key);
      pool.push(member);
    }
    const survivors = crowdedSelection(
      pool.map((p) => p.point),
      this.size,
    );
    this.population = survivors.map((i) => pool[i] as Member);
    this.ranking = rankAndCrowding(this.population.map((p) => p.point));
    this.issued = [];
    this.offspring = [];
  }

  /** Draws until the sample is new to the population and this generation, or the tries run out. */
  private novel(draw: () => Sample): Sample {
    const taken = new Set<string>();
    for (const m of this.population) taken.add(this.space.key(m.sample));
    for (const s of this.issued) taken.add(this.space.key(s));
    let sample = draw();
    for (let t = 1; t < NOVELTY_TRIES && taken.has(this.space.key(sample)); t++) sample = draw();
    return sample;
  }

  private child(): Sample {
    const first = this.tournament();
    let sample = first;
    if (this.rng.float() < this.crossover) sample = this.uniformCrossover(first, this.tournament());
    if (this.rng.float() < this.mutationRate) sample = mutate(this.space, sample, this.rng);
    return sample;
  }

  /** Binary tournament under the crowded-comparison operator; the first drawn wins ties. */
  private tournament(): Sample {
    const n = this.population.length;
    const a = this.rng.int(n);
    const b = this.rng.int(n);
    const winner = crowdedBetter(b, a, this.ranking) ? b : a;
    return (this.population[winner] as Member).sample;
  }

  /**
   * Each decision from either parent with equal chance. Walking the space keeps conditional spaces
   * valid: a decision only one parent took comes from that parent, one neither took is drawn at random.
   */
  private uniformCrossover(a: Sample, b: Sample): Sample {
    return walk(this.space, (d) => {
      const fromA = a[d.name];
      const fromB = b[d.name];
      const okA = fromA !== undefined && d.choices.includes(fromA);
      const okB = fromB !== undefined && d.choices.includes(fromB);
      if (okA && okB)
        return fromA === fromB || this.rng.float() < 0.5 ? (fromA as Choice) : (fromB as Choice);
      if (okA) return fromA as Choice;
      if (okB) return fromB as Choice;
      return this.rng.pick(d.choices);
    });
  }
}

export const nsga2Strategy = defineStrategy({
  name: 'nsga2',
  description:
    'NSGA-II: multi-objective evolution by non-dominated rank and crowding distance over trial.metrics',
  options: nsga2Options,
  // NAS-Bench-201's accuracy against its size: what `--help` shows and the registry-wide tests run.
  example: {
    objectives: [
      { metric: 'valid_acc_200ep', direction: 'maximize' },
      { metric: 'params_M', direction: 'minimize' },
    ],
    population: 10,
  },
  create: ({ space, options, rng }) => new Nsga2Strategy(space, options, rng),
});
