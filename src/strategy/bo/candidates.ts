import type { Rng } from '../../core/rng.js';
import type { SearchSpace } from '../../core/space.js';
import type { Sample } from '../../core/types.js';
import { mutate, randomSample } from '../../space/walk.js';
import type { Observation } from './observations.js';

type AnySpace = SearchSpace<unknown>;

export interface CandidateOptions {
  /** How many distinct candidates to aim for. */
  readonly count: number;
  /** Mutate the best `parents` observations. */
  readonly parents: number;
  /** Each candidate is 1..mutations successive single-decision mutations of its parent. */
  readonly mutations: number;
  /** Share of candidates drawn uniformly at random instead. */
  readonly random: number;
}

/** Draws the first unused of up to `tries` random samples (the last drawn if none is unused). */
export function freshRandomSample(
  space: AnySpace,
  rng: Rng,
  used: (key: string) => boolean,
  tries = 100,
): Sample {
  let sample = randomSample(space, rng);
  for (let i = 1; i < tries && used(space.key(sample)); i++) sample = randomSample(space, rng);
  return sample;
}

/**
 * BANANAS's candidate pool: mutations of the best architectures so far (local search around the
 * incumbents, where a surrogate trained on few points is most trustworthy), plus a share of random
 * samples to keep exploring. Distinct, and none of them `used` (evaluated or pending). Fewer than `count`
 * when the neighbourhood is exhausted (the attempts are bounded).
 */
export function generateCandidates(
  space: AnySpace,
  best: readonly Observation[],
  o: CandidateOptions,
  rng: Rng,
  used: (key: string) => boolean,
): Sample[] {
  const parents = best.slice(0, Math.max(1, o.parents));
  const out: Sample[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; out.length < o.count && attempt < o.count * 5; attempt++) {
    let sample: Sample;
    if (parents.length === 0 || rng.float() < o.random) {
      sample = randomSample(space, rng);
    } else {
      sample = (parents[attempt % parents.length] as Observation).sample;
      const steps = 1 + rng.int(o.mutations);
      for (let s = 0; s < steps; s++) sample = mutate(space, sample, rng);
    }
    const key = space.key(sample);
    if (seen.has(key) || used(key)) continue;
    seen.add(key);
    out.push(sample);
  }
  return out;
}

/** Finite-score observations, best first (stable: earlier first among ties). */
export function bestFirst(observations: readonly Observation[]): Observation[] {
  return [...observations].sort((a, b) => b.score - a.score);
}
