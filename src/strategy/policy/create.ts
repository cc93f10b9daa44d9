import type { Rng } from '../../core/rng.js';
import { FactorizedPolicy } from './factorized.js';
import { LstmPolicy } from './lstm.js';
import type { Policy, PolicyKind } from './policy.js';

export interface PolicyOptions {
  readonly policy: PolicyKind;
  /** LSTM hidden units (ignored by the factorized policy). */
  readonly hidden: number;
  readonly temperature: number;
  readonly tanhClip: number;
}

/** A policy of the given kind; its initial weights come from `rng`. */
export function createPolicy(options: PolicyOptions, rng: Rng): Policy {
  const shaping = { temperature: options.temperature, tanhClip: options.tanhClip };
  return options.policy === 'lstm'
    ? new LstmPolicy(options.hidden, shaping, rng)
    : new FactorizedPolicy(shaping, rng);
}
