import { z } from 'zod';
import type { Rng } from '../core/rng.js';
import type { SearchSpace } from '../core/space.js';
import type { Strategy, StrategyContext } from '../core/strategy.js';
import type { Choice, Decision, Proposal, Sample, StrategyState, TrialRecord } from '../core/types.js';
import { walk } from '../space/walk.js';
import { bestFirst, freshRandomSample } from './bo/candidates.js';
import { Observations, observationsSchema, pendingSchema, type Observation } from './bo/observations.js';
import { defineStrategy } from './define.js';
import { readState, rngStateSchema } from './saved-state.js';

const VERSION = 1;

const tpeOptions = z.strictObject({
  startup: z.number().int().min(1).default(10).describe('random trials before the densities are used'),
  candidates: z.number().int().min(1).default(24).describe('samples drawn from l(x) per ask'),
  gamma: z
    .number()
    .gt(0)
    .lt(1)
    .default(0.25)
    .describe('share of the results that make the good group l(x) (at most 25 of them, as Optuna)'),
  prior: z.number().gt(0).default(1).describe('weight of the uniform prior in each density'),
});
export type TpeOptions = z.output<typeof tpeOptions>;

const stateSchema = z.strictObject({
  rng: rngStateSchema,
  observations: observationsSchema,
  pending: pendingSchema,
});

/** Per-decision choice weights of one group. */
type Counts = Map<string, Map<Choice, number>>;

function countChoices(group: readonly Observation[]): Counts {
  const counts: Counts = new Map();
  for (const o of group) {
    for (const [name, choice] of Object.entries(o.sample)) {
      let m = counts.get(name);
      if (m === undefined) counts.set(name, (m = new Map()));
      m.set(choice, (m.get(choice) ?? 0) + 1);
    }
  }
  return counts;
}

/** P(choice) under a group: its counts among the group's samples that asked the decision, plus a prior. */
function density(counts: Counts, d: Decision, choice: Choice, prior: number): number {
  const m = counts.get(d.name);
  let total = 0;
  for (const c of d.choices) total += m?.get(c) ?? 0;
  return ((m?.get(choice) ?? 0) + prior / d.choices.length) / (total + prior);
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011) for categorical decisions: after `startup`
 * random trials, the results are split at the gamma quantile into good and bad; each decision gets a
 * categorical density over its choices from the good group, l(x), and from the bad, g(x), both smoothed
 * by a uniform prior. `candidates` samples are drawn from l by walking the decision process (so a
 * conditional decision is drawn only when its prefix asks it, from the samples that asked it), and the
 * one with the highest l(x)/g(x) that is not evaluated or in flight is proposed.
 */
export class TpeStrategy implements Strategy {
  readonly name = 'tpe';
  private readonly observations: Observations;
  private readonly pending = new Set<string>();

  constructor(
    private readonly space: SearchSpace<unknown>,
    private readonly options: TpeOptions,
    private readonly rng: Rng,
  ) {
    this.observations = new Observations(space);
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
      data: { rng: this.rng.state(), observations: this.observations.toJSON(), pending: [...this.pending] },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    this.observations.load(data.observations, this.name);
    this.pending.clear();
    for (const key of data.pending) this.pending.add(key);
    this.rng.setState(data.rng);
  }

  private used = (key: string): boolean => this.observations.has(key) || this.pending.has(key);

  private propose(): Sample {
    const all = this.observations.all();
    if (all.length < this.options.startup) return freshRandomSample(this.space, this.rng, this.used);
    // -Infinity (invalid) results sort last, into the bad group, where they belong.
    const ranked = bestFirst(all);
    const nGood = Math.min(25, Math.max(1, Math.ceil(this.options.gamma * ranked.length)));
    const good = countChoices(ranked.slice(0, nGood));
    const bad = countChoices(ranked.slice(nGood));
    const { prior } = this.options;
    let best: Sample | undefined;
    let bestValue = -Infinity;
    for (let i = 0; i < this.options.candidates; i++) {
      let value = 0;
      const sample = walk(this.space, (d) => {
        const choice = this.drawFrom(good, d);
        value += Math.log(density(good, d, choice, prior)) - Math.log(density(bad, d, choice, prior));
        return choice;
      });
      if (value > bestValue && !this.used(this.space.key(sample))) {
        best = sample;
        bestValue = value;
      }
    }
    return best ?? freshRandomSample(this.space, this.rng, this.used);
  }

  private drawFrom(counts: Counts, d: Decision): Choice {
    const { prior } = this.options;
    let u = this.rng.float();
    for (const c of d.choices) {
      u -= density(counts, d, c, prior);
      if (u < 0) return c;
    }
    return d.choices[d.choices.length - 1] as Choice;
  }
}

export const tpeStrategy = defineStrategy({
  name: 'tpe',
  description: 'tree-structured Parzen estimator: draw from the good results’ choice densities, pick max l/g',
  options: tpeOptions,
  create: ({ space, options, rng }) => new TpeStrategy(space, options, rng),
});
