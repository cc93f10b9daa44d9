import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy, StrategyContext } from '../../core/strategy.js';
import type { Metrics, Proposal, StrategyState, TrialRecord } from '../../core/types.js';
import { defineStrategy } from '../define.js';
import { learnerStateShape, PolicyGradientLearner } from './learner.js';
import { policyGradientFields } from './options.js';
import { readState } from '../saved-state.js';

const VERSION = 1;

const reinforceOptions = z.strictObject({
  ...policyGradientFields,
  batch: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('architectures per policy update, M (1: update after every result, as NAS-Bench-201)'),
});
export type ReinforceOptions = z.output<typeof reinforceOptions>;

const stateSchema = z.strictObject({
  ...learnerStateShape,
  /** Results already in the gradient of the batch being gathered. */
  gathered: z.number().int().min(0),
  /** That gradient (null when the batch is empty). */
  grad: z.string().nullable(),
});

/**
 * REINFORCE (Williams 1992) as NAS uses it (Zoph & Le 2017; the NAS-Bench-201 baseline): sample an
 * architecture from the policy, and once its reward is back, step Adam on
 *   loss = -(reward - baseline) * log p(architecture) - entropy_weight * H,
 * averaged over a batch of M results. The baseline is an exponential moving average of the rewards.
 * With several trials in flight each proposal is drawn from the current policy, and each result
 * contributes the gradient of its own architecture's log-probability at the current parameters.
 *
 * With a model (variant=efficient), each update on real results is followed by one on a batch of
 * imagined ones (the policy's own samples, rewarded by the surrogate; see PolicyGradientLearner), and
 * each proposal is the policy sample the surrogate rates best.
 */
export class ReinforceStrategy implements Strategy {
  readonly name = 'reinforce';
  readonly learner: PolicyGradientLearner;
  private gathered = 0;

  constructor(
    space: SearchSpace<unknown>,
    private readonly options: ReinforceOptions,
    rng: Rng,
  ) {
    this.learner = new PolicyGradientLearner(space, options, rng);
  }

  ask(ctx: StrategyContext): Promise<Proposal> {
    return Promise.resolve(this.learner.propose(ctx));
  }

  tell(trial: TrialRecord, _ctx: StrategyContext): Promise<void> {
    const experience = this.learner.receive(trial);
    if (experience === undefined) return Promise.resolve();
    const { policy, adam, space, entropy } = this.learner;
    if (this.gathered === 0) policy.params.zeroGrad();
    policy.forward(space, experience.sample);
    policy.backward(-experience.advantage, -entropy);
    if (++this.gathered >= this.options.batch) {
      adam.update(policy.params, 1 / this.options.batch);
      this.gathered = 0;
      this.dream();
    }
    return Promise.resolve();
  }

  /** One REINFORCE step on a batch of imagined results (the model's predictions), if there is a model. */
  private dream(): void {
    const imagined = this.learner.imagine();
    if (imagined.length === 0) return;
    const { policy, adam, space, entropy } = this.learner;
    policy.params.zeroGrad();
    for (const { sample, advantage } of imagined) {
      policy.forward(space, sample);
      policy.backward(-advantage, -entropy);
    }
    adam.update(policy.params, 1 / imagined.length);
  }

  diagnostics(): Metrics | undefined {
    return this.learner.diagnostics();
  }

  state(): StrategyState {
    const grad = this.gathered > 0 ? this.learner.policy.params.gradBlob() : null;
    return {
      strategy: this.name,
      version: VERSION,
      data: { ...this.learner.state(), gathered: this.gathered, grad },
    };
  }

  restore(state: StrategyState): void {
    const data = readState(state, this.name, VERSION, stateSchema);
    if (data.gathered >= this.options.batch || data.gathered > 0 !== (data.grad !== null)) {
      throw new ConfigError(
        `saved "reinforce" state gathered ${data.gathered} results for a batch of ${this.options.batch}: ` +
          `resume with the experiment's own strategy options`,
      );
    }
    this.learner.restore(data, this.name);
    if (data.grad !== null) this.learner.policy.params.loadGrad(data.grad);
    this.gathered = data.gathered;
  }
}

export const reinforceStrategy = defineStrategy({
  name: 'reinforce',
  description:
    'REINFORCE policy gradient (factorized or LSTM controller), Adam, batches of M; by default rank rewards ' +
    'and updates on a surrogate between evaluations (variant=paper: EMA baseline, no model)',
  options: reinforceOptions,
  create: ({ space, options, rng }) => new ReinforceStrategy(space, options, rng),
});
