import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Json, Sample } from '../../core/types.js';
import type { ParamVector } from '../../numeric/params.js';

export type PolicyKind = 'factorized' | 'lstm';

/** Log-probability of a whole architecture (sum over its decisions) and the sum of per-step entropies. */
export interface PolicyOutcome {
  readonly logp: number;
  readonly entropy: number;
}

export interface Sampled extends PolicyOutcome {
  readonly sample: Sample;
}

/**
 * A distribution over architectures that walks the space's decision process one decision at a time.
 * forward() (or sample()) records what backward() needs; backward() differentiates the last walk, so one
 * interface serves REINFORCE (coefficient = advantage) and PPO (coefficient = ratio x advantage, or 0
 * where the clip is active).
 */
export interface Policy {
  readonly kind: PolicyKind;
  readonly params: ParamVector;
  /** Walks `space.next(prefix)` drawing each choice from the policy. */
  sample(space: SearchSpace<unknown>, rng: Rng): Sampled;
  /**
   * Log-probability and entropy of a given complete sample at the current parameters. Throws
   * InvalidArchitectureError when the sample does not fit the space.
   */
  forward(space: SearchSpace<unknown>, sample: Sample): PolicyOutcome;
  /** Adds the gradient of (coefLogp * logp + coefEntropy * entropy) of the last walk into params.grad. */
  backward(coefLogp: number, coefEntropy: number): void;
  /** Layout (decision blocks in creation order) and weights, as plain JSON with a base64 blob. */
  toJSON(): Json;
  /** The inverse of toJSON(); throws ConfigError when the saved policy does not fit these options. */
  load(saved: unknown): void;
}
