// Shared by the bo, tpe and screen tests: a synthetic objective with structure a model can learn, and
// the mean best score of a strategy over seeds.
import type { SearchSpace } from '../../core/space.js';
import type { Strategy } from '../../core/strategy.js';
import type { Sample } from '../../core/types.js';
import { flatSpace, Harness } from '../toy.testkit.js';

/** 8 decisions over 4 choices: 65,536 architectures, far more than a search of 60 trials sees. */
export const SYNTH_SPACE: SearchSpace<unknown> = flatSpace(8, [0, 1, 2, 3]);

/**
 * An additive score with a pairwise interaction, peaked at d_i = i mod 4 and kept within [0, 100] like
 * an accuracy: a surrogate or per-decision densities can learn it from a few dozen points, random
 * search cannot find its top by chance.
 */
export function synthScore(s: Sample): number {
  let score = 50;
  for (let i = 0; i < 8; i++) {
    const v = Number(s[`d${i}`]);
    score += v === i % 4 ? 5 : -Math.abs(v - (i % 4));
  }
  if (Number(s.d0) === 0 && Number(s.d1) === 1) score += 3;
  return score;
}

/** The best score a strategy finds in `trials` trials, averaged over `seeds`. */
export async function meanBest(
  create: (seed: number) => Strategy,
  seeds: readonly number[],
  trials: number,
): Promise<number> {
  let total = 0;
  for (const seed of seeds) {
    const h = new Harness(create(seed), SYNTH_SPACE, synthScore);
    let best = -Infinity;
    for (let t = 0; t < trials; t++) {
      await h.step(); // ask
      const sample = h.pending[0]!;
      best = Math.max(best, synthScore(sample));
      await h.step(); // tell
    }
    total += best;
  }
  return total / seeds.length;
}
