import { z } from 'zod';
import { ConfigError, InvalidArchitectureError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { StrategyContext } from '../../core/strategy.js';
import type { Json, Metrics, Proposal, Sample, TrialRecord } from '../../core/types.js';
import { baselineSchema, EmaBaseline } from './baseline.js';
import { resolvePolicyGradient, type PolicyGradientOptions, type ResolvedPolicyGradient } from './options.js';
import { PendingProposals, pendingSchema } from './pending.js';
import { Adam } from '../../numeric/adam.js';
import { createPolicy } from '../policy/create.js';
import type { Policy } from '../policy/policy.js';
import { guideStateShape, ModelGuide } from '../model/guide.js';
import { centredRank, centredRanks } from '../model/rank.js';
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
  ...guideStateShape,
};
export type LearnerState = z.output<z.ZodObject<typeof learnerStateShape>>;

/** A told result, or an imagined one, ready to learn from. */
export interface Experience {
  /** The architecture the policy sampled (the proposal's own sample when the result matched one). */
  readonly sample: Sample;
  /** Its log-probability when it was sampled (at the current parameters for an unmatched result). */
  readonly logp: number;
  /** reward - EMA baseline, or the reward's centred rank (advantage=rank). */
  readonly advantage: number;
}

/** Fresh samples drawn from the policy before giving up on finding one not yet evaluated. */
const FRESH_TRIES = 10;

/**
 * The part REINFORCE and PPO share: the policy and its Adam optimiser, sampling a proposal from the
 * current policy whatever is in flight (never 'wait'), matching each result to its proposal, the reward
 * and its advantage, the model the controller learns from between evaluations, and the common state.
 *
 * Advantages. `ema` (the paper's): rewards are the trial scores as they come, minus an EMA baseline, as
 * in the NAS-Bench-201 REINFORCE code (Adam divides each step by the running scale of the gradient, so a
 * constant factor on the rewards changes nothing but the weight of the entropy bonus). `rank`: the
 * reward's centred rank among every result so far, in (-0.5, 0.5): invariant to the scale and skew of
 * the scores, so a broken architecture at chance accuracy is just "the worst" and the differences among
 * good ones keep their weight; the baseline it implies is the median result.
 *
 * Invalid architectures carry their score and are learned from like any other; failed trials (no score)
 * are dropped; a non-finite score (an invalid reward of -Infinity) counts as the worst finite reward
 * seen so far (the runner's own default for invalid), or is skipped before any. With `skipRepeats`, a
 * result for an architecture already learned from (the runner re-tells a duplicate's stored result)
 * teaches nothing: re-proposing an evaluated architecture earns no reward.
 */
export class PolicyGradientLearner {
  readonly policy: Policy;
  readonly adam: Adam;
  readonly guide: ModelGuide;
  readonly config: ResolvedPolicyGradient;
  private readonly baseline: EmaBaseline;
  private readonly pending = new PendingProposals();
  private rewardRange: [number, number] | null = null;
  private last: Metrics | undefined;

  constructor(
    readonly space: SearchSpace<unknown>,
    private readonly options: PolicyGradientOptions,
    readonly rng: Rng,
  ) {
    this.config = resolvePolicyGradient(options);
    this.policy = createPolicy(options, rng);
    this.adam = new Adam({ lr: this.config.lr, clipNorm: options.gradClip });
    this.baseline = new EmaBaseline(options.baselineMomentum);
    this.guide = new ModelGuide(space, this.config.model, options.initial);
  }

  /** Pending proposals (for tests of bounded memory). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** The entropy bonus weight, in advantage units. */
  get entropy(): number {
    return this.config.entropy;
  }

  /**
   * Samples the proposal from the policy. With a model: `candidates` samples, of which the surrogate
   * picks one by Thompson sampling among those neither evaluated nor in flight. Without: a sample not
   * yet evaluated when one turns up within a few draws (with skipRepeats).
   */
  propose(ctx: StrategyContext): Proposal {
    // Nothing running: no pending proposal can still be told (lost in a crash, say).
    if (ctx.running === 0) this.pending.clear();
    const fresh = (key: string) => !this.guide.has(key) && !this.pending.has(key);
    let chosen: { sample: Sample; logp: number; key: string } | undefined;
    if (this.guide.ready(this.rng)) {
      const seen = new Set<string>();
      const pool: { sample: Sample; logp: number; key: string }[] = [];
      for (let i = 0; i < this.options.candidates; i++) {
        const { sample, logp } = this.policy.sample(this.space, this.rng);
        const key = this.space.key(sample);
        if (seen.has(key) || !fresh(key)) continue;
        seen.add(key);
        pool.push({ sample, logp, key });
      }
      const pick = this.guide.pick(
        pool.map((c) => c.sample),
        this.rng,
      );
      if (pick >= 0) chosen = pool[pick];
    }
    if (chosen === undefined) {
      const tries = this.config.skipRepeats ? FRESH_TRIES : 1;
      for (let i = 0; i < tries; i++) {
        const { sample, logp } = this.policy.sample(this.space, this.rng);
        chosen = { sample, logp, key: this.space.key(sample) };
        if (fresh(chosen.key)) break;
      }
    }
    const { sample, logp, key } = chosen!;
    this.pending.add({ key, sample, logp });
    return { kind: 'trial', sample };
  }

  /** Matches a result to its proposal; undefined when there is nothing to learn from it. */
  receive(trial: TrialRecord): Experience | undefined {
    const proposal = this.pending.take(trial.key);
    const repeat = this.guide.has(this.guide.keyOf(trial));
    this.guide.observe(trial);
    if (repeat && this.config.skipRepeats) return undefined;
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
    let advantage: number;
    let baseline: number;
    if (this.config.advantage === 'rank') {
      const scores = this.guide.observations.scored().map((o) => o.score);
      advantage = centredRank(reward, scores.length > 0 ? scores : [reward]);
      baseline = median(scores.length > 0 ? scores : [reward]);
    } else {
      advantage = this.baseline.advantage(reward);
      baseline = reward - advantage;
    }
    // The walk's entropy under the policy that sampled it: the dashboard's view of the controller.
    const { entropy } = this.policy.forward(this.space, sample);
    this.last = { reward, baseline, entropy, advantage };
    const error = this.guide.error;
    if (error !== undefined) this.last = { ...this.last, surrogateError: error };
    return { sample, logp, advantage };
  }

  /**
   * Imagined experience (Dyna): `imagined` samples from the current policy, rewarded by the surrogate's
   * mean prediction, with advantages the centred ranks of the predictions within the batch, scaled by
   * how far the surrogate is trusted. Empty without a model.
   */
  imagine(): Experience[] {
    const count = this.options.imagined;
    if (count === 0 || !this.guide.ready(this.rng)) return [];
    const drawn = Array.from({ length: count }, () => this.policy.sample(this.space, this.rng));
    const predictions = drawn.map((d) => this.guide.predict(d.sample));
    const trust = this.guide.trust(predictions);
    const ranks = centredRanks(predictions.map((p) => p.mean));
    if (this.last !== undefined) this.last = { ...this.last, trust };
    return drawn.map((d, i) => ({ sample: d.sample, logp: d.logp, advantage: trust * ranks[i]! }));
  }

  /** The reward, baseline, advantage and walk entropy of the last result learned from, and the model's. */
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
      ...this.guide.state(),
    };
  }

  restore(data: LearnerState, who: string): void {
    this.policy.load(data.policy);
    this.adam.load(data.adam);
    if (this.adam.parameterCount > this.policy.params.size) {
      throw new ConfigError('saved policy-gradient state: the optimiser holds more values than the policy');
    }
    this.baseline.load(data.baseline);
    this.rewardRange = data.rewardRange;
    this.pending.load(data.pending);
    this.guide.restore(data, who);
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
