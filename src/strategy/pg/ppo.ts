import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Metrics, Proposal, StrategyState, TrialRecord } from '../../core/types.js';
import { defineStrategy } from '../define.js';
import { learnerStateShape, PolicyGradientLearner, type Experience } from './learner.js';
import { policyGradientFields } from './options.js';
import { readState, sampleSchema } from '../saved-state.js';

const VERSION = 1;

const ppoOptions = z.strictObject({
  ...policyGradientFields,
  batch: z
    .union([z.literal('auto'), z.number().int().min(1)])
    .default('auto')
    .describe(
      'real results per policy update; auto: 10 (paper: ten updates in ~100 evaluations), 5 (efficient)',
    ),
  epochs: z.number().int().min(1).default(4).describe('optimisation passes over each batch'),
  clip: z.number().positive().default(0.2).describe('PPO clip range epsilon for the probability ratio'),
});
export type PpoOptions = z.output<typeof ppoOptions>;

const stateSchema = z.strictObject({
  ...learnerStateShape,
  /** Results gathered for the next update: the sample, its log-probability when sampled, the advantage. */
  batch: z.array(z.strictObject({ sample: sampleSchema, logp: z.number(), advantage: z.number() })),
});

/**
 * d/d(logp) of min(rho A, clip(rho, 1 - eps, 1 + eps) A) with rho = exp(logp - logp_old): rho A where
 * the unclipped term is the minimum, 0 where the clipped (constant) one is.
 */
export function surrogateSlope(ratio: number, advantage: number, clip: number): number {
  const clipped = advantage > 0 ? ratio > 1 + clip : advantage < 0 && ratio < 1 - clip;
  return clipped ? 0 : ratio * advantage;
}

/**
 * Proximal policy optimisation (Schulman et al. 2017) as the NASNet controller uses it (Zoph et al.
 * 2018): gather a batch of results, then take several Adam steps, each on the whole batch, maximising
 *   mean_i min(rho_i A_i, clip(rho_i, 1 - eps, 1 + eps) A_i) + entropy_weight * H,
 * where rho_i = exp(logp_now - logp_at_sampling) and A_i = reward - EMA baseline. The gradient of a term
 * is rho A grad(logp) where the clip is inactive and 0 where it is active (rho beyond 1 + eps with A > 0,
 * or below 1 - eps with A < 0), so no update pushes the policy far from the one that sampled the batch.
 * While a batch fills, proposals come from the current policy (never 'wait').
 *
 * With a model (variant=efficient), after each real result the same clipped epochs run on a batch of
 * imagined results (the policy's own samples with their log-probabilities at sampling, rewarded by the
 * surrogate), so the controller improves between real batches; proposals are the policy samples the
 * surrogate rates best.
 */
export class PpoStrategy implements Strategy {
  readonly name = 'ppo';
  readonly learner: PolicyGradientLearner;
  private readonly batch: Experience[] = [];

  constructor(
    space: SearchSpace<unknown>,
    private readonly options: PpoOptions,
    rng: Rng,
  ) {
    this.learner = new PolicyGradientLearner(space, options, rng);
  }

  /** Results waiting for the next update (for tests of bounded memory). */
  get batchSize(): number {
    return this.batch.length;
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    return Promise.resolve(this.learner.propose(ctx));
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    const experience = this.learner.receive(trial);
    if (experience !== undefined) this.batch.push(experience);
    if (this.batch.length >= this.batchSizeLimit) {
      this.update(this.batch);
      this.batch.length = 0;
    }
    // Between real batches, PPO's epochs run on a batch of imagined results (the surrogate's).
    if (experience !== undefined) {
      const imagined = this.learner.imagine();
      if (imagined.length > 0) this.update(imagined);
    }
    return Promise.resolve();
  }

  /** Real results per update, the option resolved for the variant. */
  get batchSizeLimit(): number {
    const { batch, variant } = this.options;
    return batch !== 'auto' ? batch : variant === 'paper' ? 10 : 5;
  }

  private update(batch: readonly Experience[]): void {
    const { policy, adam, space, entropy } = this.learner;
    const n = batch.length;
    const { clip } = this.options;
    for (let epoch = 0; epoch < this.options.epochs; epoch++) {
      policy.params.zeroGrad();
      for (const { sample, logp, advantage } of batch) {
        const now = policy.forward(space, sample);
        const slope = surrogateSlope(Math.exp(now.logp - logp), advantage, clip);
        // The loss is minus the objective, averaged over the batch.
        policy.backward(-slope / n, -entropy / n);
      }
      adam.update(policy.params);
    }
  }

  diagnostics(): Metrics | undefined {
    return this.learner.diagnostics();
  }

  state(): StrategyState {
    const batch = this.batch.map((e) => ({ sample: e.sample, logp: e.logp, advantage: e.advantage }));
    return { strategy: this.name, version: VERSION, data: { ...this.learner.state(), batch } };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    if (data.batch.length >= this.batchSizeLimit) {
      throw new ConfigError(
        `saved "ppo" state holds ${data.batch.length} results for a batch of ${this.batchSizeLimit}: ` +
          `resume with the experiment's own strategy options`,
      );
    }
    this.learner.restore(data, this.name);
    this.batch.length = 0;
    this.batch.push(...data.batch);
  }
}

export const ppoStrategy = defineStrategy({
  name: 'ppo',
  description:
    'PPO policy optimisation (factorized or LSTM controller): clipped objective, epochs over each batch; ' +
    'by default also over imagined batches scored by a surrogate (variant=paper: none)',
  options: ppoOptions,
  create: ({ space, options, rng }) => new PpoStrategy(space, options, rng),
});
