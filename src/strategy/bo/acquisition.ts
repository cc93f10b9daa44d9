import type { Rng } from '../../core/rng.js';
import { normalCdf } from '../../predict/curves/index.js';
import type { Prediction } from '../../predict/surrogate/index.js';

export type Acquisition = 'ei' | 'ucb' | 'its';

/** Expected improvement over `best` of a Gaussian prediction (maximisation). */
export function expectedImprovement(p: Prediction, best: number): number {
  const gap = p.mean - best;
  if (!(p.std > 0)) return Math.max(gap, 0);
  const z = gap / p.std;
  const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  return gap * normalCdf(z) + p.std * density;
}

/**
 * The acquisition value of each prediction, higher is better. `its` (independent Thompson sampling,
 * BANANAS) draws one value from each candidate's Gaussian, so it uses the Rng: call it in a fixed order.
 */
export function acquire(
  kind: Acquisition,
  predictions: readonly Prediction[],
  best: number,
  beta: number,
  rng: Rng,
): number[] {
  switch (kind) {
    case 'ei':
      return predictions.map((p) => expectedImprovement(p, best));
    case 'ucb':
      return predictions.map((p) => p.mean + beta * p.std);
    case 'its':
      return predictions.map((p) => p.mean + p.std * rng.normal());
  }
}
