import { z } from 'zod';
import { modelFields } from '../model/guide.js';

/**
 * The controller's own options, as the papers set them (also ENAS's controller, which keeps them):
 * NAS-Bench-201's REINFORCE (factorized, Adam 0.01, EMA baseline 0.9, no entropy bonus) and, for the
 * LSTM, Zoph & Le / ENAS (100 hidden units, lr 0.00035, temperature and tanh clip off).
 */
export const controllerFields = {
  policy: z
    .enum(['factorized', 'lstm'])
    .default('factorized')
    .describe('factorized: one categorical per decision; lstm: the Zoph & Le / ENAS controller'),
  lr: z
    .union([z.literal('auto'), z.number().positive()])
    .default('auto')
    .describe('Adam learning rate; auto: 0.01 for factorized (NAS-Bench-201), 0.00035 for lstm (ENAS)'),
  baselineMomentum: z
    .number()
    .min(0)
    .lt(1)
    .default(0.9)
    .describe('momentum of the exponential-moving-average reward baseline'),
  entropy: z
    .number()
    .min(0)
    .default(0)
    .describe('entropy bonus weight, in reward units per nat (scores are used as they come)'),
  hidden: z.number().int().min(1).default(100).describe('LSTM hidden units (lstm policy only)'),
  temperature: z
    .number()
    .positive()
    .default(1)
    .describe('logits are divided by this; > 1 flattens the policy (ENAS: 5 / 2.5 = 2 with tanhClip 2.5)'),
  tanhClip: z
    .number()
    .min(0)
    .default(0)
    .describe(
      'c > 0 soft-clips the logits to c * tanh(logits / c) after the temperature (ENAS: 2.5); 0 = off',
    ),
  gradClip: z.number().min(0).default(0).describe('clip the gradient to this L2 norm; 0 = off'),
};

/** The controller fields, parsed. */
export type ControllerOptions = z.output<z.ZodObject<typeof controllerFields>>;

/** The Adam learning rate of the paper settings (ENAS's controller). */
export function controllerLearningRate(options: ControllerOptions): number {
  if (options.lr !== 'auto') return options.lr;
  return options.policy === 'lstm' ? 0.00035 : 0.01;
}

/**
 * The options REINFORCE and PPO share. `variant` picks the defaults of every option left at 'auto':
 * - paper: the NAS-Bench-201 / NATS-Bench REINFORCE baseline (factorized policy, Adam with learning rate
 *   0.01, EMA baseline with momentum 0.9, no entropy bonus, no model) and, for the LSTM controller,
 *   Zoph & Le / ENAS (100 hidden units, lr 0.00035, temperature and tanh clip off);
 * - efficient (default): the same controller made to learn within 20-200 evaluations: rank-based
 *   advantages, an entropy bonus, a higher learning rate, no credit for re-told architectures, and a
 *   surrogate it learns from between real evaluations and that screens its proposals (docs/strategies.md).
 */
export const policyGradientFields = {
  ...controllerFields,
  variant: z
    .enum(['efficient', 'paper'])
    .default('efficient')
    .describe("defaults of the 'auto' options: efficient (model-based, rank rewards) or paper"),
  lr: z
    .union([z.literal('auto'), z.number().positive()])
    .default('auto')
    .describe('Adam learning rate; auto: 0.01 factorized / 0.00035 lstm (paper), 0.05 / 0.002 (efficient)'),
  advantage: z
    .enum(['auto', 'rank', 'ema'])
    .default('auto')
    .describe(
      'rank: the centred rank of the reward among all results so far; ema: reward - EMA baseline; ' +
        'auto: rank (efficient), ema (paper)',
    ),
  baselineMomentum: z
    .number()
    .min(0)
    .lt(1)
    .default(0.9)
    .describe('momentum of the exponential-moving-average reward baseline (advantage=ema)'),
  entropy: z
    .union([z.literal('auto'), z.number().min(0)])
    .default('auto')
    .describe(
      'entropy bonus weight per nat, in advantage units; auto: 0 (paper), 0.01 (efficient, ranks in ±0.5)',
    ),
  ...modelFields,
};

/** The shared fields, parsed. */
export type PolicyGradientOptions = z.output<z.ZodObject<typeof policyGradientFields>>;

/** The shared options with every 'auto' resolved for the variant. */
export interface ResolvedPolicyGradient {
  readonly lr: number;
  readonly advantage: 'rank' | 'ema';
  readonly entropy: number;
  readonly model: 'gp' | 'mlp' | 'off';
  /** Skip results for architectures already learned from (the runner re-tells a duplicate's result). */
  readonly skipRepeats: boolean;
}

export function resolvePolicyGradient(o: PolicyGradientOptions): ResolvedPolicyGradient {
  const paper = o.variant === 'paper';
  const lstm = o.policy === 'lstm';
  return {
    lr: o.lr !== 'auto' ? o.lr : paper ? (lstm ? 0.00035 : 0.01) : lstm ? 0.002 : 0.05,
    advantage: o.advantage !== 'auto' ? o.advantage : paper ? 'ema' : 'rank',
    entropy: o.entropy !== 'auto' ? o.entropy : paper ? 0 : 0.01,
    model: o.model !== 'auto' ? o.model : paper ? 'off' : 'gp',
    skipRepeats: !paper,
  };
}
