import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { StrategyContext } from '../../core/strategy.js';
import type { Json, Metrics, Proposal, Sample, TrialRecord } from '../../core/types.js';
import { baselineSchema, EmaBaseline } from './baseline.js';
import { learningRate, type PolicyGradientOptions } from './options.js';
import { PendingProposals, pendingSchema } from './pending.js';
import { Adam } from '../../numeric/adam.js';
import { createPolicy } from '../policy/create.js';
import type { Policy } from '../policy/policy.js';
import { rngStateSchema } from '../saved-state.js';

/** What REINFORCE and PPO save in common; each adds its own fields. */
export const learnerStateShape = {
  rng: rngStateSchema,
  policy: z.json(),
  adam: z.json(),
  baseline: baselineSchema,
  /** Lowest and highest finite reward seen, null before any: they stand in for non-finite scores. */
  rewardRange: z.tuple([z.number(), z.number()]).nullable(),
  pending: pendingSchema,
};
export type LearnerState = z.output<z.ZodObject<typeof learnerStateShape>>;

/** A told result, ready to learn from. */
export interface Experience {
  /** The architecture the policy sampled (the proposal's own sample when the result matched one). */
  readonly sample: Sample;
  /** Its log-probability when it was sampled (at the current parameters for an unmatched result). */
  readonly logp: number;
  /** reward - EMA baseline. */
  readonly advantage: number;
}

/**
 * The part REINFORCE and PPO share: the policy and its Adam optimiser, sampling a proposal from the
 * current policy whatever is in flight (never 'wait'), matching each result to its proposal, the reward
 * and its EMA baseline, and the common state.
 *
 * Rewards are the trial scores as they come (accuracy in percent, say), as in the NAS-Bench-201
 * REINFORCE code: Adam divides each step by the running scale of the gradient, so a constant factor on
 * the rewards changes nothing but the relative weight of the entropy bonus, which is therefore stated
 * in reward units. A running min-max normalisation would instead shrink the advantages as the range
 * widens, a drift Adam's long second-moment memory (beta2 = 0.999) would turn into ever smaller steps.
 * Invalid architectures carry their score and are learned from like any other; failed trials (no score)
 * are dropped; a non-finite score (an invalid reward of -Infinity) counts as the worst finite reward
 * seen so far (the runner's own default for invalid), or is skipped before any.
 */
export class PolicyGradientLearner {
  readonly policy: Policy;
  readonly adam: Adam;
  private readonly baseline: EmaBaseline;
  private readonly pending = new PendingProposals();
  private rewardRange: [number, number] | null = null;
  private last: Metrics | undefined;

  constructor(
    readonly space: SearchSpace<unknown>,
    options: PolicyGradientOptions,
    readonly rng: Rng,
  ) {
    this.policy = createPolicy(options, rng);
    this.adam = new Adam({ lr: learningRate(options), clipNorm: options.gradClip });
    this.baseline = new EmaBaseline(options.baselineMomentum);
  }

  /** Pending proposals (for tests of bounded memory). */
  get pendingCount(): number {
    return this.pending.size;
  }

  propose(ctx: StrategyContext): Proposal {
    // Nothing running: no pending proposal can still be told (lost in a crash, say).
    if (ctx.running === 0) this.pending.clear();
    const { sample, logp } = this.policy.sample(this.space, this.rng);
    this.pending.add({ key: this.space.key(sample), sample, logp });
    return { kind: 'trial', sample };
  }

  /** Matches a result to its proposal; undefined when there is nothing to learn from it. */
  receive(trial: TrialRecord): Experience | undefined {
    const proposal = this.pending.take(trial.key);
    const reward = this.reward(trial.score);
    if (reward === undefined) return undefined;
    let logp = proposal?.logp;
    const sample = proposal?.sample ?? trial.sample;
    if (logp === undefined) {
      try {
        logp = this.policy.forward(this.space, sample).logp;
      } catch (e) {
        // A result for an architecture this space cannot walk teaches this policy nothing.
        if (e instanceof InvalidArchitectureError) return undefined;
        throw e;
      }
    }
    const advantage = this.baseline.advantage(reward);
    // The walk's entropy under the policy that sampled it: the dashboard's view of the controller.
    const { entropy } = this.policy.forward(this.space, sample);
    this.last = { reward, baseline: reward - advantage, entropy };
    return { sample, logp, advantage };
  }

  /** The reward, baseline and walk entropy of the last result learned from. */
  diagnostics(): Metrics | undefined {
    return this.last;
  }

  state(): { [K in keyof typeof learnerStateShape]: Json } {
    return {
      rng: this.rng.state(),
      policy: this.policy.toJSON(),
      adam: this.adam.toJSON(),
      baseline: this.baseline.toJSON(),
      rewardRange: this.rewardRange,
      pending: this.pending.toJSON(),
    };
  }

  restore(data: LearnerState): void {
    this.policy.load(data.policy);
    this.adam.load(data.adam);
    if (this.adam.parameterCount > this.policy.params.size) {
      throw new ConfigError('saved policy-gradient state: the optimiser holds more values than the policy');
    }
    this.baseline.load(data.baseline);
    this.rewardRange = data.rewardRange;
    this.pending.load(data.pending);
    this.rng.setState(data.rng);
  }

  private reward(score: number | undefined): number | undefined {
    if (score === undefined || Number.isNaN(score)) return undefined;
    const range = this.rewardRange;
    if (Number.isFinite(score)) {
      if (range === null) this.rewardRange = [score, score];
      else this.rewardRange = [Math.min(range[0], score), Math.max(range[1], score)];
      return score;
    }
    if (range === null) return undefined;
    return score < 0 ? range[0] : range[1];
  }
}
