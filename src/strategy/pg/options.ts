import { z } from 'zod';

/**
 * The options REINFORCE and PPO share. Defaults follow the NAS-Bench-201 / NATS-Bench REINFORCE baseline
 * (factorized policy, Adam with learning rate 0.01, EMA baseline with momentum 0.9, no entropy bonus)
 * and, for the LSTM controller, Zoph & Le / ENAS (100 hidden units, temperature and tanh clip off).
 */
export const policyGradientFields = {
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

/** The shared fields, parsed. */
export type PolicyGradientOptions = z.output<z.ZodObject<typeof policyGradientFields>>;

/** The Adam learning rate the options mean. */
export function learningRate(options: PolicyGradientOptions): number {
  if (options.lr !== 'auto') return options.lr;
  return options.policy === 'lstm' ? 0.00035 : 0.01;
}
