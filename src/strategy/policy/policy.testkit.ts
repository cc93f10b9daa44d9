// Finite-difference checks shared by the policy tests.
import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Sample } from '../../core/types.js';
import type { Policy } from './policy.js';

export interface GradientCheck {
  /**
   * Largest |analytic - numeric| / (1e-8 + 1e-6 |numeric|) over the checked parameters: below 1 means
   * every gradient agrees to 1e-6 relative, or 1e-8 absolute where it is tiny (central differences of a
   * float64 function with step 1e-6 are good to about 1e-9).
   */
  readonly worst: number;
  /** How many checked parameters had a clearly non-zero gradient (the check is not vacuous). */
  readonly nonZero: number;
  readonly checked: number;
}

/**
 * Compares backward() with central differences of coefLogp * logp + coefEntropy * entropy of `sample`,
 * on every parameter or on `limit` of them drawn with `rng`.
 */
export function checkGradient(
  policy: Policy,
  space: SearchSpace<unknown>,
  sample: Sample,
  coefLogp: number,
  coefEntropy: number,
  rng: Rng,
  limit = Infinity,
): GradientCheck {
  const objective = (): number => {
    const { logp, entropy } = policy.forward(space, sample);
    return coefLogp * logp + coefEntropy * entropy;
  };
  policy.forward(space, sample); // creates any missing blocks before the vector is read
  const params = policy.params;
  params.zeroGrad();
  policy.forward(space, sample);
  policy.backward(coefLogp, coefEntropy);
  const analytic = params.grad.slice(0, params.size);
  const indices =
    params.size <= limit
      ? Array.from({ length: params.size }, (_, i) => i)
      : Array.from({ length: limit }, () => rng.int(params.size));
  const eps = 1e-6;
  let worst = 0;
  let nonZero = 0;
  for (const i of indices) {
    const saved = params.values[i] as number;
    params.values[i] = saved + eps;
    params.touch();
    const up = objective();
    params.values[i] = saved - eps;
    params.touch();
    const down = objective();
    params.values[i] = saved;
    params.touch();
    const numeric = (up - down) / (2 * eps);
    const a = analytic[i] as number;
    if (Math.abs(numeric) > 1e-6) nonZero++;
    worst = Math.max(worst, Math.abs(a - numeric) / (1e-8 + 1e-6 * Math.abs(numeric)));
  }
  return { worst, nonZero, checked: indices.length };
}
