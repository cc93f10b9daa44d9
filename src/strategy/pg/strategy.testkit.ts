// Helpers for the REINFORCE and PPO tests: creating them as the registry would, and the toy runs.
import { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Strategy } from '../../core/strategy.js';
import type { Sample } from '../../core/types.js';
import type { StrategyEntry } from '../define.js';
import { Harness } from '../toy.testkit.js';

/** As createStrategy does: options parsed with their defaults, an Rng stream derived from the seed. */
export function createWith(
  entry: StrategyEntry,
  options: Record<string, unknown>,
  space: SearchSpace<unknown>,
  seed: number,
): Strategy {
  const parsed = entry.options.parse(options);
  return entry.create({ space, options: parsed, rng: Rng.derive(seed, 'strategy') });
}

export { hashedObjective as scrambledObjective } from '../toy.testkit.js';

/**
 * How many of `seeds` runs find the best architecture of an additive objective (the sum of the
 * choices) within `budget` evaluations.
 */
export async function solvedRuns(
  make: (seed: number) => Strategy,
  space: SearchSpace<unknown>,
  best: number,
  budget: number,
  seeds: number,
): Promise<number> {
  let solved = 0;
  for (let seed = 0; seed < seeds; seed++) {
    let evaluations = 0;
    let found = false;
    const objective = (s: Sample): number => {
      evaluations++;
      const score = Object.values(s).reduce<number>((sum, c) => sum + Number(c), 0);
      if (score === best) found = true;
      return score;
    };
    const harness = new Harness(make(seed), space, objective);
    while (evaluations < budget && !found) await harness.step();
    if (found) solved++;
  }
  return solved;
}
